import { spawn, type ChildProcess } from 'node:child_process';
import { GitHelper, type SpawnedGit } from './git-helper.js';
import { leakedDescriptors, shadowing } from './inherited-descriptors.js';

export type { SpawnedGit } from './git-helper.js';

// What simple-git's environment guard removes from the ambient environment
// (besides every GIT_* variable): settings that would run a program or read
// a config troupe did not choose. Kept in step with @simple-git/argv-parser.
const GUARDED = new Set(['editor', 'pager', 'prefix', 'ssh_askpass', 'visual']);

/**
 * The environment troupe's git commands run with: the process's own, minus
 * every `GIT_*` variable and the few others simple-git's guard removes, plus
 * `extra` (a throwaway `GIT_INDEX_FILE`, say). The same rules as the
 * simple-git path, so a command means the same whichever way it runs.
 */
export function gitEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const name = key.toLowerCase().trim();
    if (name.startsWith('git_') || GUARDED.has(name)) continue;
    env[key] = value;
  }
  // as simple-git does: `--qu` must not pass for `--quiet`
  return { ...env, GIT_TEST_DISALLOW_ABBREVIATED_OPTIONS: 'true', ...extra };
}

/**
 * Run `git <args>` in `cwd` as one child process, feeding `input` on stdin,
 * and resolve once it exits — at once, also when it printed nothing
 * (simple-git waits a fixed 50 ms after a silent command, which index and
 * ref plumbing always is). Never rejects for a non-zero exit: the caller
 * decides what an exit code means.
 *
 * Once this process runs git commands side by side (plans running), they are
 * started by a helper process ({@link GitHelper}), so that starting them
 * stops blocking this one's event loop; a process that runs one at a time (a
 * CLI command) never starts the helper. `TROUPE_GIT_HELPER=0` turns it off.
 *
 * @example
 * const { exitCode, stdout } = await spawnGit('/repo', ['write-tree'], gitEnvironment());
 */
export async function spawnGit(
  cwd: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  input?: string,
): Promise<SpawnedGit> {
  if (helper?.ready) return helper.run(cwd, args, env, input);
  // a second command while one runs: start the helper for those to come
  if (running > 0) startGitHelper();
  running += 1;
  try {
    return await spawnHere(cwd, args, env, input);
  } finally {
    running -= 1;
  }
}

/**
 * Start the helper now, ahead of the commands it will start: for a caller
 * that knows many git commands follow one another — a plan making writing
 * steps, each a few git processes in a row, never side by side long enough
 * to start it as {@link spawnGit} does. Commands run here until it is ready.
 * Nothing when it is already started (or failed) or `TROUPE_GIT_HELPER=0`.
 *
 * @example
 * startGitHelper(); // the next step's git goes through the helper once it is up
 */
export function startGitHelper(): void {
  if (helper === null && process.env.TROUPE_GIT_HELPER !== '0') helper = GitHelper.start();
}

/**
 * Whether git commands are being started by the helper process now: this
 * process runs several side by side (plans running). Porcelain, which
 * otherwise goes through simple-git from this process, then goes to the
 * helper too ({@link gitCommand}).
 *
 * @example
 * if (gitHelperRunning()) console.log('git commands are started by the helper');
 */
export function gitHelperRunning(): boolean {
  return helper?.ready === true;
}

/**
 * Start `git <args>` in `cwd` to keep it running and talk to it through its
 * stdin and stdout (stderr is dropped): a `cat-file --batch-check` that
 * answers many questions (src/sandbox/object-checks.ts). Started from this
 * process, once for many questions, not from the helper, which runs
 * commands to their end.
 *
 * @example
 * const child = startGit('/repo', ['cat-file', '--batch-check'], gitEnvironment());
 */
export function startGit(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn('git', args, { cwd, env, stdio: ['pipe', 'pipe', 'ignore'], windowsHide: true });
}

// git commands this process itself is running now
let running = 0;
// the helper once started; it stays unready for good if it failed
let helper: GitHelper | null = null;

function spawnHere(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv, input?: string): Promise<SpawnedGit> {
  return new Promise((resolve, reject) => {
    // git runs hooks-free, but whatever it starts must not get a handle on the store's files
    const stdio = shadowing([input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], leakedDescriptors());
    const child = spawn('git', args, { cwd, env, stdio, windowsHide: true });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({
        exitCode: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr).toString('utf8'),
      }),
    );
    if (input !== undefined) {
      // git may exit before reading everything (a bad line): its exit code says why, not EPIPE
      child.stdin!.on('error', () => {});
      child.stdin!.end(input);
    }
  });
}
