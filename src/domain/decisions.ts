import { z } from 'zod';
import { CONFLICT_KINDS, RESOLUTION_SOURCES } from './conflicts.js';
import { toolStepSchema } from './plan-file.js';
import { UPDATABLE_FIELDS } from './plan-update.js';

/** Decision types (SPEC §6). */
export const DECISION_TYPES = [
  'strategy',
  'step',
  'subplan_spawn',
  'subplan_parallel_spawn',
  'invariant_enforcement',
  'reconciliation',
  'merge',
  'conflict_resolution',
  'correction',
  'rollback',
  'sandbox_policy',
  'tool_call',
  'service',
  'overlap',
  'model_call',
  'plan_update',
] as const;
export type DecisionType = (typeof DECISION_TYPES)[number];

/** Payload of the `strategy` decision, the root of a plan's decision tree. */
export const strategyPayloadSchema = z.strictObject({
  goal: z.string(),
  strategist: z.string(),
  stepCount: z.number().int().nonnegative(),
});

/** Payload of a `step` decision: what execute runs at `index` (0-based). */
export const stepPayloadSchema = z.strictObject({
  index: z.number().int().nonnegative(),
  tool: toolStepSchema.shape.tool.optional(),
  input: z.record(z.string(), z.unknown()).optional(),
  subplans: z.record(z.string(), z.unknown()).optional(),
  /** The id the caller gave the call (a model's tool call id): what a model-driven plan resumed after a crash knows it by. */
  call: z.string().max(200).optional(),
});

/**
 * Payload of a `merge` decision: a merge that needed the user is complete.
 * `target` is where it lands (`project`: apply onto the project's branch;
 * `sandbox`: a child plan's result into its parent's sandbox), `commit` the
 * merge commit made once every conflict was resolved.
 */
export const mergePayloadSchema = z.strictObject({
  target: z.enum(['project', 'sandbox']),
  child: z.string().nullable(),
  base: z.string(),
  ours: z.string(),
  theirs: z.string(),
  commit: z.string(),
  /** The files that conflicted and how each was resolved. */
  resolved: z.array(z.strictObject({ file: z.string(), with: z.enum(RESOLUTION_SOURCES) })),
});

/**
 * Payload of a `conflict_resolution` decision: one conflicting file settled,
 * by the user (`troupe plan resolve`) or by the `ours` / `theirs` strategy.
 */
export const conflictResolutionPayloadSchema = z.strictObject({
  file: z.string(),
  kind: z.enum(CONFLICT_KINDS),
  with: z.enum(RESOLUTION_SOURCES),
  by: z.enum(['user', 'strategy']),
  /** Conflicting regions it settled (1 for a whole-file conflict). */
  hunks: z.number().int().nonnegative(),
  child: z.string().nullable(),
  /** For `with: file`: the file the user gave, relative to the project. */
  path: z.string().optional(),
});

/**
 * Payload of a `sandbox_policy` decision: how the plan's commands are
 * contained when that is not the default (SPEC §15) — `network: true` (the
 * plan or the project lets commands use the host network), `network:
 * { allow: [...] }` (only the hosts listed, through troupe's proxy:
 * docs/explanation/sandbox.md#network-by-name), or `mode: 'off'` (the project opted out
 * of containment: commands run unconfined).
 */
export const sandboxPolicyPayloadSchema = z.strictObject({
  network: z.union([z.boolean(), z.strictObject({ allow: z.array(z.string()) })]),
  mode: z.enum(['contained', 'off']).optional(),
});

/**
 * Payload of a `tool_call` decision: a call an agent made on an
 * agent-driven plan that is not a step (SPEC §16) — a read (`outcome:
 * 'read'`: a tool that changes nothing, run and recorded without a step,
 * a commit or a checkpoint), or a call troupe refused before it ran
 * (`outcome: 'refused'`, with the error's `code`: an unknown tool, bad
 * input, a path outside the sandbox or the plan's scopes).
 */
