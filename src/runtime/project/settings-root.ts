import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TroupeError } from '../../domain/index.js';
import { findProjectRoot } from '../../sandbox/index.js';

/**
 * The directory whose `.troupe/config.json` a worker takes: the git
 * repository that holds `dir`, or — a worker needs no repository of its own,
 * it runs plans in its clone of the shared remote — `dir` itself when it
 * holds `.troupe/config.json` (docs/how-to/scale-out.md). Outside both,
 * `NOT_A_GIT_REPO` saying what a worker's directory needs.
 *
 * @example
 * const root = await findSettingsRoot('/srv/worker'); // '/srv/worker', holding .troupe/config.json
 */
export async function findSettingsRoot(dir: string): Promise<string> {
  try {
    return await findProjectRoot(dir);
  } catch (error) {
    if (!(error instanceof TroupeError) || error.code !== 'NOT_A_GIT_REPO') throw error;
    const absolute = resolve(dir);
    if (existsSync(join(absolute, '.troupe', 'config.json'))) return absolute;
    throw new TroupeError(
      'NOT_A_GIT_REPO',
      `${dir} is neither inside a git repository nor a directory with .troupe/config.json`,
      {
        hint: 'a worker needs a directory holding .troupe/config.json that names the store, the queue and the remote (docs/how-to/scale-out.md): make one, or pass -C <dir>',
      },
    );
  }
}
