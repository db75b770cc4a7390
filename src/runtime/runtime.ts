import type { ConflictKind, FileChange, Phase, PlanLog, PlanRecord, PlanStatus, SerializedError, SubplanStatus } from '../domain/index.js';
import type { PlanMethods, RunOptions, PhaseOptions } from './plans/index.js';
import type { ProjectMethods } from './project/index.js';
import type { ChildPlanMethods, ConflictView } from './children/index.js';
import type { CheckpointMethods } from './checkpoints/index.js';
import type { EventMethods } from './events/index.js';
export type { RunOptions, PhaseOptions, DecisionTree, PlanPatch } from './plans/index.js';
export type { InitResult } from './project/index.js';
export type { PlanTree, ConflictView, ConflictList, ResolveChoice, ResolveResult } from './children/index.js';
export type { RollbackPreview, RollbackResult, CorrectionRequest, CorrectionResult } from './checkpoints/index.js';

/**
 * What `plan apply` would do now (`plan apply --dry-run`, SPEC §18), with
 * nothing changed: `commit` — the files of the commit it would make onto
 * `onto` (the project's HEAD), merged when the project moved on since the
 * sandbox's base, and its diff when asked; `unchanged` — nothing to apply;
 * `applied` — the plan's commit is on the branch already; `conflict` — the
 * files apply would stop on for `troupe plan resolve`; `refused` — what
 * apply would fail with (`DIRTY_WORKTREE`, or `MERGE_CONFLICT` under
 * `fail-on-conflict`). A plan apply does not take at all is refused with
 * `PHASE_GUARD`, as apply itself would be.
 *
 * @example
 * const preview = await runtime.previewApply('demo/x', { patch: true });
 * if (preview.outcome === 'commit') for (const file of preview.files) console.log(file.action, file.path);
 */
export interface ApplyPreview {
  planId: string;
  name: string;
  outcome: 'commit' | 'unchanged' | 'applied' | 'conflict' | 'refused';
  /** The project commit apply would commit onto; null when it would make no commit. */
  onto: string | null;
  /** The project moved on since the sandbox's base: apply merges. */
  merged: boolean;
  /** The files the commit would change, against `onto`. */
  files: FileChange[];
  /** Conflicts `--strategy ours|theirs` would settle. */
  settled: { file: string; kind: ConflictKind; with: 'ours' | 'theirs'; hunks: number }[];
  /** For `conflict`: the files apply would wait on, with their number of hunks. */
  conflicts: { file: string; kind: ConflictKind; hunks: number }[];
  /** For `applied`: the commit already on the branch. */
  commit: string | null;
  /** For `refused`: the error apply would fail with. */
  error: SerializedError | null;
  /** With `patch: true` and a commit to make: its unified diff, at most `maxBytes`. */
  patch?: string;
  truncated?: boolean;
}

/**
 * Which of a plan's command logs to read (`runtime.logs`).
 *
 * @example
 * const options: LogOptions = { step: 1 }; // the second step's commands, and the checks after it
 * const logs = await runtime.logs('demo/x', options);
 */
export interface LogOptions {
  /** Only the commands of this step (0-based) and of the invariant checks after it; `NOT_FOUND` when the plan has no such step. */
  step?: number;
  /** Only the commands run in this phase (strategize, execute and validate run commands). */
  phase?: Phase;
  /** Only logs after this seq (to follow a plan: the last seq seen). */
  afterSeq?: number;
  /** At most this many. */
  limit?: number;
}

/**
 * One tool call on an agent-driven plan (SPEC §16): a registered tool and
 * its input, with the caller's reason, recorded in the plan's decisions.
 *
 * @example
 * const call: ToolCallRequest = { tool: 'fs/write-file', input: { path: 'src/a.ts', content: 'export {};\n' }, rationale: 'start the module' };
 * const result = await runtime.callTool('demo/agent', call);
 */
export interface ToolCallRequest {
  tool: string;
  input: unknown;
  /** Why the caller makes it: the rationale of the step (or read) decision. */
  rationale?: string;
  /** Who calls, the decision's actor (default `agent`): an MCP client's name, say. */
  actor?: string;
}

/**
 * How a tool call on an agent-driven plan went (SPEC §16). `ok: false`
 * carries a troupe error about the call itself — a path outside the
 * sandbox or the scopes, bad input, a sandbox that cannot start — which
 * changed nothing and left the plan open. A command that exits non-zero is
 * `ok: true` with its exit code in `output` (`shell/exec`).
 *
 * @example
 * const result: ToolCallResult = await runtime.callTool('demo/agent', { tool: 'shell/exec', input: { command: 'npm test' } });
 * if (result.ok) console.log((result.output as { exitCode: number }).exitCode, 'in step', result.step, 'commit', result.commit);
 * else console.log(result.error.code, result.error.message);
 */
