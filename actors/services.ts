import type {
  CommandLogKind,
  ConflictRecord,
  NetworkRefusal,
  ContextView,
  Decision,
  JournalEntry,
  MergeStrategy,
  OverlapPolicy,
  Phase,
  PlanRecord,
  PlanSpec,
  SandboxMode,
  SerializedError,
  TieredInvariant,
  TroupeError,
} from '../src/domain/index.js';
import type { ModelPort } from '../src/models/types.js';
import type { RunChildOutput } from '../machines/index.js';
import type { FileWrite, TreeFile } from '../src/merge/index.js';
import type { ApplyPreviewResult, ApplyResult } from '../src/sandbox/index.js';
import type { Sandboxes } from '../src/sandbox/types.js';
import type { PathGuard, ToolContext, ToolResult } from '../src/tools/types.js';
import type { CommandResult } from '../src/sandbox/command-sandbox.js';
import type { ProcessLedger } from '../src/sandbox/process-ledger.js';
import type { PlanNetworks } from '../src/sandbox/plan-networks.js';

/**
 * What ran a command, for its log (`troupe plan logs`): the kind of work,
 * and the step, tool or invariant it belongs to.
 */
export interface CommandLogSubject {
  kind: CommandLogKind;
  /** The step (0-based) whose tool ran it. */
  step?: number;
  tool?: string;
  /** The invariant whose check ran it. */
  invariant?: string;
}

/**
 * Runs one of a plan's commands in its sandbox; rejects only with
 * `SANDBOX_UNAVAILABLE` (the command did not start). Its stdout and
 * stderr are kept as the plan's command log, under `log`.
 */
export type PlanCommandRunner = (
  command: string,
  options?: {
    timeoutMs?: number | undefined;
    signal?: AbortSignal | undefined;
    tailBytes?: number | undefined;
    log?: CommandLogSubject | undefined;
    /** More environment for this command, over the plan's (a background service's `env`). */
    env?: Record<string, string> | undefined;
    /** Every chunk of output as it comes (a background service's log and ready line). */
    onOutput?: ((chunk: Buffer, stream: 'stdout' | 'stderr') => void) | undefined;
    /** Each connection the plan's network allow-list refused the command (docs/explanation/sandbox.md#network-by-name). */
    onDenied?: ((refusal: NetworkRefusal, attributed: boolean) => void) | undefined;
    /**
     * A background service: it outlives steps and its owner stops it, so a
     * step's reap of what a killed process left leaves it alone (the next
     * process's reap does not, when this one dies).
     */
    lasting?: boolean | undefined;
  },
) => Promise<CommandResult>;

/** What an agent's step answered: its tool calls' results, and the step's own error when it failed after them (a scope its command left). */
export interface StepResults {
  results: ToolResult[];
  error?: SerializedError;
}

/** What apply asks of the project repository (implemented in src/sandbox/project.ts). */
export interface ProjectApplier {
  /** The commit HEAD points at, or null when the current branch has no commits yet. */
  head(): Promise<string | null>;
  applyChanges(request: {
    base: string;
    head: string;
    message: string;
    planId: string;
    strategy?: MergeStrategy;
  }): Promise<ApplyResult>;
  /** What `applyChanges` would do now, changing nothing (`plan apply --dry-run`). */
  previewApply(
    request: { base: string; head: string; message: string; planId: string; strategy?: MergeStrategy },
    show?: { patch?: boolean },
  ): Promise<ApplyPreviewResult>;
}

/** What resolving a merge's conflicts needs from the repository (implemented in src/sandbox/merge-workspace.ts). */
export interface MergeFiles {
  /** The file at `path` in `commit`, or null when it has none. */
  readFile(commit: string, path: string): Promise<TreeFile | null>;
  /** Copies of conflicting files with markers for the user to edit, by file (relative to the project). */
  writeEditCopies(
    planId: string,
    files: readonly { file: string; content: Uint8Array }[],
  ): Promise<Map<string, string>>;
  removeEditCopies(planId: string): Promise<void>;
  /** A file of the project the user resolves a conflict with (`--use`): `VALIDATION_ERROR` unless it is a file inside the project. */
  readProjectFile(path: string): Promise<{ path: string; content: Uint8Array }>;
  /** The merge commit: `writes` on `onto`'s tree, kept reachable until applied. */
  commitMerge(request: {
    planId: string;
    onto: string;
    writes: readonly FileWrite[];
    parents: readonly string[];
    message: string;
  }): Promise<string>;
}

/** A conflict a merge left, with its content with markers (null when there is no file to edit). */
export interface MergerConflict {
  file: string;
  kind: ConflictRecord['kind'];
  hunks: ConflictRecord['hunks'];
  content: Uint8Array | null;
  /** For a file a side renamed: where base, ours and theirs have it. */
  paths?: ConflictRecord['paths'];
}

