import { describe, expect, it } from 'vitest';
import {
  PLAN_STATUSES,
  type CheckpointTrigger,
  type JournalEventType,
  type Phase,
  type PlanStatus,
} from '../../src/domain/index.js';
import { syncsBatch, type BatchContents } from '../../src/runtime/persistence/batch-sync.js';

const running = { phase: 'execute' as Phase, status: 'processing' as PlanStatus, agentDriven: false };

function batch(fields: Partial<BatchContents> = {}): BatchContents {
  return { spec: null, checkpoints: [], events: [], record: running, ...fields };
}

describe('syncsBatch', () => {
  it('leaves a running step unsynced, its step checkpoint included', () => {
    expect(syncsBatch(batch())).toBe(false);
    expect(
      syncsBatch(
        batch({
          checkpoints: [{ trigger: 'step' }, { trigger: 'step' }],
          events: [
            { type: 'step.started' },
            { type: 'tool.called' },
            { type: 'step.completed' },
            { type: 'checkpoint.created' },
          ],
        }),
      ),
    ).toBe(false);
  });

  it('syncs every checkpoint but a step one', () => {
    const others: CheckpointTrigger[] = [
      'phase',
      'pre-execute',
      'post-execute',
      'pre-merge',
      'post-merge',
      'pre-correction',
      'pre-rollback',
      'manual',
    ];
    for (const trigger of others)
      expect(syncsBatch(batch({ checkpoints: [{ trigger: 'step' }, { trigger }] })), trigger).toBe(true);
  });

  it('syncs phase boundaries and what a user resolved or merged', () => {
    for (const type of [
      'plan.created',
      'phase.completed',
      'phase.failed',
      'plan.cancelled',
      'plan.invalidated',
      'merge.conflict',
      'conflict.resolved',
      'merge.completed',
    ] as JournalEventType[]) {
      expect(syncsBatch(batch({ events: [{ type: 'step.completed' }, { type }] })), type).toBe(true);
    }
    for (const type of ['phase.started', 'step.failed', 'invariant.reconciled', 'read.completed'] as JournalEventType[])
      expect(syncsBatch(batch({ events: [{ type }] })), type).toBe(false);
  });

  it('syncs a new plan file', () => {
    expect(syncsBatch(batch({ spec: { name: 'demo/x' } }))).toBe(true);
  });

  it('syncs any batch that leaves the plan at rest', () => {
    for (const status of PLAN_STATUSES) {
      expect(syncsBatch(batch({ record: { phase: 'validate', status, agentDriven: false } })), status).toBe(
        status !== 'processing',
      );
      expect(
        syncsBatch(batch({ record: { phase: 'execute', status, agentDriven: true } })),
        `agent-driven ${status}`,
      ).toBe(status !== 'processing' && status !== 'waiting');
    }
  });

  it('leaves an agent-driven plan between two calls unsynced, and syncs one waiting elsewhere than execute', () => {
    expect(syncsBatch(batch({ record: { phase: 'execute', status: 'waiting', agentDriven: true } }))).toBe(false);
    expect(syncsBatch(batch({ record: { phase: 'execute', status: 'waiting', agentDriven: false } }))).toBe(true);
    expect(syncsBatch(batch({ record: { phase: 'apply', status: 'waiting', agentDriven: true } }))).toBe(true);
  });
});
