import { homedir, userInfo } from 'node:os';
import { DEFAULT_RESOURCE_LIMITS } from '../domain/index.js';
import { bubblewrapArguments, switchUserArguments, type ContainmentPolicy } from './bubblewrap-policy.js';
import { commandIdentity, type CommandIdentity } from './command-identity.js';
import type { CommandRequest, CommandResult, CommandSandbox, SandboxProbe } from './command-sandbox.js';
import { notStarted, setupFailure, stopped, withSignal } from './bubblewrap-results.js';
import { probeContained } from './bubblewrap-probe.js';
import { containedEnv } from './contained-env.js';
import { MountPlaceholders } from './mount-placeholders.js';
import { leakedDescriptors } from './inherited-descriptors.js';
import { activated } from './project-view.js';
import { findLauncher, launchArguments, type SandboxLauncher } from './sandbox-launcher.js';
import { findNsenter, startPlanNetwork, type PlanNetwork } from './plan-network.js';
import { COMMAND_TOKEN_VARIABLE, type CommandRecord } from './process-ledger.js';
import type { NetworkGateOptions } from './network-gate.js';
import {
  findBubblewrap,
  SANDBOX_FIX,
  sandboxUnavailable,
  type BubblewrapBinary,
  type BubblewrapLookup,
} from './find-bubblewrap.js';
import { hostSeccompArch, seccompProgram } from './seccomp-filter.js';
import { ResourceLimiter, type EnforcementChoice } from './resource-limits.js';
import { spawnCommand } from './spawn-command.js';
import { clearSetIdBits, prepareWorktree } from './worktree-ownership.js';

/** Where a {@link BubblewrapSandbox} finds bubblewrap and what it contains besides the worktree. */
export interface BubblewrapOptions extends BubblewrapLookup {
  /** The project the runtime works on: its working tree and `.troupe/` are hidden from commands. */
  projectRoot: string;
  /** Absolute paths to hide besides the secret places of `$HOME` (`sandbox.hide`, expanded). */
  hide?: readonly string[] | undefined;
  /** Untracked paths of the project bound read-only into the worktree (`sandbox.share`). */
  share?: readonly string[] | undefined;
  /** The home directory whose secrets are hidden (default: the user's, `$HOME`). */
  home?: string | undefined;
  /** The account's home whose secrets are hidden too (default: the password database's, when it is not `home`). */
  accountHome?: string | undefined;
  /** How commands start inside the sandbox (default: {@link findLauncher}). */
  launcher?: SandboxLauncher | undefined;
  /** How resource limits are enforced: `auto` (cgroups where the machine allows, the default) or `rlimits`. */
  enforcement?: EnforcementChoice | undefined;
  /** Who commands run as (default: {@link commandIdentity}: troupe's user, or a dedicated one when troupe is root). */
  identity?: (() => Promise<CommandIdentity>) | undefined;
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
  readonly #placeholders = new MountPlaceholders();
  readonly #limiter: ResourceLimiter;

