import { TroupeError, type ResourceLimitName, type ResourceLimits } from '../domain/index.js';
import { detectCgroups, type CgroupSources, type CgroupSupport } from './cgroups.js';
import { CommandCgroup } from './command-cgroup.js';
import type { CommandResult } from './command-sandbox.js';

/**
 * How this machine holds a contained command to its limits
 * (docs/explanation/sandbox.md#resource-limits): memory and processes by cgroups where
 * troupe may make them, else memory by `ulimit -v` and processes not at
 * all; the size of a file always by `ulimit -f`.
 */
export interface LimitEnforcement {
  mechanism: 'cgroup v2' | 'cgroup v1' | 'rlimits';
  memory: 'cgroup' | 'rlimit';
  processes: 'cgroup' | 'none';
  /** Why cgroups are not used, or not for everything; null when they are. */
  why: string | null;
}

/** `auto` (the default): cgroups where the machine allows, else rlimits; `rlimits`: never cgroups. */
export type EnforcementChoice = 'auto' | 'rlimits';

/** Options of a {@link ResourceLimiter}. */
export interface ResourceLimiterOptions {
  enforcement?: EnforcementChoice | undefined;
  /** Where to read this process's cgroups from (default `/proc/self/…`). */
  cgroups?: CgroupSources | undefined;
}

/**
 * What `troupe doctor` says about limits.
 *
 * @example
 * describeEnforcement({ mechanism: 'rlimits', memory: 'rlimit', processes: 'none', why: null });
 * // 'rlimits only (file size, memory; processes not bound)'
 */
export function describeEnforcement(enforcement: LimitEnforcement): string {
  if (enforcement.mechanism === 'rlimits') return 'rlimits only (file size, memory; processes not bound)';
  const controllers = [
    enforcement.memory === 'cgroup' ? 'memory' : null,
    enforcement.processes === 'cgroup' ? 'pids' : null,
  ].filter((name) => name !== null);
  const rest = enforcement.memory === 'cgroup' ? 'file size' : 'file size, memory';
  return `${enforcement.mechanism} (${controllers.join(', ')}); rlimits (${rest})${enforcement.processes === 'none' ? '; processes not bound' : ''}`;
}

// found once per process: it makes troupe's own directories in the cgroup tree
let detected: Promise<CgroupSupport> | null = null;

/**
 * Holds contained commands to their {@link ResourceLimits}: finds how this
 * machine enforces them, and makes each command's {@link CommandLimits}.
 *
 * @example
 * const limiter = new ResourceLimiter();
 * console.log(describeEnforcement(await limiter.enforcement()));
 */
export class ResourceLimiter {
  readonly #options: ResourceLimiterOptions;
  #support: Promise<CgroupSupport> | null = null;

  constructor(options: ResourceLimiterOptions = {}) {
    this.#options = options;
  }

  /** How limits are enforced here. */
  async enforcement(): Promise<LimitEnforcement> {
    const support = await this.#cgroups();
    if (support.version === null)
      return { mechanism: 'rlimits', memory: 'rlimit', processes: 'none', why: support.why };
    return {
      mechanism: support.version === 'v2' ? 'cgroup v2' : 'cgroup v1',
      memory: support.memory === null ? 'rlimit' : 'cgroup',
      processes: support.pids === null ? 'none' : 'cgroup',
      why: support.why,
    };
  }

