import {
  PHASES,
  TERMINAL_STATUSES,
  type Phase,
  type PlanRecord,
  type PlanStatus,
  type PredictedConflict,
} from '../../src/domain/index.js';
import type { PlanContext } from './plan-context.js';

/** A plan's position as users see it: `(phase, status)` (SPEC §5). */
export interface PlanPosition {
  phase: Phase;
  status: PlanStatus;
}

type StateValue = string | { [key: string]: StateValue };

/**
 * The `(phase, status)` of a plan actor's state: inner states of a running
 * phase (`processing.step`, `processing.sandbox`…) all read as `processing`.
 *
 * @example
 * const snapshot = actor.getSnapshot();
 * const { phase, status } = planPosition(snapshot.value, snapshot.context); // e.g. { phase: 'execute', status: 'processing' }
 */
export function planPosition(value: StateValue, context: Pick<PlanContext, 'phase'>): PlanPosition {
  if (typeof value === 'string') {
    if ((TERMINAL_STATUSES as readonly string[]).includes(value))
      return { phase: context.phase, status: value as PlanStatus };
    throw new Error(`unexpected plan state "${value}"`);
  }
  const [phase, inner] = Object.entries(value)[0] ?? [];
  if (!phase || !(PHASES as readonly string[]).includes(phase) || inner === undefined) {
    throw new Error(`unexpected plan state ${JSON.stringify(value)}`);
  }
  const status = typeof inner === 'string' ? inner : Object.keys(inner)[0];
  // an agent-driven plan open for steps waits for its agent's next call (SPEC §16)
  if (phase === 'execute' && typeof inner === 'object' && (inner as Record<string, StateValue>).processing === 'open')
    return { phase: 'execute', status: 'waiting' };
  switch (status) {
    case 'queued':
    case 'complete':
    case 'failed':
    case 'waiting':
      return { phase: phase as Phase, status };
    default:
      return { phase: phase as Phase, status: 'processing' };
  }
}

/** The parts of a plan record that never change after creation. */
export type PlanIdentity = Pick<
  PlanRecord,
  'id' | 'name' | 'goal' | 'parentId' | 'rootId' | 'project' | 'automation' | 'createdAt'
>;

/** A plan record's identity. */
export function planIdentityOf(record: PlanIdentity): PlanIdentity {
  const { id, name, goal, parentId, rootId, project, automation, createdAt } = record;
  return { id, name, goal, parentId, rootId, project, automation, createdAt };
}

// shared by every record without predictions: records are made per transition
const NO_PREDICTIONS: PredictedConflict[] = [];

/**
 * The plan record (SPEC §13) for a snapshot of its actor: identity, the
 * decided steps' ids, and what the machine's state and context say. The
 * runtime writes it in the same batch as the snapshot, so the two never
 * disagree.
 *
 * @example
 * const record: PlanRecord = planRecordOf(identity, actor.getSnapshot(), new Date().toISOString(), stepDecisionIds);
 * await store.commit({ planId: record.id, record });
 */
export function planRecordOf(
  identity: PlanIdentity,
  snapshot: { value: StateValue; context: PlanContext },
  updatedAt: string,
  strategyDecisionIds: readonly string[],
): PlanRecord {
  const { context } = snapshot;
  const position = planPosition(snapshot.value, context);
  // the identity's fields by name: V8 (Node 20) makes `{ ...identity, more }`
  // with this many properties after the spread ~100× slower, and this runs per transition
  return {
    id: identity.id,
    name: identity.name,
    goal: identity.goal,
    parentId: identity.parentId,
    rootId: identity.rootId,
    project: identity.project,
    automation: identity.automation,
    createdAt: identity.createdAt,
    phase: position.phase,
    status: position.status,
    decisionRootId: context.decisionRootId,
    // shared, not copied: the runtime hands the same frozen list until it changes
    strategyDecisionIds: strategyDecisionIds as string[],
    changesetId: context.changesetId,
    toolCalls: context.toolCalls,
    sandbox: context.sandbox,
    lastCompletedStep: context.lastCompletedStep,
    lastCheckpointId: context.lastCheckpointId,
    reversionCount: context.reversionCount,
    subplanConfig: context.subplanConfig as Record<string, unknown> | null,
    subplanStatuses: context.subplanStatuses,
    predictedConflicts: context.predictedConflicts ?? NO_PREDICTIONS,
    appliedCommit: context.appliedCommit,
    agentDriven: context.open,
    error: context.error,
    updatedAt,
  };
}