  constructor(options: BubblewrapOptions) {
    this.#options = options;
    this.#launcher = options.launcher ?? findLauncher();
    this.#limiter = new ResourceLimiter({ enforcement: options.enforcement });
    this.#policy = {
      projectRoot: options.projectRoot,
      home: options.home ?? homedir(),
      accountHome: options.accountHome ?? accountHome(),
      hide: options.hide ?? [],
      share: options.share ?? [],
    };
  }

  async run(request: CommandRequest): Promise<CommandResult> {
    const binary = await this.#find();
    const identity = await this.#identity();
    if (request.signal?.aborted) return stopped(true);
    const joined = request.planNetwork !== undefined && !request.network ? request.planNetwork : null;
    if (joined && !joined.alive) return notStarted('the plan network is gone (its services were stopped)');
    // a plan with an allow-list: the command is pointed at troupe's proxy, and what it asks for is counted
    const pass = joined?.gate?.admit(request.command, request.onDenied);
    try {
      const result = await this.#contained(
        request,
        { binary, identity, filter: filterOfThisMachine() },
        joined,
        pass?.env ?? {},
      );
      return pass ? { ...result, network: pass.usage() } : result;
    } finally {
      pass?.leave();
    }
  }

  async #contained(
    request: CommandRequest,
    found: Found,
    joined: PlanNetwork | null,
    proxyEnv: Record<string, string>,
  ): Promise<CommandResult> {
    // recorded as the unconfined sandbox's commands are: bubblewrap dies with troupe, but a
    // sandbox whose setup troupe's death interrupted waits for ever for bubblewrap's word
    let record: CommandRecord | undefined;
    try {
      record = request.processes?.prepare();
    } catch (error) {
      return notStarted(`cannot record it (${messageOf(error)})`);
    }
    try {
      return await this.#recorded(request, found, joined, proxyEnv, record);
    } finally {
      if (record) request.processes?.release(record);
    }
  }

  async #recorded(
    request: CommandRequest,
    found: Found,
    joined: PlanNetwork | null,
    proxyEnv: Record<string, string>,
    record: CommandRecord | undefined,
  ): Promise<CommandResult> {
    const { binary, identity } = found;
    // troupe as root: what troupe wrote in the worktree becomes the command's identity's, or it
    // could not change it — done while bubblewrap sets up, and awaited before the command may start
    const handedOver = prepareWorktree(request.worktree, identity, { readOnly: request.readOnly === true }).then(
      () => null,
      (error: unknown) => error,
    );
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
        { disableUserns: binary.disableUserns, identity, pending: this.#placeholders.pending },
      );
    } catch (error) {
      await limits.abandon();
      // a worktree that is gone: the same answer an unconfined shell would give
      return notStarted(`working directory ${request.worktree} is not accessible (${messageOf(error)})`);
    }
    this.#placeholders.hold(plan.placeholders);
    let done;
    try {
      done = await spawnCommand({
        // nsenter enters the plan network's namespaces and becomes bubblewrap (same pid)
        file: joined ? joined.enter[0]! : binary.path,
        // /tmp is the command's own: tools that honour TMPDIR must not aim at a read-only one;
        // the closer sets the rlimits before it becomes the command
        args: [
          ...(joined ? [...joined.enter.slice(1), binary.path] : []),
          ...plan.args,
          '--json-status-fd',
          '3',
          // the filter of docs/explanation/sandbox.md#system-calls, read from fd 5 and installed just before the command starts
          '--seccomp',
          '5',
          '--',
          // troupe as root: the first program becomes the dedicated identity before anything of the plan runs
          ...switchUserArguments(identity, this.#launcher.setpriv ?? 'setpriv'),
          ...launchArguments(
            this.#launcher,
            request.command,
            containedEnv(activated(request.env, plan.pathFirst), proxyEnv, identity, plan.inside),
            limits.shellArgs,
          ),
        ],
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
        filter: found.filter,
        beforeGo: async (childPid: number) => {
          // the sandbox's first process leaves bubblewrap's group (--new-session) and binds its life to
          // bubblewrap's only once its setup is done: troupe killed before then leaves it running the
          // command unbound. Recorded before `go`, so the next process's reap finds it whenever it runs
          if (record) request.processes?.joined?.(record, childPid);
          const failed = await handedOver;
          if (failed !== null)
            throw sandboxUnavailable(
              `the worktree could not be handed to ${identity.name}, whom commands run as: ${messageOf(failed)}`,
              SANDBOX_FIX,
            );
          await limits.beforeGo(childPid);
        },
        onOutput: request.onOutput,
      });
    } finally {
      await this.#placeholders.release(plan.placeholders);
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

  /**
   * Remove every set-user-ID and set-group-ID bit in `worktree`, naming the
   * files: what a step keeps is checked before its commit (the filter
   * already refuses a command that asks for such a bit: this is the second
   * wall). `SANDBOX_UNAVAILABLE` when the worktree cannot be walked.
   */
  async clearSetIdBits(worktree: string): Promise<string[]> {
    try {
      return await clearSetIdBits(worktree);
    } catch (error) {
      throw sandboxUnavailable(
        `the worktree could not be checked for set-user-ID files: ${messageOf(error)}`,
        SANDBOX_FIX,
      );
    }
  }

  /** Run `true` contained, in a scratch directory standing for a worktree. */
  probe(): Promise<SandboxProbe> {
    return probeContained({
      find: () => this.#find(),
      identity: () => this.#identity(),
      run: (request) => this.run(request),
    });
  }

  /**
   * Start a plan network holder (see {@link PlanNetwork}), with the gate of
   * `gate.allow` when the plan has an allow-list; `SANDBOX_UNAVAILABLE` when
   * it cannot start or the gate's check fails.
   */
  async startNetwork(
    label?: string,
    gate?: NetworkGateOptions,
    processes?: CommandRequest['processes'],
  ): Promise<PlanNetwork> {
    const binary = await this.#find();
    const nsenter = findNsenter();
    if (nsenter === null)
      throw sandboxUnavailable(
        `nsenter (util-linux) is not installed; ${gate ? 'a network allow-list' : 'services'} need${gate ? 's' : ''} it to share the plan network`,
        SANDBOX_FIX,
      );
    const identity = await this.#identity();
    return startPlanNetwork({
      bwrap: binary.path,
      nsenter,
      joinUser: identity.kind === 'own',
      ...(label === undefined ? {} : { label }),
      ...(gate ? { gate } : {}),
      ...(processes ? { processes } : {}),
    });
  }

  // who commands run as; as root that needs setpriv inside the sandbox
  async #identity(): Promise<CommandIdentity> {
    const identity = await (this.#options.identity ?? commandIdentity)();
    if (identity.kind !== 'own' && this.#launcher.setpriv === null) {
      throw sandboxUnavailable(
        `troupe runs as root, and its commands run as ${identity.name} through setpriv (util-linux), which is not installed`,
        'install util-linux (apt-get install util-linux), or run troupe as an ordinary user — see docs/explanation/sandbox.md#who-a-command-is',
      );
    }
    return identity;
  }

  // found once; a failure is not kept, so installing bubblewrap mid-session helps
  #find(): Promise<BubblewrapBinary> {
    this.#binary ??= findBubblewrap(this.#options);
    this.#binary.catch(() => (this.#binary = null));
    return this.#binary;
  }
}

interface Found {
  binary: BubblewrapBinary;
  identity: CommandIdentity;
  /** The seccomp program for this machine's architecture. */
  filter: Buffer;
}

let program: Buffer | undefined;

// the seccomp program of this machine, made once; SANDBOX_UNAVAILABLE where troupe has none
function filterOfThisMachine(): Buffer {
  if (program !== undefined) return program;
  const arch = hostSeccompArch();
  if (arch === null)
    throw sandboxUnavailable(
      `troupe's system-call filter is made for x86-64 and arm64, and this machine is ${process.arch}`,
      'run troupe on x86-64 or arm64 Linux, or opt out with {"sandbox": {"mode": "off"}} in .troupe/config.json — see docs/explanation/sandbox.md#system-calls',
    );
  return (program = seccompProgram(arch));
}

// the account's home in the password database, when it is not $HOME (sudo -E, a HOME set by a tool)
function accountHome(): string | undefined {
  try {
    return userInfo().homedir || undefined;
  } catch {
    return undefined;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
