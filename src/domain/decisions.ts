import { z } from 'zod';
import { toolStepSchema } from './plan-file.js';

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
});

/**
 * Payload schemas by decision type. Types whose feature has not landed yet
 * take any mapping; they are tightened as their feature lands.
 */
export const decisionPayloadSchemas = {
  strategy: strategyPayloadSchema,
  step: stepPayloadSchema,
} as const satisfies Partial<Record<DecisionType, z.ZodType>>;

export type StrategyPayload = z.output<typeof strategyPayloadSchema>;
export type StepPayload = z.output<typeof stepPayloadSchema>;

/** A decision a plan made (SPEC §6). Append-only: later ones may discard it, never edit it. */
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

/** A decision with its children, as `plan explain` shows the tree. */
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
