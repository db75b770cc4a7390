import type { CommandResult, NetworkRefusal, ResourceLimits } from '../domain/index.js';
import type { CommandIdentity } from './command-identity.js';
import type { NetworkGateOptions } from './network-gate.js';
import type { PlanNetwork } from './plan-network.js';
import type { ProcessLedger } from './process-ledger.js';

// what the port answers: in src/domain, as tools hand it on too (ToolContext.runCommand)
export type { CommandResult } from '../domain/index.js';

/**
 * One command a plan runs: what, where, and what it may reach.
 *
 * @example
 * const request: CommandRequest = { command: 'npm test', worktree: '/repo/.troupe/worktrees/01J…', env: { PATH: '/usr/bin:/bin' }, network: false, timeoutMs: 120_000 };
 * const result = await sandbox.run(request);
 */
export interface CommandRequest {
  /** Shell text, run as `sh -c command`. */
  command: string;
  /**
   * The plan's worktree (absolute): the command's working directory and,
   * with a private `/tmp`, the only place it may write.
   */
  worktree: string;
  /** The whole environment of the command (the allowlist plus the plan's `env`), never troupe's own. */
  env: Record<string, string>;
  /** Whether the command may use the network (the plan's or the project's `network: true`). */
  network: boolean;
  /** The worktree is read-only too (strategize: the phase may only read). */
  readOnly?: boolean;
  /**
   * Other working trees to hide, besides the project's own: the other git
   * repositories registered with the project (`troupe project add`), whose
   * untracked files a plan must not read either. Absolute paths.
   */
  otherProjects?: readonly string[];
  /** Kill the command after this many milliseconds; no limit when omitted. */
  timeoutMs?: number | undefined;
  /** Kill the command when this aborts (plan cancelled, step abandoned). */
  signal?: AbortSignal | undefined;
  /** How many bytes of the end of stdout and of stderr to keep (default 4096). */
  tailBytes?: number | undefined;
  /** Capture stdout and stderr up to this many bytes each in `result.output` (none when omitted or 0). */
  outputBytes?: number | undefined;
  /** Time between SIGTERM and SIGKILL when the command is stopped (default 2000 ms). */
  killGraceMs?: number | undefined;
  /**
   * Where the command is recorded while it runs, so a later process can
   * kill what it left if this one dies: an unconfined command's group, or
   * a bubblewrap that was still setting its sandbox up (which otherwise
   * waits for ever; a running sandbox dies with troupe).
   */
  processes?:
    (Pick<ProcessLedger, 'prepare' | 'started' | 'release'> & Partial<Pick<ProcessLedger, 'joined'>>) | undefined;
  /**
   * What the command may use at most: the plan's and the project's
   * `sandbox.limits` (default: DEFAULT_RESOURCE_LIMITS). Contained commands
   * only; `"sandbox": {"mode": "off"}` limits nothing.
   */
  limits?: ResourceLimits | undefined;
  /**
   * The plan's shared network (a plan running services): a command without
   * `network` joins it instead of a network namespace of its own, so it
   * reaches the plan's services on 127.0.0.1 (docs/explanation/sandbox.md#services-and-the-plan-network).
   */
  planNetwork?: PlanNetwork | undefined;
  /**
   * Called with each connection troupe's proxy refused the command, when
   * its plan network has an allow-list (`attributed` false: the request did
   * not name the command, which was the plan's only or first running one).
   */
  onDenied?: ((refusal: NetworkRefusal, attributed: boolean) => void) | undefined;
  /** Called with every chunk the command writes, as it writes it (a service's log and ready line, the last line of a running step); its failures are ignored. */
  onOutput?: ((chunk: Buffer, stream: 'stdout' | 'stderr') => void) | undefined;
}

/**
 * What {@link CommandSandbox.probe} found: whether contained commands can start here, and why not.
 *
 * @example
 * const probe: SandboxProbe = await sandbox.probe();
 * if (!probe.ok) console.error(`${probe.detail}\nfix: ${probe.fix}`);
 */
export interface SandboxProbe {
  ok: boolean;
  /** What was checked, or what is wrong, in one line. */
  detail: string;
  /** How to fix it, when it is not ok. */
  fix?: string;
  /** What the contained probe's own process was, as the kernel said (`/proc/self/status`). */
  inside?: ProcessStatus;
  /** Who contained commands run as. */
  identity?: CommandIdentity;
}

/** What the kernel says a process may do (`/proc/<pid>/status`). */
export interface ProcessStatus {
  /** Real, effective, saved and file-system user ids. */
  uids: number[];
  gids: number[];
  /** The effective and the bounding capability sets, in hex. */
  capEff: string;
  capBnd: string;
  noNewPrivs: boolean;
  /** 0: none, 2: a filter is in force (-1: not said). */
  seccomp: number;
  seccompFilters: number;
}

/**
 * The port every process troupe starts for a plan goes through (SPEC §15,
 * DESIGN §11): `shell/run`, validate commands, `command` invariant checks
 * and custom tools' `context.runCommand`. Nothing else spawns plan
 * commands.
 *
 * ```
 * actor ──CommandRequest──► CommandSandbox ──bwrap … sh -c──► command
 *       ◄──CommandResult───                (or sh -c, unconfined)
 * ```
 *
 * `run` never rejects for what the command did (a non-zero exit, a
 * timeout, a cancel are results); it rejects with `SANDBOX_UNAVAILABLE`
 * when the sandbox cannot start, and the command does not run.
 *
 * @example
 * const sandbox: CommandSandbox = createCommandSandbox({ mode: 'contained', projectRoot });
 * const result = await sandbox.run({ command: 'npm test', worktree, env: commandEnv(), network: false, timeoutMs: 60_000 });
 */
export interface CommandSandbox {
  /** `bubblewrap`: contained by the operating system; `unconfined`: `"sandbox": {"mode": "off"}`. */
  readonly kind: 'bubblewrap' | 'unconfined';
  /** Run one command; see the interface for what rejects. */
  run(request: CommandRequest): Promise<CommandResult>;
  /** Whether a contained command can start here, found by running `true` in the sandbox. */
  probe(): Promise<SandboxProbe>;
  /**
   * Start a network of a plan's own for its commands and services to share
   * ({@link PlanNetwork}), its only way out troupe's proxy when `gate` gives
   * an allow-list; null where commands are not contained (they share the
   * host's network, as they always did; so do sandboxes without this method).
   * With `processes`, its holder is recorded there while it lives, as a
   * command is (see {@link CommandRequest.processes}).
   */
  startNetwork?(
    label?: string,
    gate?: NetworkGateOptions,
    processes?: CommandRequest['processes'],
  ): Promise<PlanNetwork | null>;
  /**
   * Remove the set-user-ID and set-group-ID bits in `worktree`, naming the
   * files (a step's commit asks first). Absent where commands are not
   * contained.
   */
  clearSetIdBits?(worktree: string): Promise<string[]>;
}
