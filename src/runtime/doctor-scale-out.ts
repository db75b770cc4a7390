import { TroupeError } from '../domain/index.js';
import { redactedUrl } from '../sandbox/remote-branches.js';
import type { ProjectConfig } from './project/index.js';
import { checkReachable, scaleOutSettings, workerSettings } from './workers/index.js';
import type { DoctorCheck } from './doctor-check.js';

/**
 * `troupe doctor`'s line for scale-out (docs/how-to/scale-out.md), when the config
 * or the environment names a queue or a remote: the settings are complete
 * (a PostgreSQL store, a queue, a remote), the queue answers a PING and the
 * remote can be read. Null when neither is named: nothing to check.
 *
 * @example
 * const check = await scaleOutCheck('/srv/worker', config); // { name: 'scale-out', ok: false, detail: 'the queue at redis://… did not answer…' }
 */
export async function scaleOutCheck(
  root: string,
  config: ProjectConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<DoctorCheck | null> {
  const named = scaleOutSettings(config, env);
  if (!named.queue && !named.remote) return null;
  try {
    const settings = workerSettings(config, env);
    await checkReachable(settings, root);
    return {
      name: 'scale-out',
      ok: true,
      detail: `queue at ${redactedUrl(settings.queue.url)} answers; remote ${redactedUrl(settings.remote.url)} can be read`,
    };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return {
      name: 'scale-out',
      ok: false,
      detail,
      ...(error instanceof TroupeError && error.hint ? { fix: error.hint } : {}),
    };
  }
}