  /**
   * The limits of one command about to start: its cgroups made (rejects
   * with `SANDBOX_UNAVAILABLE` when they cannot be, and nothing runs).
   */
  async start(limits: ResourceLimits): Promise<CommandLimits> {
    const support = await this.#cgroups();
    if (support.version === null) return new CommandLimits(limits, null);
    try {
      return new CommandLimits(limits, await CommandCgroup.create(support, limits));
    } catch (error) {
      // found again for the next command: whatever changed may have changed back
      if (this.#options.enforcement !== 'rlimits' && this.#options.cgroups === undefined) detected = null;
      this.#support = null;
      throw unavailable(`its control groups could not be made (${messageOf(error)})`);
    }
  }

  #cgroups(): Promise<CgroupSupport> {
    if (this.#options.enforcement === 'rlimits')
      return Promise.resolve({ version: null, memory: null, pids: null, why: 'rlimits chosen' });
    if (this.#options.cgroups !== undefined) return (this.#support ??= detectCgroups(this.#options.cgroups));
    return (detected ??= detectCgroups());
  }
}

// removals of ended commands' cgroups still under way
const removing = new Set<Promise<void>>();

/**
 * Wait until the cgroups of every command that ended are removed (they go
 * after its result: see {@link CommandLimits.finish}); for tests and a
 * clean shutdown.
 *
 * @example
 * await cgroupsRemoved();
 */
export async function cgroupsRemoved(): Promise<void> {
  while (removing.size > 0) await Promise.all([...removing]);
}

/** How often a running command's cgroups are read for a limit hit. */
const WATCH_MS = 100;

/**
 * One command's limits while it runs: the rlimits its inner shell sets,
 * the size of its private tmpfs mounts, its cgroups (if any) — watched
 * while it runs, so a command that hits a limit is stopped at once, whole —
 * and, once it ended, which limit it hit.
 *
 * @example
 * const limits = await limiter.start({ processes: 64, memoryMB: 512, fileSizeMB: 100 });
 * const done = await spawnCommand({ ...request, gate: true, beforeGo: limits.beforeGo });
 * const result = await limits.finish(done); // result.limit: 'processes' after a fork bomb
 */
export class CommandLimits {
  readonly limits: ResourceLimits;
  /** The rlimits the sandbox's closer sets (launchArguments): file size in 512-byte blocks, address space in KB ('' = not set). */
  readonly shellArgs: [string, string];
  /** The size of the sandbox's `/tmp` and `/dev/shm`: the memory limit (in cgroups what they hold counts towards it too). */
  readonly tmpfsBytes: number;
  readonly #group: CommandCgroup | null;
  #timer: NodeJS.Timeout | null = null;
  #hit: 'memory' | 'processes' | null = null;
  #reading = false;

  constructor(limits: ResourceLimits, group: CommandCgroup | null) {
    this.limits = limits;
    this.#group = group;
    const byRlimit = group === null || !group.enforces.memory;
    this.shellArgs = [String(limits.fileSizeMB * 2048), byRlimit ? String(limits.memoryMB * 1024) : ''];
    this.tmpfsBytes = limits.memoryMB * 1024 * 1024;
  }

  /** For spawnCommand's `beforeGo`: put the sandbox in the cgroups, then watch them. */
  readonly beforeGo = async (childPid: number): Promise<void> => {
    if (this.#group === null) return;
    try {
      await this.#group.attach(childPid);
    } catch (error) {
      throw unavailable(`it could not be put in its control groups (${messageOf(error)})`);
    }
    this.#timer = setInterval(() => void this.#check(), WATCH_MS);
    this.#timer.unref();
  };

  /**
   * The command ended: kill what is left in its cgroups, remove them, and
   * say which limit it hit — memory or processes by the kernel's counts,
   * file size by the SIGXFSZ it died of.
   */
  async finish(result: CommandResult): Promise<CommandResult> {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#group !== null) {
      this.#hit ??= await this.#group.hit();
      // the sandbox's PID namespace took its processes down with it: what is
      // left to do — kill a straggler still dying, remove the groups once the
      // kernel lets go of them — need not hold the command's result up
      const removal = this.#group.remove();
      removing.add(removal);
      void removal.finally(() => removing.delete(removal));
    }
    const limit: ResourceLimitName | null =
      this.#hit ?? (result.signal === 'SIGXFSZ' || result.exitCode === 128 + 25 ? 'file size' : null);
    if (limit === null) return result;
    const value =
      limit === 'memory'
        ? this.limits.memoryMB
        : limit === 'processes'
          ? this.limits.processes
          : this.limits.fileSizeMB;
    return { ...result, limit, limitValue: value };
  }

  /** Forget the cgroups of a command that never started. */
  async abandon(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#group?.remove();
  }

  // a fork bomb would go on forking at the limit, a test runner might retry a
  // worker the OOM killer took: a hit stops the whole command
  async #check(): Promise<void> {
    if (this.#reading || this.#hit !== null || this.#group === null) return;
    this.#reading = true;
    try {
      this.#hit = await this.#group.hit();
      if (this.#hit !== null) await this.#group.kill();
    } finally {
      this.#reading = false;
    }
  }
}

function unavailable(why: string): TroupeError {
  return new TroupeError('SANDBOX_UNAVAILABLE', `the command cannot be held to its resource limits: ${why}`, {
    hint: 'troupe doctor says how limits are enforced on this machine; run the plan again — see docs/explanation/sandbox.md#resource-limits',
    details: { reason: why },
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
