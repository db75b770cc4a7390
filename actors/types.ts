import type {
  Decision,
  DecisionType,
  FieldIssue,
  ModelRequest,
  ModelToolSpec,
  ModelTurn,
  PlanRecord,
  PlanSpec,
  Step,
  StepPayload,
  TieredInvariant,
} from '../src/domain/index.js';
import type { ActorFailure } from '../machines/index.js';
import type { ToolResult } from '../src/tools/types.js';

/**
 * Calls a tool through the ToolRunner with the plan's sandbox, phase and scopes already bound.
 *
 * @example
 * async executeStep({ step }, { callTool }: { callTool: CallTool }) {
 *   const result = await callTool('fs/read-file', { path: 'package.json' });
 *   return result.success ? { ok: true } : { ok: false, error: result.error };
 * },
 */
export type CallTool = (name: string, input: unknown) => Promise<ToolResult>;

/**
 * A decision a strategist asks to record, beyond the strategy root and steps the runtime records.
 *
 * @example
 * const request: DecisionRequest = { type: 'invariant_enforcement', title: 'Respect tests (plan)', payload: { invariantId: 'tests', tier: 'plan', check: 'command' } };
 * const decision = context.decide(request); // recorded under the strategy root
 */
export interface DecisionRequest {
  type: DecisionType;
  title: string;
  rationale?: string;
  payload?: Record<string, unknown>;
  /** Defaults to the strategy root. */
  parentId?: string;
}

/**
 * What a strategist is given.
 *
 * @example
 * async strategize({ plan, spec, invariants, parent }: StrategistInput) {
 *   const goal = parent ? `${parent.goal} / ${spec.goal}` : spec.goal;
 *   return { steps: [{ title: goal, tool: 'fs/write-file', input: { path: 'GOAL', content: goal } }] };
 * },
 */
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

/**
 * What a child plan's strategist is told about its parent.
 *
 * @example
 * async strategize({ spec, parent }) {
 *   const known = parent?.view === 'full' ? parent.decisions.map((d) => d.title) : [];
 *   return { steps: [], rationale: `${spec.goal}; parent ${parent?.name ?? 'none'} decided ${known.length}` };
 * },
 */
export interface ParentView {
  view: 'full' | 'skeleton';
  name: string;
  goal: string;
  decisions: { type: string; title: string; rationale?: string; payload?: Record<string, unknown> }[];
  /** Files of the parent's sandbox at the spawn point (`skeleton`: only those in the child's scopes). */
  files: string[];
}

/**
 * What a strategist may use: read-only tools, a decision recorder, the sandbox path, a cancel signal.
 *
 * @example
 * async strategize({ spec }, { callTool, sandboxRoot, signal }: StrategistContext) {
 *   const listing = await callTool('fs/list-files', { path: '.' }); // write tools answer READ_ONLY_PHASE here
 *   if (!listing.success || signal.aborted) return { steps: [], rationale: `could not list ${sandboxRoot}` };
 *   return { steps: [{ title: spec.goal, tool: 'shell/run', input: { command: 'npm test' } }] };
 * },
 */
export interface StrategistContext {
  /** Absolute path of the plan's sandbox (read it through `callTool`: the runtime checks strategize stays read-only). */
  sandboxRoot: string;
  /** Tools run in phase `strategize`: write tools answer `READ_ONLY_PHASE`. */
  callTool: CallTool;
  /** Record a decision under the strategy root (or `parentId`); returns it with its id. */
  decide(request: DecisionRequest): Decision;
  signal: AbortSignal;
  /**
   * One call of the plan's model (its `agent` block; docs/how-to/agents.md),
   * recorded as a `model_call` decision with its tokens and latency, its
   * text streamed to whoever follows the plan; absent when the plan names
   * no model. `MODEL_UNAVAILABLE` when the provider does not answer.
   */
  model?: (request: ModelRequest) => Promise<ModelTurn>;
  /** The tools a step may call, each with its input as a JSON Schema (for a model to read). */
  tools: ModelToolSpec[];
  /** What the runtime would refuse in these steps, by field (`steps[0].input.path: …`): the checks a plan file's steps pass. */
  checkSteps(steps: unknown): FieldIssue[];
}

/**
 * A strategist's answer: the steps to execute, in order, and why.
 *
 * @example
 * const result: StrategistResult = {
 *   steps: [{ title: 'Run tests', tool: 'shell/run', input: { command: 'npm test' } }],
 *   rationale: 'nothing to change: only check',
 * };
 */
export interface StrategistResult {
  steps: Step[];
  rationale?: string;
  /**
   * After these steps the plan stays open in execute for steps from outside,
   * one tool call at a time, until `plan_finish` (an agent-driven plan, SPEC §16).
   */
  open?: boolean;
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

/**
 * One step to execute, as decided.
 *
 * @example
 * async executeStep({ plan, index, title, step }: ExecutorInput, { callTool }) {
 *   console.log(`${plan.name} step ${index + 1}: ${title}`);
 *   const result = await callTool(step.tool!, step.input ?? {});
 *   return result.success ? { ok: true } : { ok: false, error: result.error };
 * },
 */
export interface ExecutorInput {
  plan: PlanRecord;
  spec: PlanSpec;
  index: number;
  title: string;
  step: StepPayload;
}

/**
 * What an executor may use: tools in phase `execute` bound to the sandbox and scopes.
 *
 * @example
 * async executeStep({ step }, { sandboxRoot, callTool, signal }: ExecutorContext) {
 *   if (signal.aborted) return { ok: false, error: { code: 'CANCELLED', message: `cancelled in ${sandboxRoot}` } };
 *   const result = await callTool(step.tool!, step.input ?? {});
 *   return result.success ? { ok: true } : { ok: false, error: result.error };
 * },
 */
export interface ExecutorContext {
  sandboxRoot: string;
  callTool: CallTool;
  signal: AbortSignal;
}

/**
 * An executor's answer; failures are data.
 *
 * @example
 * const done: ExecutorResult = { ok: true };
 * const failed: ExecutorResult = { ok: false, error: { code: 'TOOL_FAILED', message: 'npm test exited with 1', retryable: true } };
 */
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