export const toolCallPayloadSchema = z.strictObject({
  tool: z.string(),
  input: z.unknown(),
  outcome: z.enum(['read', 'refused']),
  success: z.boolean(),
  code: z.string().optional(),
  durationMs: z.number().nonnegative(),
  /** A command that changed nothing: which read of the plan it is (from 1), as `plan_logs` takes it. */
  read: z.number().int().positive().optional(),
  /** The id the caller gave the call (a model's tool call id), as in a step's payload. */
  call: z.string().max(200).optional(),
});

/**
 * Payload of a `service` decision: a background service of an
 * agent-driven plan started (`action: 'start'`, with how its readiness was
 * awaited) or stopped (`action: 'stop'`, with how it ended: `exitCode` or
 * `signal`, and `reason` — `stopped` by service_stop, `plan` when the plan
 * left execute, `not-ready` when it never became ready, `exited` on its own).
 */
export const servicePayloadSchema = z.strictObject({
  name: z.string(),
  command: z.string(),
  action: z.enum(['start', 'stop']),
  readyPort: z.number().int().optional(),
  readyLine: z.string().optional(),
  exitCode: z.number().int().nullable().optional(),
  signal: z.string().nullable().optional(),
  reason: z.enum(['stopped', 'plan', 'not-ready', 'exited']).optional(),
});

/**
 * Payload of an `overlap` decision, under a group's step decision: the
 * pairs of entries whose `resourceScopes` can match a common path — the
 * entries (child names, earlier first), a scope of each that meet (null: the
 * entry has none, it may write anywhere), a path both match (null: too
 * complex to decide), the files of the sandbox's tree both match (at most
 * 50; `fileCount` says how many) — and, under `serialize`, the waits added:
 * `to` starts only once `from` is merged (or ended without merging). At
 * most 100 pairs and waits are listed, the first in entry order.
 */
export const overlapPayloadSchema = z.strictObject({
  policy: z.enum(['warn', 'serialize']),
  pairs: z.array(
    z.strictObject({
      entries: z.array(z.string()).length(2),
      patterns: z.array(z.string().nullable()).length(2),
      example: z.string().nullable(),
      files: z.array(z.string()),
      fileCount: z.number().int().nonnegative(),
    }),
  ),
  edges: z.array(z.strictObject({ from: z.string(), to: z.string() })),
  /** How many pairs and waits there are: a decision lists at most {@link MAX_OVERLAP_LISTED} of each. */
  pairCount: z.number().int().nonnegative(),
  edgeCount: z.number().int().nonnegative(),
});

/** The most pairs (and waits) an overlap decision lists; `pairCount` and `edgeCount` say how many there are. */
export const MAX_OVERLAP_LISTED = 100;

/**
 * Payload of a `model_call` decision: one call of a plan's model
 * — which model, for what (`strategize`: the strategist; `execute`: the
 * model driving the plan), its number among the plan's calls for that
 * purpose, the tool calls it asked for (with their ids, which the steps,
 * reads and results they became carry), the tokens it used, how long it
 * took and how many attempts it needed. The model's text is the
 * decision's rationale.
 */
export const modelCallPayloadSchema = z.strictObject({
  model: z.string(),
  purpose: z.enum(['strategize', 'execute']),
  call: z.number().int().positive(),
  toolCalls: z.array(
    z.strictObject({ id: z.string(), name: z.string(), input: z.unknown(), invalid: z.string().optional() }),
  ),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  totalTokens: z.number().int().nonnegative(),
  latencyMs: z.number().nonnegative(),
  finishReason: z.string(),
  attempts: z.number().int().positive(),
});

/**
 * Payload of a `plan_update` decision (`troupe plan update`): the fields of
 * the plan file a live plan goes on with that the user changed, each as it
 * was and as it is now (`sandbox.limits` under that key).
 */