/** A conflict a strategy (`ours`, `theirs`) settled. */
export interface MergerResolution {
  file: string;
  kind: ConflictRecord['kind'];
  side: 'ours' | 'theirs';
  hunks: number;
}

/**
 * Three-way merges of commits written as commits (src/runtime/children/engine-merger.ts
 * `mergeCommitRound`): a round of child heads merged one after another onto
 * `ours`, stopping at the first that conflicts or fails.
 */
export interface CommitMerger {
  mergeRound(request: {
    ours: string;
    strategy: MergeStrategy;
    merges: readonly { base: string; theirs: string; message: string; subject: string }[];
  }): Promise<{
    merged: { commit: string; files: string[]; resolved: MergerResolution[] }[];
    stopped?: { index: number; conflicts: MergerConflict[]; clean: string } | { index: number; error: TroupeError };
  }>;
}

/**
 * Child plans as the supervisor's actors reach them (SPEC §8): separate root
 * actors of the runtime, found through its address book. Implemented by the
 * runtime; every method is safe to call twice.
 */
export interface ChildPlans {
  /**
   * Make the child of a spawn decision, its sandbox branched at `spawnHead` —
   * or, for a later attempt, start it over there from strategize. Does
   * nothing when that attempt already exists.
   */
  start(request: {
    parentId: string;
    decisionId: string;
    childId: string;
    attempt: number;
    spawnHead: string;
    contextView: ContextView;
  }): Promise<void>;
  /**
   * Drive the child to `(validate, complete)` (unless its automation is
   * manual: then the user drives it) and answer how the attempt ended; at
   * `deadline` it is cancelled, its processes killed, and the answer is a
   * TIMEOUT. Aborting `signal` only stops watching.
   */
  run(
    request: { childId: string; attempt: number; deadline: number | null },
    signal: AbortSignal,
  ): Promise<RunChildOutput>;
  /** Cancel children (fail-fast); those already ended are left as they are. */
  cancel(childIds: readonly string[], reason: string): Promise<void>;
  /**
   * The children's heads are in the parent's repository before a merge
   * reads them: a child that ran on a worker has its head fetched from the
   * shared remote (the children of one round in one fetch); a child that
   * ran here has it already. Safe to repeat.
   */
  fetchHeads(children: readonly { childId: string; head: string }[]): Promise<void>;
  /** The child was merged into its parent at `commit`: it ends `done`. */
  merged(childId: string, commit: string): Promise<void>;
  /**
   * Merged children's sandboxes go (SPEC §18): their worktrees and branches,
   * their commits kept by ref. Done after the merge is recorded; safe to repeat.
   */
  release(childIds: readonly string[]): Promise<void>;
  /**
   * Apply every validated child of another project under this root plan to
   * its project's current branch (one commit each, merged if that branch
   * moved on), and end each `done`. Idempotent; `DIRTY_WORKTREE` or
   * `MERGE_CONFLICT` name the project and leave it untouched.
   */
  applyProjectChildren(rootId: string): Promise<{ name: string; project: string; commit: string | null }[]>;
  /**
   * The root plan was applied: its sandbox and those of the plans under it
   * go, with every ref troupe held for them (a done plan is never rolled
   * back). Safe to repeat.
   */
  releaseApplied(rootId: string): Promise<void>;
}

/** The tool runner as actors use it. */
export interface ToolCaller {
  run(name: string, input: unknown, context: ToolContext): Promise<ToolResult>;
  /** Whether a registered tool may change the sandbox (declares `fs_write` or `exec`). */
  writes(name: string): boolean;
  /** Whether all a tool writes goes through the plan's path guard first (troupe's own file tools). */
  writesOnlyGuarded(name: string): boolean;
  check(
    name: string,
    input: unknown,
    options: { scopes?: string[]; pathPrefix?: string },
  ): { code: string; path: string; message: string }[];
  /** The tools a step may call, with their inputs as JSON Schemas (what a model is told). */
  catalog(): { name: string; description: string; inputSchema: Record<string, unknown> }[];
}

/**
 * How a port makes a store read for a plan's actor: on a store that can go
 * away (PostgreSQL), after what the plan did is stored, tried again while
 * the store is unavailable (within `store.outageTimeoutMs`); else directly.
 */
export type StoreReads = <T>(read: () => Promise<T>) => Promise<T>;