export type ToolCallResult =
  | {
      ok: true;
      planId: string;
      tool: string;
      output: unknown;
      /** The step it became (0-based), or null for a read, which is recorded but is no step. */
      step: number | null;
      /** The sandbox's head after it: a new step commit when it wrote, else the commit it stood on. */
      commit: string | null;
      /** Whether it changed the sandbox (a step commit was made). */
      wrote: boolean;
      /** The plan after the call: still open, or failed when an invariant broke after the step (`error` says which). */
      plan: PlanRecord;
    }
  | { ok: false; planId: string; tool: string; error: SerializedError; step: number | null; plan: PlanRecord };

/**
 * Child plans an agent spawns on its open plan (SPEC §16): agent-driven
 * children another agent session works on by id, merged back into the
 * parent when each is finished.
 *
 * @example
 * const request: SubplanSpawnRequest = { children: [{ goal: 'Write the parser', resourceScopes: ['src/parser/**'] }, { goal: 'Write the docs', resourceScopes: ['docs/**'] }], maxParallel: 2 };
 * const { children } = await runtime.spawnSubplans('demo/agent', request);
 */
export interface SubplanSpawnRequest {
  children: { name?: string; goal: string; resourceScopes?: string[] }[];
  /** How many run at once (default 4). */
  maxParallel?: number;
  rationale?: string;
  actor?: string;
}

/**
 * The children spawned, as they stand (the first `maxParallel` started and open for their agents, the rest pending).
 *
 * @example
 * const result: SubplanSpawnResult = await runtime.spawnSubplans('demo/agent', request);
 * for (const child of result.children) console.log(child.id, child.name, child.status);
 */
export interface SubplanSpawnResult {
  planId: string;
  /** The group's step (0-based) in the parent. */
  step: number;
  children: { id: string; name: string; goal: string; status: SubplanStatus['status'] }[];
}

/**
 * Where a parent stands once its group of children ended (`subplan_wait`):
 * merged and open again, waiting on conflicts, or failed.
 *
 * @example
 * const result: SubplanWaitResult = await runtime.waitSubplans('demo/agent');
 * if (result.conflicts.length > 0) console.log('resolve', result.conflicts.map((c) => c.file));
 */
export interface SubplanWaitResult {
  /** Whether the group ended; false when the wait timed out first. */
  done: boolean;
  plan: PlanRecord;
  children: { id: string; name: string; status: SubplanStatus['status']; attempt: number }[];
  conflicts: ConflictView[];
}

/**
 * What `gc` frees (`troupe gc`, SPEC §18).
 *
 * @example
 * const options: GcOptions = { olderThanMs: 7 * 24 * 3600 * 1000, dryRun: true };
 * const report = await runtime.gc(options);
 */
export interface GcOptions {
  /** Only plans that ended at least this long ago (by their last update); every ended plan when absent. */
  olderThanMs?: number;
  /** Say what would be freed, change nothing. */
  dryRun?: boolean;
}

/**
 * What `gc` freed (or would free, with `dryRun`): worktree folders, troupe
 * branches, the plans they were of, and the bytes of the folders.
 *
 * @example
 * const { worktrees, branches, plans, bytes } = await runtime.gc();
 * console.log(`${worktrees} worktrees, ${branches} branches of ${plans} plans, ${bytes} bytes`);
 */
export interface GcReport {
  dryRun: boolean;
  worktrees: number;
  branches: number;
  /** Ended plans whose sandbox went (folders and branches no plan owns are counted in worktrees and branches only). */
  plans: number;
  bytes: number;
  /** Each thing freed: a plan's sandbox (its id and name), or a folder or branch no plan owns (null id). */
  freed: { planId: string | null; name: string | null; worktree: string | null; branch: string | null }[];
}

/**
 * What deleting a plan removes: the plan and its children, each with its
 * checkpoints; the ones that have not ended are cancelled first.
 *
 * @example
 * const preview: DeletePreview = await runtime.previewDelete('demo/x');
 * console.log(preview.plans.map((plan) => plan.name), preview.cancels);
 */
export interface DeletePreview {
  planId: string;
  name: string;
  plans: { id: string; name: string; phase: Phase; status: PlanStatus; checkpoints: number }[];
  /** Names of the plans that have not ended and are cancelled first. */
  cancels: string[];
}

