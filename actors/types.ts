import type { Decision, DecisionType, PlanRecord, PlanSpec, Step, StepPayload, TieredInvariant } from '../src/domain/index.js';
import type { ActorFailure } from '../machines/index.js';
import type { ToolResult } from '../src/tools/types.js';

/** Calls a tool through the ToolRunner with the plan's sandbox, phase and scopes already bound. */
export type CallTool = (name: string, input: unknown) => Promise<ToolResult>;

/** A decision a strategist asks to record, beyond the strategy root and steps the runtime records. */
export interface DecisionRequest {
  type: DecisionType;
  title: string;
  rationale?: string;
  payload?: Record<string, unknown>;
  /** Defaults to the strategy root. */
  parentId?: string;
}

/** What a strategist is given. */
export interface StrategistInput {
  plan: PlanRecord;
  spec: PlanSpec;
  /**
   * Every invariant the runtime will reconcile, in tier order (project,
   * plan, parent). Record an `invariant_enforcement` decision for each one
   * the strategy respects.
   */
  invariants: TieredInvariant[];
  /** False when the plan file turned reconciliation off: the runtime checks nothing. */
  reconciliation: boolean;
  /**
   * For a child plan, what it may know of its parent (its spawn entry's
   * `contextView`, SPEC §8): `full` — the parent's goal, every active
   * decision and the files at the spawn point; `skeleton` — the goal, the
   * decisions' titles, and the files within the child's scopes; `none` —
   * nothing (undefined here). Undefined for a root plan.
   */
  parent?: ParentView;
}

/** What a child plan's strategist is told about its parent. */
export interface ParentView {
  view: 'full' | 'skeleton';
  name: string;
  goal: string;
  decisions: { type: string; title: string; rationale?: string; payload?: Record<string, unknown> }[];
  /** Files of the parent's sandbox at the spawn point (`skeleton`: only those in the child's scopes). */
  files: string[];
}

/** What a strategist may use: read-only tools, a decision recorder, the sandbox path, a cancel signal. */
export interface StrategistContext {
  /** Absolute path of the plan's sandbox (read it through `callTool`: the runtime checks strategize stays read-only). */
  sandboxRoot: string;
  /** Tools run in phase `strategize`: write tools answer `READ_ONLY_PHASE`. */
  callTool: CallTool;
  /** Record a decision under the strategy root (or `parentId`); returns it with its id. */
  decide(request: DecisionRequest): Decision;
  signal: AbortSignal;
}

/** A strategist's answer: the steps to execute, in order, and why. */
export interface StrategistResult {
  steps: Step[];
  rationale?: string;
}

/**
 * Decides what a plan will do (SPEC §6). The runtime records the `strategy`
 * root and one `step` decision per returned step, validates the steps, and
 * fails strategize with `READ_ONLY_PHASE` if the sandbox changed.
 *
 * @example
 * const strategist: Strategist = {
 *   name: 'hello',
 *   async strategize({ spec }) {
 *     return { steps: [{ title: 'Say hello', tool: 'fs/write-file', input: { path: 'HELLO', content: spec.goal } }] };
 *   },
 * };
 */
export interface Strategist {
  readonly name: string;
  strategize(input: StrategistInput, context: StrategistContext): Promise<StrategistResult>;
}

/** One step to execute, as decided. */
export interface ExecutorInput {
  plan: PlanRecord;
  spec: PlanSpec;
  index: number;
  title: string;
  step: StepPayload;
}

/** What an executor may use: tools in phase `execute` bound to the sandbox and scopes. */
export interface ExecutorContext {
  sandboxRoot: string;
  callTool: CallTool;
  signal: AbortSignal;
}

/** An executor's answer; failures are data. */
export type ExecutorResult = { ok: true } | { ok: false; error: ActorFailure };

/**
 * Does one decided step in the sandbox. The runtime resets the sandbox to
 * the last step commit before, and checks scopes, commits and records the
 * changeset after — an executor only does the work.
 *
 * @example
 * const executor: Executor = {
 *   name: 'echo',
 *   async executeStep({ step }, { callTool }) {
 *     const result = await callTool(step.tool!, step.input);
 *     return result.success ? { ok: true } : { ok: false, error: result.error };
 *   },
 * };
 */
export interface Executor {
  readonly name: string;
  executeStep(input: ExecutorInput, context: ExecutorContext): Promise<ExecutorResult>;
}
