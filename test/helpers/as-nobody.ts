import { execFile } from 'node:child_process';
import { chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { visibleTempDir } from './temp.js';

/** Whether this test process can run a script as `nobody` (it is root, and util-linux's setpriv is here). */
export const canRunAsNobody = process.getuid?.() === 0 && existsSync('/usr/bin/setpriv');

/**
 * Run a TypeScript `script` of the tests as `nobody` (uid and gid 65534),
 * as troupe runs for an ordinary user, in a scratch folder open to it
 * (passed as the script's first argument, then `args`; it is `HOME` too);
 * the JSON object its last line of stdout prints. Asynchronous, so servers
 * of the calling test go on answering while it runs.
 *
 * @example
 * const seen = await runAsNobody(join(import.meta.dirname, 'escape-kernel-child.ts'));
 */
export async function runAsNobody(
  script: string,
  args: readonly string[] = [],
  timeoutMs = 90_000,
): Promise<{ seen: Record<string, unknown>; stderr: string }> {
  const scratch = await visibleTempDir('troupe-nobody-');
  try {
    chmodSync(scratch.dir, 0o777);
    const tsx = join(import.meta.dirname, '../../node_modules/tsx/dist/esm/index.mjs');
    const child = await promisify(execFile)(
      '/usr/bin/setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        process.execPath,
        '--import',
        tsx,
        script,
        scratch.dir,
        ...args,
      ],
      {
        timeout: timeoutMs,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: scratch.dir },
      },
    ).catch((error: { stdout?: string; stderr?: string }) => ({
      stdout: error.stdout ?? '',
      stderr: error.stderr ?? String(error),
    }));
    const line = child.stdout.trim().split('\n').at(-1) ?? '';
    return { seen: JSON.parse(line || '{}') as Record<string, unknown>, stderr: child.stderr };
  } finally {
    await scratch.cleanup();
  }
}
