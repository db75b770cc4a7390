import type { ConflictRecord, Decision, PlanRecord, PlanSpec, SandboxInfo, TieredInvariant } from '../src/domain/index.js';
import type { Sandboxes } from '../src/sandbox/types.js';
import type { PathGuard, ToolContext, ToolResult } from '../src/tools/types.js';
import type { CommandResult, RunCommandOptions } from '../src/tools/run-command.js';
import type { ProcessLedger } from '../src/tools/process-ledger.js';

/** What apply asks of the project repository (implemented in src/sandbox/project.ts). */
export interface ProjectApplier {
  applyChanges(request: { base: string; head: string; message: string; planId: string }): Promise<
    { status: 'applied'; commit: string; alreadyApplied?: boolean } | { status: 'unchanged' }
  >;
}

/** The tool runner as actors use it. */
export interface ToolCaller {
  run(name: string, input: unknown, context: ToolContext): Promise<ToolResult>;
  /** Whether a registered tool may change the sandbox (declares `fs_write` or `exec`). */
  writes(name: string): boolean;
  check(name: string, input: unknown, options: { scopes?: string[]; pathPrefix?: string }): { code: string; path: string; message: string }[];
}

/**
 * The ports the runtime hands to actors (DESIGN §2: actors reach the store,
 * sandboxes and tools only through these).
 */
export interface ActorServices {
  readPlan(planId: string): Promise<PlanRecord>;
  readSpec(planId: string): Promise<PlanSpec>;
  /**
   * The invariants a plan reconciles, in tier order: the project's
   * (`.troupe/config.json`), the plan file's, and those inherited from its
   * parent plans (SPEC §4).
   */
  invariantsOf(planId: string): Promise<TieredInvariant[]>;
  /** A plan's open conflict records (what the `no-conflicts` check looks at). */
  openConflicts(planId: string): Promise<ConflictRecord[]>;
  /** The decision of the plan's step `index` (0-based, as decided). */
  readStep(planId: string, index: number): Promise<Decision>;
  sandboxes: Sandboxes;
  project: ProjectApplier;
  tools: ToolCaller;
  pathGuard(root: string, scopes: string[] | undefined): Promise<PathGuard>;
  /** Environment for commands the plan runs: the allowlist plus the plan's `env`. */
  commandEnv(extra: Record<string, string>): Record<string, string>;
  /** Run a shell command in its own process group (validate commands, command checks). */
  runCommand(options: RunCommandOptions): Promise<CommandResult>;
  /**
   * The plan's record of running commands: pass it to commands, and `reap`
   * before work runs again after a restore (a killed process leaves its
   * commands running). Null where plans do not outlive the process (memory store).
   */
  processes(planId: string): ProcessLedger | null;
  newId(): string;
  now(): string;
  /**
   * Sandboxes this process left clean at a commit, by plan id: a step that
   * starts from that commit needs no reset. Empty in a new process, so a
   * step re-run after a crash always resets first.
   */
  cleanSandboxes: Map<string, string>;
}

/** Absolute path of a sandbox. */
export function sandboxRoot(services: ActorServices, sandbox: SandboxInfo): string {
  return services.sandboxes.pathOf(sandbox);
}