export const planUpdatePayloadSchema = z.strictObject({
  changed: z.array(z.enum(UPDATABLE_FIELDS)).min(1),
  before: z.record(z.string(), z.unknown()),
  after: z.record(z.string(), z.unknown()),
});

/**
 * Payload schemas by decision type. Types whose feature has not landed yet
 * take any mapping; they are tightened as their feature lands.
 */
export const decisionPayloadSchemas = {
  strategy: strategyPayloadSchema,
  step: stepPayloadSchema,
  merge: mergePayloadSchema,
  conflict_resolution: conflictResolutionPayloadSchema,
  sandbox_policy: sandboxPolicyPayloadSchema,
  tool_call: toolCallPayloadSchema,
  service: servicePayloadSchema,
  overlap: overlapPayloadSchema,
  model_call: modelCallPayloadSchema,
  plan_update: planUpdatePayloadSchema,
} as const satisfies Partial<Record<DecisionType, z.ZodType>>;

export type StrategyPayload = z.output<typeof strategyPayloadSchema>;
export type StepPayload = z.output<typeof stepPayloadSchema>;
export type MergePayload = z.output<typeof mergePayloadSchema>;
export type ConflictResolutionPayload = z.output<typeof conflictResolutionPayloadSchema>;
export type SandboxPolicyPayload = z.output<typeof sandboxPolicyPayloadSchema>;
export type ToolCallPayload = z.output<typeof toolCallPayloadSchema>;
export type ServicePayload = z.output<typeof servicePayloadSchema>;
export type OverlapPayload = z.output<typeof overlapPayloadSchema>;
export type ModelCallPayload = z.output<typeof modelCallPayloadSchema>;
export type PlanUpdatePayload = z.output<typeof planUpdatePayloadSchema>;

/**
 * A decision a plan made (SPEC §6). Append-only: later ones may discard it, never edit it.
 *
 * @example
 * const { root } = await runtime.explain('demo/x');
 * const decision: Decision | null = root;
 * if (decision?.status === 'active') console.log(decision.type, decision.title, decision.actor);
 */
export interface Decision<P extends Record<string, unknown> = Record<string, unknown>> {
  id: string;
  planId: string;
  parentId: string | null;
  type: DecisionType;
  title: string;
  rationale: string;
  payload: P;
  /** Who made it: the strategist's name, `runtime`, or a user. */
  actor: string;
  createdAt: string;
  status: 'active' | 'discarded';
}

/** The stored shape of a decision, checked when it is read back. */
export const decisionSchema = z.object({
  id: z.string(),
  planId: z.string(),
  parentId: z.string().nullable(),
  type: z.enum(DECISION_TYPES),
  title: z.string(),
  rationale: z.string(),
  payload: z.record(z.string(), z.unknown()),
  actor: z.string(),
  createdAt: z.string(),
  status: z.enum(['active', 'discarded']),
});

/**
 * A decision with its children, as `plan explain` shows the tree.
 *
 * @example
 * const walk = (node: DecisionNode, depth = 0): void => {
 *   console.log(' '.repeat(depth * 2) + node.title);
 *   node.children.forEach((child) => walk(child, depth + 1));
 * };
 * const { root } = await runtime.explain('demo/x');
 * if (root) walk(root);
 */
export interface DecisionNode extends Decision {
  children: DecisionNode[];
}

/**
 * Arrange a plan's decisions as trees, children in creation order (ids are
 * ULIDs, so id order is creation order). Decisions whose parent is missing
 * become roots, so nothing recorded is hidden.
 */
export function decisionForest(decisions: readonly Decision[]): DecisionNode[] {
  const nodes = new Map<string, DecisionNode>();
  for (const decision of [...decisions].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    nodes.set(decision.id, { ...decision, children: [] });
  }
  const roots: DecisionNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentId === null ? undefined : nodes.get(node.parentId);
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}