/**
 * A plan deleted for good: the preview, and the ids deleted.
 *
 * @example
 * const result: DeleteResult = await runtime.deletePlan('demo/x');
 * console.log(`${result.deleted.length} plan(s) deleted`);
 */
export interface DeleteResult extends DeletePreview {
  deleted: string[];
}

/**
 * The Runtime interface (SPEC §14, DESIGN §7): the same API whether the
 * plans run in this process or in the process that owns the store, reached
 * over the project's host socket (hostSocketPath). The CLI and the UI only use this.
 *
 * Anywhere a method takes `ref`, it accepts a plan id, its full name, or a
 * unique id prefix of at least 6 characters.
 *
 * @example
 * const runtime: Runtime = await createRuntime({ dir: '/path/to/repo', store: 'memory' });
 * const plan = await runtime.createPlan({ name: 'demo/x', goal: 'Say hello' });
 * const stop = runtime.subscribe(plan.id, (event) => console.log(event.type));
 * await runtime.run(plan.id);
 * stop();
 * await runtime.close();
 */
export interface Runtime extends PlanMethods, ProjectMethods, ChildPlanMethods, CheckpointMethods, EventMethods {
  /** The project root (absolute). */
  readonly dir: string;
  /**
   * One tool call on an agent-driven plan open for steps (SPEC §16): a tool
   * that writes (or runs commands) becomes a step — its decision, the call,
   * a step commit when it wrote, a checkpoint, reconciliation — and a read is
   * recorded as a `tool_call` decision. Calls on one plan run one at a
   * time. A call troupe refuses — bad input, a path outside the sandbox or
   * the scopes, a plan not open for steps just now (its children run, it was
   * finished: `PHASE_GUARD`) — is `ok: false`, recorded as a refused
   * `tool_call`, and changes nothing else. Rejects (and records nothing)
   * when the call cannot be addressed to an agent-driven plan: a malformed
   * request, `NOT_FOUND`, or `PHASE_GUARD` for a plan that is not
   * agent-driven, has not strategized, or has ended.
   */
  callTool(ref: string, call: ToolCallRequest): Promise<ToolCallResult>;
  /** End an agent-driven plan's execute and drive it on as `run` would (its automation, or `until`); resolves where it stops. */
  finish(ref: string, options?: RunOptions): Promise<PlanRecord>;
  /** Spawn agent-driven child plans as the open plan's next step; resolves once the first ones are open for their agents. */
  spawnSubplans(ref: string, request: SubplanSpawnRequest): Promise<SubplanSpawnResult>;
  /**
   * Wait until the plan's running group of children ended — merged (the plan
   * is open again), waiting on conflicts, or failed — or `timeoutMs` passed
   * (`done: false`: the children as they stand; wait again).
   */
  waitSubplans(ref: string, options?: { timeoutMs?: number }): Promise<SubplanWaitResult>;
  /**
   * Free the sandboxes of ended plans (SPEC §18): worktrees and branches go,
   * the commits their checkpoints point at are kept; folders and troupe
   * branches no plan owns go too. Never touches a plan that has not ended.
   */
  gc(options?: GcOptions): Promise<GcReport>;
  /** What `deletePlan` would remove, changing nothing; `PHASE_GUARD` for a child of a plan that has not ended. */
  previewDelete(ref: string): Promise<DeletePreview>;
  /**
   * Delete a plan and its children for good — sandboxes, branches, kept
   * commits, checkpoints, decisions, journal, name (SPEC §18). A plan that
   * has not ended is cancelled first. The API never asks: confirm with
   * `previewDelete` first.
   */
  deletePlan(ref: string): Promise<DeleteResult>;
  /** What `plan apply` would do now, changing nothing (`--strategy` as apply's; `patch` adds the diff, at most `maxBytes`). */
  previewApply(ref: string, options?: PhaseOptions & { patch?: boolean; maxBytes?: number }): Promise<ApplyPreview>;
  /**
   * The stdout and stderr of the commands the plan ran (steps, validate,
   * invariant checks, strategize tools, agent reads), oldest first, each
   * stream up to 1 MiB (past it, the end, with what was cut); those of work
   * a rollback discarded are kept and marked (`discardedBy`).
   */
  logs(ref: string, options?: LogOptions): Promise<PlanLog[]>;
  /** Stop the runtime: pending writes land, actors stop (a running step is resumed next time), the store closes. */
  close(): Promise<void>;
}
