import { constants as fsConstants } from 'node:fs';
import { access, lstat, mkdtemp, realpath, rm, rmdir, unlink } from 'node:fs/promises';
import { constants as osConstants, homedir, tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { DEFAULT_RESOURCE_LIMITS, SANDBOX_UNAVAILABLE_HINT, TroupeError } from '../domain/index.js';
import { bubblewrapArguments, type ContainmentPolicy } from './bubblewrap-policy.js';
import type { CommandRequest, CommandResult, CommandSandbox, SandboxProbe } from './command-sandbox.js';
import { leakedDescriptors } from './inherited-descriptors.js';
import { findLauncher, launchArguments, type SandboxLauncher } from './sandbox-launcher.js';
import { findNsenter, startPlanNetwork, type PlanNetwork } from './plan-network.js';
import { COMMAND_TOKEN_VARIABLE, type CommandRecord } from './process-ledger.js';
import type { NetworkGateOptions } from './network-gate.js';
import { probeOutput } from './probe-output.js';
import { ResourceLimiter, type EnforcementChoice } from './resource-limits.js';
import { spawnCommand } from './spawn-command.js';

/** Where a {@link BubblewrapSandbox} finds bubblewrap and what it contains besides the worktree. */
export interface BubblewrapOptions {
  /** The project the runtime works on: its working tree and `.troupe/` are hidden from commands. */
  projectRoot: string;
  /** The absolute path of `bwrap` (`sandbox.bwrap`); default: `bwrap` on `PATH`. */
  bwrap?: string | undefined;
  /** Absolute paths to hide besides the secret places of `$HOME` (`sandbox.hide`, expanded). */
  hide?: readonly string[] | undefined;
  /** Untracked paths of the project bound read-only into the worktree (`sandbox.share`). */
  share?: readonly string[] | undefined;
  /** The home directory whose secrets are hidden (default: the user's). */
  home?: string | undefined;
  /** Default: this process's platform; anything but `linux` cannot contain commands. */
  platform?: NodeJS.Platform | undefined;
  /** The `PATH` to look `bwrap` up on (default: this process's). */
  searchPath?: string | undefined;
  /** How commands start inside the sandbox (default: {@link findLauncher}). */
  launcher?: SandboxLauncher | undefined;
  /** How resource limits are enforced: `auto` (cgroups where the machine allows, the default) or `rlimits`. */
  enforcement?: EnforcementChoice | undefined;
}

/** Where bubblewrap was found, its version, and what it supports. */
export interface BubblewrapBinary {
  path: string;
  version: string;
  /** `--disable-userns` (bubblewrap ≥ 0.8): no nested user namespaces inside the sandbox. */
  disableUserns: boolean;
  /** `--size` for `--tmpfs` (bubblewrap ≥ 0.7): the private `/tmp` and `/dev/shm` are bounded. */
  tmpfsSize: boolean;
}

// the fix named by every SANDBOX_UNAVAILABLE
const SANDBOX_FIX = SANDBOX_UNAVAILABLE_HINT;

/**
 * Find bubblewrap: `configured` (an absolute path) or `bwrap` on the
 * search path; its version and whether it supports `--disable-userns`.
 * Rejects with `SANDBOX_UNAVAILABLE` saying why it cannot be used.
 *
 * @example
 * const binary = await findBubblewrap({ platform: process.platform });
 * console.log(`${binary.path} ${binary.version}`);
 */
export async function findBubblewrap(options: Pick<BubblewrapOptions, 'bwrap' | 'platform' | 'searchPath'> = {}): Promise<BubblewrapBinary> {
  const platform = options.platform ?? process.platform;
  if (platform !== 'linux') {
    throw unavailable(`commands are contained with bubblewrap, which needs Linux; this is ${platform}`, 'opt out of containment with {"sandbox": {"mode": "off"}} in .troupe/config.json — see docs/sandbox.md');
  }
  const path = options.bwrap ?? (await onSearchPath('bwrap', options.searchPath ?? process.env.PATH ?? ''));
  if (path === null) throw unavailable('bubblewrap is not installed: no bwrap on PATH', SANDBOX_FIX);
  if (!(await isExecutable(path))) throw unavailable(`sandbox.bwrap in .troupe/config.json names ${path}, which is not an executable file`, SANDBOX_FIX);
  let help: string;
  let version: string;
  try {
    [help, version] = await Promise.all([
      probeOutput(path, ['--help']),
      probeOutput(path, ['--version']).then((stdout) => stdout.trim()),
    ]);
  } catch (error) {
    throw unavailable(`${path} did not run: ${messageOf(error)}`, SANDBOX_FIX);
  }
  if (!help.includes('--json-status-fd')) {
    throw unavailable(`${version || path} is too old: troupe needs bubblewrap 0.5 or later`, SANDBOX_FIX);
  }
  return { path, version: version.replace(/^bubblewrap\s*/, '') || 'unknown', disableUserns: help.includes('--disable-userns'), tmpfsSize: /--size\b/.test(help) };
}

/**
 * The Linux {@link CommandSandbox} (SPEC §15, DESIGN §11): every command
 * runs under bubblewrap with only its worktree (and a private `/tmp`)
 * writable, the project's working tree, `.troupe/` and the secrets of
 * `$HOME` hidden, git's directories read-only, no network unless the plan
 * says so, and a PID namespace that dies with the command — and with troupe:
 * nothing a command starts outlives it (see bubblewrapArguments for the
 * whole policy).
 *
 * A timed-out or cancelled command is stopped by killing bubblewrap, which
 * takes the whole sandbox with it at once. When the sandbox itself cannot
 * start (no bubblewrap, user namespaces off, not Linux), `run` rejects with
 * `SANDBOX_UNAVAILABLE` and nothing runs.
 *
 * @example
 * const sandbox = new BubblewrapSandbox({ projectRoot: '/path/to/repo', share: ['node_modules'] });
 * const result = await sandbox.run({ command: 'npm test', worktree, env: commandEnv(), network: false });
 */
export class BubblewrapSandbox implements CommandSandbox {
  readonly kind = 'bubblewrap' as const;
  readonly #options: BubblewrapOptions;
  readonly #policy: ContainmentPolicy;
  readonly #launcher: SandboxLauncher;
  #binary: Promise<BubblewrapBinary> | null = null;
  // mount points made in worktrees for shared paths, by path: how many running commands use each
  readonly #placeholders = new Map<string, number>();
  readonly #limiter: ResourceLimiter;

  constructor(options: BubblewrapOptions) {
    this.#options = options;
    this.#launcher = options.launcher ?? findLauncher();
    this.#limiter = new ResourceLimiter({ enforcement: options.enforcement });
    this.#policy = { projectRoot: options.projectRoot, home: options.home ?? homedir(), hide: options.hide ?? [], share: options.share ?? [] };
  }

  async run(request: CommandRequest): Promise<CommandResult> {
    const binary = await this.#find();
    if (request.signal?.aborted) return stopped(true);
    const joined = request.planNetwork !== undefined && !request.network ? request.planNetwork : null;
    if (joined && !joined.alive) return notStarted('the plan network is gone (its services were stopped)');
    // a plan with an allow-list: the command is pointed at troupe's proxy, and what it asks for is counted
    const pass = joined?.gate?.admit(request.command, request.onDenied);
    try {
      const result = await this.#contained(request, binary, joined, pass?.env ?? {});
      return pass ? { ...result, network: pass.usage() } : result;
    } finally {
      pass?.leave();
    }
  }

  async #contained(request: CommandRequest, binary: BubblewrapBinary, joined: PlanNetwork | null, proxyEnv: Record<string, string>): Promise<CommandResult> {
    // recorded as the unconfined sandbox's commands are: bubblewrap dies with troupe, but a
    // sandbox whose setup troupe's death interrupted waits for ever for bubblewrap's word
    let record: CommandRecord | undefined;
    try {
      record = request.processes?.prepare();
    } catch (error) {
      return notStarted(`cannot record it (${messageOf(error)})`);
    }
    try {
      return await this.#recorded(request, binary, joined, proxyEnv, record);
    } finally {
      if (record) request.processes?.release(record);
    }
  }

  async #recorded(request: CommandRequest, binary: BubblewrapBinary, joined: PlanNetwork | null, proxyEnv: Record<string, string>, record: CommandRecord | undefined): Promise<CommandResult> {
    const limits = await this.#limiter.start(request.limits ?? DEFAULT_RESOURCE_LIMITS);
    let plan;
    try {
      plan = await bubblewrapArguments(
        this.#policy,
        {
          worktree: request.worktree,
          network: request.network,
          // a plan network is joined through nsenter: no namespace of its own
          ...(joined ? { sharedNetwork: true } : {}),
          readOnly: request.readOnly === true,
          ...(request.otherProjects ? { otherProjects: request.otherProjects } : {}),
          ...(binary.tmpfsSize ? { tmpfsBytes: limits.tmpfsBytes } : {}),
        },
        { disableUserns: binary.disableUserns, pending: this.#placeholders },
      );
    } catch (error) {
      await limits.abandon();
      // a worktree that is gone: the same answer an unconfined shell would give
      return notStarted(`working directory ${request.worktree} is not accessible (${messageOf(error)})`);
    }
    for (const path of plan.placeholders) this.#placeholders.set(path, (this.#placeholders.get(path) ?? 0) + 1);
    let done;
    try {
      done = await spawnCommand({
        // nsenter enters the plan network's namespaces and becomes bubblewrap (same pid)
        file: joined ? joined.enter[0]! : binary.path,
        // /tmp is the command's own: tools that honour TMPDIR must not aim at a read-only one;
        // the closer sets the rlimits before it becomes the command
        args: [...(joined ? [...joined.enter.slice(1), binary.path] : []), ...plan.args, '--json-status-fd', '3', '--', ...launchArguments(this.#launcher, request.command, { ...request.env, ...proxyEnv, TMPDIR: '/tmp' }, limits.shellArgs)],
        // nothing of the plan reaches bubblewrap itself, which runs on the host: not its
        // environment (LD_PRELOAD would load a library of the worktree into it), not its
        // working directory (the sandbox starts in the worktree through --chdir)
        cwd: '/',
        // only the record's token, which the reap looks for (the closer's `env -i` drops it)
        env: record ? { [COMMAND_TOKEN_VARIABLE]: record.token } : {},
        ...(record ? { onSpawn: (pid: number) => request.processes?.started(record, pid) } : {}),
        // what troupe holds open without close-on-exec (the store's files) is /dev/null in
        // bubblewrap, so not even bubblewrap holds it; inside, the closer closes the rest
        shadowFds: leakedDescriptors(),
        timeoutMs: request.timeoutMs,
        signal: request.signal,
        tailBytes: request.tailBytes,
        outputBytes: request.outputBytes,
        killGraceMs: request.killGraceMs,
        statusFd: true,
        // the command runs only once troupe says `go` on fd 4, after bubblewrap reported the
        // child's pid — by then it has bound its life to troupe's (--die-with-parent) and the
        // sandbox is in its cgroups. A troupe killed in between never says it: the closer reads
        // end-of-file and exits 125 without running anything, instead of running on, unbound
        gate: true,
        beforeGo: limits.beforeGo,
        onOutput: request.onOutput,
      });
    } finally {
      await this.#release(plan.placeholders);
    }
    const { status, started, gateError, ...ran } = done;
    // what is left of it is killed and its cgroups go, whatever happened
    const result = await limits.finish(withSignal(ran));
    if (gateError !== undefined) throw gateError;
    // bubblewrap writes the exit code once the command has run; without it
    // (and without a kill of ours) the sandbox never started
    if (started && !/"exit-code"\s*:/.test(status) && !result.timedOut && !result.cancelled && result.exitCode === 1) {
      throw setupFailure(result.stderrTail);
    }
    return result;
  }

  /** Run `true` contained, in a scratch directory standing for a worktree. */
  async probe(): Promise<SandboxProbe> {
    let binary: BubblewrapBinary;
    try {
      binary = await this.#find();
    } catch (error) {
      return failed(error);
    }
    const scratch = await mkdtemp(join(tmpdir(), 'troupe-probe-'));
    try {
      const result = await this.run({ command: 'true', worktree: scratch, env: { PATH: '/usr/bin:/bin' }, network: false, timeoutMs: 30_000 });
      if (result.exitCode === 0) return { ok: true, detail: `bubblewrap ${binary.version} (${binary.path}) ran a contained command` };
      return { ok: false, detail: `a contained \`true\` ended with ${result.exitCode ?? result.signal}: ${result.stderrTail.trim()}`, fix: SANDBOX_FIX };
    } catch (error) {
      return failed(error);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  /**
   * Start a plan network holder (see {@link PlanNetwork}), with the gate of
   * `gate.allow` when the plan has an allow-list; `SANDBOX_UNAVAILABLE` when
   * it cannot start or the gate's check fails.
   */
  async startNetwork(label?: string, gate?: NetworkGateOptions, processes?: CommandRequest['processes']): Promise<PlanNetwork> {
    const binary = await this.#find();
    const nsenter = findNsenter();
    if (nsenter === null) throw unavailable(`nsenter (util-linux) is not installed; ${gate ? 'a network allow-list' : 'services'} need${gate ? 's' : ''} it to share the plan network`, SANDBOX_FIX);
    return startPlanNetwork({ bwrap: binary.path, nsenter, ...(label === undefined ? {} : { label }), ...(gate ? { gate } : {}), ...(processes ? { processes } : {}) });
  }

  // found once; a failure is not kept, so installing bubblewrap mid-session helps
  #find(): Promise<BubblewrapBinary> {
    this.#binary ??= findBubblewrap(this.#options);
    this.#binary.catch(() => (this.#binary = null));
    return this.#binary;
  }

  // the last command using a mount point removes it: an empty directory (or
  // file) left in the worktree would otherwise show up in the plan's changes
  async #release(placeholders: readonly string[]): Promise<void> {
    for (const path of [...placeholders].reverse()) {
      const users = (this.#placeholders.get(path) ?? 1) - 1;
      if (users > 0) {
        this.#placeholders.set(path, users);
        continue;
      }
      this.#placeholders.delete(path);
      // the command may have renamed a folder on the way and put a symlink in its place:
      // what is removed must still be where the mount point was made, not where a link leads
      if ((await realpath(dirname(path)).catch(() => null)) !== dirname(path)) continue;
      const info = await lstat(path).catch(() => null);
      if (info?.isDirectory()) await rmdir(path).catch(() => {});
      else if (info?.isFile() && info.size === 0) await unlink(path).catch(() => {});
    }
  }
}

// bubblewrap exits 128+n when the command was killed by signal n, as a
// shell reports it: say which signal, as an unconfined command's result does
function withSignal(result: CommandResult): CommandResult {
  const code = result.exitCode;
  if (code === null || code <= 128 || code > 128 + 64) return result;
  const name = Object.entries(osConstants.signals).find(([, number]) => number === code - 128)?.[0] as NodeJS.Signals | undefined;
  return name ? { ...result, exitCode: null, signal: name } : result;
}

function unavailable(why: string, fix: string): TroupeError {
  return new TroupeError('SANDBOX_UNAVAILABLE', `commands cannot be contained: ${why}`, { hint: fix, details: { reason: why } });
}

// what bubblewrap said when it could not set the sandbox up, in the user's words
function setupFailure(stderr: string): TroupeError {
  const said = stderr.split('\n').find((line) => line.startsWith('bwrap:'))?.trim() ?? stderr.trim().split('\n').at(-1) ?? 'no message';
  const namespaces = /namespace|uid map|setting up|Operation not permitted|Permission denied/i.test(said);
  const why = namespaces ? `the sandbox could not start, likely because unprivileged user namespaces are disabled (${said})` : `the sandbox could not start (${said})`;
  const fix = namespaces
    ? 'allow unprivileged user namespaces (sudo sysctl -w kernel.unprivileged_userns_clone=1; on Ubuntu 24.04 also kernel.apparmor_restrict_unprivileged_userns=0 or an AppArmor profile for bwrap), or opt out with {"sandbox": {"mode": "off"}} in .troupe/config.json — see docs/sandbox.md'
    : SANDBOX_FIX;
  return unavailable(why, fix);
}

function failed(error: unknown): SandboxProbe {
  if (error instanceof TroupeError) return { ok: false, detail: error.message, ...(error.hint ? { fix: error.hint } : {}) };
  return { ok: false, detail: messageOf(error), fix: SANDBOX_FIX };
}

function stopped(cancelled: boolean): CommandResult {
  return { exitCode: null, signal: null, timedOut: false, cancelled, stdoutTail: '', stderrTail: '', durationMs: 0 };
}

function notStarted(reason: string): CommandResult {
  return { exitCode: 127, signal: null, timedOut: false, cancelled: false, stdoutTail: '', stderrTail: `troupe: could not start the command: ${reason}\n`, durationMs: 0 };
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
    return (await lstat(path).then((info) => !info.isDirectory(), () => false)) === true;
  } catch {
    return false;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
