import { constants as fsConstants } from 'node:fs';
import { access, lstat } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import { SANDBOX_UNAVAILABLE_HINT, TroupeError } from '../domain/index.js';
import { probeOutput } from './probe-output.js';

/** Where bubblewrap was found, its version, and what it supports. */
export interface BubblewrapBinary {
  path: string;
  version: string;
  /** `--disable-userns` (bubblewrap ≥ 0.8): no nested user namespaces inside the sandbox. */
  disableUserns: boolean;
  /** `--size` for `--tmpfs` (bubblewrap ≥ 0.7): the private `/tmp` and `/dev/shm` are bounded. */
  tmpfsSize: boolean;
}

/** The fix named by every SANDBOX_UNAVAILABLE that has no better one. */
export const SANDBOX_FIX = SANDBOX_UNAVAILABLE_HINT;

/** Where to look for bubblewrap (`sandbox.bwrap`, the platform, the search path). */
export interface BubblewrapLookup {
  /** The absolute path of `bwrap` (`sandbox.bwrap`); default: `bwrap` on `PATH`. */
  bwrap?: string | undefined;
  /** Default: this process's platform; anything but `linux` cannot contain commands. */
  platform?: NodeJS.Platform | undefined;
  /** The `PATH` to look `bwrap` up on (default: this process's). */
  searchPath?: string | undefined;
}

/**
 * Find bubblewrap: `configured` (an absolute path) or `bwrap` on the
 * search path; its version and whether it supports `--disable-userns`.
 * Rejects with `SANDBOX_UNAVAILABLE` saying why it cannot be used.
 *
 * @example
 * const binary = await findBubblewrap({ platform: process.platform });
 * console.log(`${binary.path} ${binary.version}`);
 */
export async function findBubblewrap(options: BubblewrapLookup = {}): Promise<BubblewrapBinary> {
  const platform = options.platform ?? process.platform;
  if (platform !== 'linux') {
    throw sandboxUnavailable(
      `commands are contained with bubblewrap, which needs Linux; this is ${platform}`,
      'opt out of containment with {"sandbox": {"mode": "off"}} in .troupe/config.json — see docs/explanation/sandbox.md',
    );
  }
  const path = options.bwrap ?? (await onSearchPath('bwrap', options.searchPath ?? process.env.PATH ?? ''));
  if (path === null) throw sandboxUnavailable('bubblewrap is not installed: no bwrap on PATH', SANDBOX_FIX);
  if (!(await isExecutable(path)))
    throw sandboxUnavailable(
      `sandbox.bwrap in .troupe/config.json names ${path}, which is not an executable file`,
      SANDBOX_FIX,
    );
  let help: string;
  let version: string;
  try {
    [help, version] = await Promise.all([
      probeOutput(path, ['--help']),
      probeOutput(path, ['--version']).then((stdout) => stdout.trim()),
    ]);
  } catch (error) {
    throw sandboxUnavailable(`${path} did not run: ${messageOf(error)}`, SANDBOX_FIX);
  }
  if (!help.includes('--json-status-fd')) {
    throw sandboxUnavailable(`${version || path} is too old: troupe needs bubblewrap 0.5 or later`, SANDBOX_FIX);
  }
  return {
    path,
    version: version.replace(/^bubblewrap\s*/, '') || 'unknown',
    disableUserns: help.includes('--disable-userns'),
    tmpfsSize: /--size\b/.test(help),
  };
}

async function onSearchPath(name: string, searchPath: string): Promise<string | null> {
  for (const dir of searchPath.split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return null;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, fsConstants.X_OK);
    return (
      (await lstat(path).then(
        (info) => !info.isDirectory(),
        () => false,
      )) === true
    );
  } catch {
    return false;
  }
}

/**
 * `SANDBOX_UNAVAILABLE`: commands cannot be contained here, `why`, and how to fix it.
 *
 * @example
 * throw sandboxUnavailable('bubblewrap is not installed: no bwrap on PATH', SANDBOX_FIX);
 */
export function sandboxUnavailable(why: string, fix: string): TroupeError {
  return new TroupeError('SANDBOX_UNAVAILABLE', `commands cannot be contained: ${why}`, {
    hint: fix,
    details: { reason: why },
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
