import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { leakedDescriptors, shadowing } from './inherited-descriptors.js';

/** How a git command ended: the exit code and everything it printed. */
export interface SpawnedGit {
  exitCode: number;
  stdout: Buffer;
  stderr: string;
}

// The helper's whole program, run as `node -e`: it says it is ready, then
// starts one git process per request line and answers each with one line.
// Plain JavaScript, so it needs no loader; it ends when its stdin does.
const HELPER_SOURCE = `
const { spawn } = require('node:child_process');
// the runtime went away (killed, say): nobody is left to answer
process.stdout.on('error', () => process.exit(0));
const reply = (message) => process.stdout.write(JSON.stringify(message) + '\\n');
require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
  const { id, cwd, args, env, input } = JSON.parse(line);
  let answered = false;
  const answer = (message) => { if (!answered) { answered = true; reply({ id, ...message }); } };
  let child;
  try {
    child = spawn('git', args, { cwd, env, stdio: [input == null ? 'ignore' : 'pipe', 'pipe', 'pipe'], windowsHide: true });
  } catch (error) {
    return answer({ error: String(error && error.message), code: error && error.code });
  }
  const stdout = [];
  const stderr = [];
  child.stdout.on('data', (chunk) => stdout.push(chunk));
  child.stderr.on('data', (chunk) => stderr.push(chunk));
  child.on('error', (error) => answer({ error: error.message, code: error.code }));
  child.on('close', (code, signal) => answer({ exitCode: code ?? (signal ? 128 : 1), stdout: Buffer.concat(stdout).toString('base64'), stderr: Buffer.concat(stderr).toString('utf8') }));
  if (input != null) {
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  }
}).on('close', () => process.exit(0));
reply({ ready: true });
`;

interface Answer {
  id?: number;
  ready?: boolean;
  exitCode?: number;
  stdout?: string;
  stderr?: string;
  error?: string;
  code?: string;
}

/**
 * A small Node process that starts git processes for this one. Node starts
 * a process by forking the whole process and blocks its event loop until the
 * child has exec'd: 2–7 ms each on a busy 2-core machine, which with a few
 * hundred git commands a second was half of a runtime's main thread
 * (docs/explanation/performance.md, "Subplans at scale"). The helper pays that on its
 * own, and forks a much smaller process. Requests are lines of JSON on its
 * stdin, answers lines on its stdout (stdout as base64, so bytes stay
 * exact). It keeps this process alive only while a command runs, and ends
 * when this process does (its stdin closes). If it dies, the commands it was
 * running fail and {@link GitHelper.ready} stays false for good.
 *
 * @example
 * const helper = GitHelper.start();
 * // once helper.ready:
 * const { exitCode, stdout } = await helper.run('/repo', ['rev-parse', 'HEAD'], gitEnvironment());
 */
export class GitHelper {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve: (done: SpawnedGit) => void; reject: (error: Error) => void }>();
  #next = 0;
  #ready = false;
  #failure: Error | null = null;

  private constructor() {
    // NODE_OPTIONS may load a TypeScript loader (tsx) the helper has no use for
    const { NODE_OPTIONS: _options, ...env } = process.env;
    // the store's files, which this process holds without close-on-exec, are /dev/null in the
    // helper: neither it nor the git processes it starts hold them
    this.#child = spawn(process.execPath, ['-e', HELPER_SOURCE], {
      env,
      stdio: shadowing(['pipe', 'pipe', 'ignore'], leakedDescriptors()),
      windowsHide: true,
    });
    this.#child.on('error', (error) => this.#fail(error));
    this.#child.on('exit', (code, signal) =>
      this.#fail(new Error(`troupe's git helper process exited (${signal ?? code})`)),
    );
    this.#child.stdin!.on('error', (error) => this.#fail(error));
    let buffered = '';
    this.#child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
        this.#answer(JSON.parse(buffered.slice(0, end)) as Answer);
        buffered = buffered.slice(end + 1);
      }
    });
    this.#idle();
  }

  /** Start a helper; it takes requests once {@link GitHelper.ready}. */
  static start(): GitHelper {
    return new GitHelper();
  }

  /** Whether it has started and not failed. */
  get ready(): boolean {
    return this.#ready && this.#failure === null;
  }

  /** The helper's process id (tests stop it to see a failure handled). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Run `git <args>` in `cwd` with exactly `env`, feeding `input`; as `spawnGit` does it here. */
  run(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv, input?: string): Promise<SpawnedGit> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#next++;
    if (this.#pending.size === 0) this.#busy();
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#child.stdin!.write(
        `${JSON.stringify({ id, cwd, args, env, ...(input === undefined ? {} : { input }) })}\n`,
      );
    });
  }

  #answer(answer: Answer): void {
    if (answer.ready) {
      this.#ready = true;
      return;
    }
    const waiting = answer.id === undefined ? undefined : this.#pending.get(answer.id);
    if (!waiting) return;
    this.#pending.delete(answer.id!);
    if (this.#pending.size === 0) this.#idle();
    if (answer.error !== undefined) {
      // as a spawn here rejects: e.g. ENOENT for a missing directory
      waiting.reject(Object.assign(new Error(answer.error), answer.code === undefined ? {} : { code: answer.code }));
      return;
    }
    waiting.resolve({
      exitCode: answer.exitCode ?? 1,
      stdout: Buffer.from(answer.stdout ?? '', 'base64'),
      stderr: answer.stderr ?? '',
    });
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const waiting of this.#pending.values()) waiting.reject(this.#failure);
    this.#pending.clear();
    this.#idle();
  }

  // referenced only while a command runs, as a git process of its own would be
  #busy(): void {
    this.#child.ref();
    (this.#child.stdout as Socket).ref();
  }

  #idle(): void {
    this.#child.unref();
    (this.#child.stdout as Socket).unref();
    (this.#child.stdin as unknown as Socket).unref();
  }
}
