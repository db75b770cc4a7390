import {
  newId,
  planFileSchema,
  type Changeset,
  type Checkpoint,
  type CommandLog,
  type Decision,
  type JournalEvent,
  type PlanRecord,
  type PlanSpec,
} from '../../src/domain/index.js';
import type { PlanCreation } from '../../src/store/index.js';

/** A valid plan record; `overrides` replace fields. */
export function planRecord(overrides: Partial<PlanRecord> = {}): PlanRecord {
  const id = overrides.id ?? newId();
  return {
    id,
    name: 'demo/x',
    goal: 'Add license headers',
    parentId: null,
    rootId: id,
    project: 'default',
    phase: 'strategize',
    status: 'queued',
    automation: 'review',
    decisionRootId: null,
    strategyDecisionIds: [],
    changesetId: null,
    toolCalls: 0,
    sandbox: null,
    lastCompletedStep: null,
    lastCheckpointId: null,
    reversionCount: 0,
    agentDriven: false,
    subplanConfig: null,
    subplanStatuses: {},
    predictedConflicts: [],
    appliedCommit: null,
    error: null,
    createdAt: '2024-05-01T10:00:00.000Z',
    updatedAt: '2024-05-01T10:00:00.000Z',
    ...overrides,
  };
}

/** A validated plan file named `name`, with a one-step strategy. */
export function planSpec(name = 'demo/x'): PlanSpec {
  return planFileSchema.parse({
    name,
    goal: 'Add license headers',
    strategy: { steps: [{ title: 'Write header', tool: 'fs/write-file', input: { path: 'LICENSE', content: 'MIT' } }] },
  });
}

/** A decision of `planId`. */
export function decision(planId: string, overrides: Partial<Decision> = {}): Decision {
  return {
    id: newId(),
    planId,
    parentId: null,
    type: 'step',
    title: 'Write header',
    rationale: 'every file needs one',
    payload: { index: 0, tool: 'fs/write-file' },
    actor: 'scripted',
    createdAt: '2024-05-01T10:00:01.000Z',
    status: 'active',
    ...overrides,
  };
}

/** The journal event `seq` of `planId`. */
export function journalEvent(planId: string, seq: number, overrides: Partial<JournalEvent> = {}): JournalEvent {
  return {
    seq,
    ts: '2024-05-01T10:00:02.000Z',
    planId,
    type: 'step.completed',
    phase: 'execute',
    data: { step: seq },
    ...overrides,
  };
}

/** Events `from`..`to` (inclusive) of `planId`. */
export function journalEvents(planId: string, from: number, to: number): JournalEvent[] {
  return Array.from({ length: to - from + 1 }, (_, index) => journalEvent(planId, from + index));
}

/** The command log `seq` of `planId`: a step's `npm test` that failed. */
export function commandLog(planId: string, seq: number, overrides: Partial<CommandLog> = {}): CommandLog {
  return {
    planId,
    seq,
    ts: '2024-05-01T10:00:03.000Z',
    phase: 'execute',
    kind: 'step',
    step: 0,
    tool: 'shell/run',
    invariant: null,
    command: 'npm test',
    startedAt: '2024-05-01T10:00:02.500Z',
    durationMs: 412,
    exitCode: 1,
    signal: null,
    timedOut: false,
    cancelled: false,
    stdout: { text: `ok 1 - sums\nnot ok ${seq} - adds\n`, bytes: 28, cut: 0 },
    stderr: { text: '', bytes: 0, cut: 0 },
    ...overrides,
  };
}

/** A checkpoint `id` of `planId` taken after a step. */
export function checkpoint(planId: string, id: string, overrides: Partial<Checkpoint> = {}): Checkpoint {
  return {
    id,
    planId,
    label: null,
    trigger: 'step',
    createdAt: '2026-11-22T10:00:00.000Z',
    phase: 'execute',
    status: 'queued',
    sandboxCommit: 'a'.repeat(40),
    decisionCursor: null,
    childPlanIds: [],
    stepIds: [],
    sideEffects: 0,
    toolCalls: 0,
    clean: true,
    snapshot: { machineVersion: 1, snapshot: { value: { execute: 'queued' }, context: { planId } } },
    ...overrides,
  };
}

/** A changeset of `planId` touching one file. */
export function changeset(planId: string, overrides: Partial<Changeset> = {}): Changeset {
  return {
    id: newId(),
    planId,
    baseCommit: 'a'.repeat(40),
    headCommit: 'b'.repeat(40),
    files: [{ path: 'LICENSE', action: 'added', linesAdded: 1, linesRemoved: 0 }],
    ...overrides,
  };
}

/** Everything the first write of a plan named `name` holds: record, plan file, snapshot, two decisions, two events, a changeset. */
export function planCreation(name = 'demo/x', overrides: Partial<PlanRecord> = {}): PlanCreation {
  const record = planRecord({ name, ...overrides });
  const planId = record.id;
  const strategy = decision(planId, {
    type: 'strategy',
    title: 'Strategy',
    payload: { goal: record.goal, strategist: 'scripted', stepCount: 1 },
  });
  return {
    planId,
    record: { ...record, decisionRootId: strategy.id },
    spec: planSpec(name),
    snapshot: { machineVersion: 1, snapshot: { value: { strategize: 'queued' }, context: { planId } } },
    decisions: [strategy, decision(planId, { parentId: strategy.id })],
    events: [
      journalEvent(planId, 1, { type: 'plan.created', phase: 'strategize' }),
      journalEvent(planId, 2, { type: 'phase.started', phase: 'strategize' }),
    ],
    changesets: [changeset(planId)],
  };
}