/** Takes a plan's `manual` checkpoint as it is now (SPEC §10). */
export interface CheckpointTaker {
  create(planId: string, label: string): Promise<{ id: string; label: string | null }>;
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
  /**
   * Every conflict record of a plan, resolved ones included, as of the
   * plan's latest transition (the write that stored a resolution may still
   * be on its way when an actor asks: this waits for it).
   */
  conflicts(planId: string): Promise<ConflictRecord[]>;
  /** The decision of the plan's step `index` (0-based, as decided). */
  readStep(planId: string, index: number): Promise<Decision>;
  /** Resolves once what the plan recorded so far (the transition that started the asking actor) is on disk. */
  settled?(planId: string): Promise<void>;
  sandboxes: Sandboxes;
  project: ProjectApplier;
  merges: MergeFiles;
  merger: CommitMerger;
  children: ChildPlans;
  /** Takes `manual` checkpoints for the `system/create-checkpoint` tool (provided by the runtime). */
  checkpoints: CheckpointTaker;
  /** A plan's decisions, oldest first. */
  readDecisions(planId: string): Promise<Decision[]>;
  /** The plan named `name` when it is a child plan of `parentId`, else null. */
  childNamed(parentId: string, name: string): Promise<PlanRecord | null>;
  /** One decision of a plan, by id (NOT_FOUND when it has none). */
  readDecision(planId: string, decisionId: string): Promise<Decision>;
  tools: ToolCaller;
  pathGuard(root: string, scopes: string[] | undefined): Promise<PathGuard>;
  /** Environment for commands the plan runs: the allowlist plus the plan's `env`. */
  commandEnv(extra: Record<string, string>): Record<string, string>;
  /**
   * How the plan runs commands (shell/run, validate commands, command
   * checks, custom tools): through the CommandSandbox port, in `worktree`,
   * with the plan's environment and network policy (SPEC §15). Nothing else
   * starts a plan's processes. The runner's own store reads (the plan
   * file, the registered projects) go through `reads`: the runtime passes
   * one that waits out an outage of the store.
   */
  commandRunner(
    planId: string,
    worktree: string,
    options?: { readOnly?: boolean; reads?: StoreReads },
  ): Promise<PlanCommandRunner>;
  /**
   * Remove every set-user-ID and set-group-ID bit in `worktree` and name
   * the files (relative paths), before a step that ran commands (or keeps
   * what a service wrote) is committed: contained commands are refused
   * such a bit by their filter, and this is the wall behind it
   * (docs/explanation/sandbox.md#who-a-command-is). Nothing where commands run unconfined.
   */
  clearSetIdBits(worktree: string): Promise<string[]>;
  /**
   * The project's checkout as commands see it: its real path (a plan's
   * worktree is shown there, docs/explanation/sandbox.md#the-projects-own-paths) and the
   * files git ignores in it, which a worktree lacks — for the hint that
   * names a generated file a failed command missed (docs/explanation/sandbox.md#generated-files).
   */
  checkoutIgnored(): Promise<{ root: string; files: string[] }>;
  /**
   * How the plan's commands are contained: `mode` from `.troupe/config.json`
   * and whether they may use the host's network (`network`) or only the
   * hosts of an allow-list (`allow`, docs/explanation/sandbox.md#network-by-name), with
   * where that came from (the plan file, inherited by children, or the
   * project's config), and the untracked paths of the project bound into
   * every worktree (`sandbox.share`).
   */
  sandboxPolicy(planId: string): Promise<{
    mode: SandboxMode;
    network: boolean;
    allow: readonly string[] | null;
    networkFrom: 'plan' | 'project' | null;
    share: readonly string[];
  }>;
  /**
   * The plan's record of running commands: pass it to commands, and `reap`
   * before work runs again after a restore (a killed process leaves its
   * commands running). Null where plans do not outlive the process (memory store).
   */
  processes(planId: string): ProcessLedger | null;
  /**
   * The plans' shared networks (docs/explanation/sandbox.md#services-and-the-plan-network):
   * a plan that runs services has one, and every contained command of the
   * plan without `network: true` joins it.
   */
  networks: PlanNetworks;
  /** What a group of subplans does about overlapping scopes when its step does not say (`overlap` in `.troupe/config.json`); absent: `warn`. */
  overlapDefault?: OverlapPolicy;
  newId(): string;
  now(): string;
  /** The plans' models: one call of a plan's model, retried with backoff, then `MODEL_UNAVAILABLE`. */
  models: ModelPort;
  /** Where a plan's model text goes as it comes (`model.text` stream events), or null when nobody follows the plan live. */
  liveText?(planId: string, phase: Phase): ((delta: string) => void) | null;
  /**
   * Record decisions and journal entries of a live plan now, with its next
   * write, whatever its actor answers later: a strategist's model calls are
   * recorded even when strategize fails (they were paid for).
   */
  record?(planId: string, recorded: { decisions?: Decision[]; entries?: JournalEntry[] }): void;
  /**
   * What the tool calls of an agent's step answered, for the agent waiting
   * on it (SPEC §16): the runtime puts a key (`<planId>#<index>`, value
   * null) before the step runs and takes the results after; the executor
   * fills only keys someone waits on.
   */
  stepResults: Map<string, StepResults | null>;
  /**
   * Sandboxes this process left clean at a commit, by plan id: a step that
   * starts from that commit needs no reset. Empty in a new process, so a
   * step re-run after a crash always resets first.
   */
  cleanSandboxes: Map<string, string>;
}
