import { describe, expect, it } from 'vitest';
import { afterStep, checkpointSchema, restoresTo } from '../../src/domain/index.js';

describe('the step a checkpoint follows', () => {
  it('says where a rollback puts the plan in the words plan status uses', () => {
    const step = { number: 2, title: 'Write the header' };
    expect(restoresTo({ phase: 'execute', status: 'queued', step })).toBe('execute · after step 2 "Write the header"');
    expect(restoresTo({ phase: 'execute', status: 'queued' })).toBe('execute · queued');
    expect(restoresTo({ phase: 'execute', status: 'complete', step })).toBe('execute · complete');
    expect(restoresTo({ phase: 'validate', status: 'failed' })).toBe('validate · failed');
    expect(afterStep({ number: 4, title: '' })).toBe('after step 4');
  });

  it('reads a checkpoint stored before steps were kept, and one with its step', () => {
    const stored = {
      id: 'C',
      planId: 'P',
      label: null,
      trigger: 'step',
      createdAt: '2026-01-01T00:00:00.000Z',
      phase: 'execute',
      status: 'queued',
      sandboxCommit: null,
      decisionCursor: 'C',
      childPlanIds: [],
      stepIds: [],
      sideEffects: 1,
      toolCalls: 1,
      clean: true,
      snapshot: { machineVersion: 1, snapshot: {} },
    };
    expect(checkpointSchema.parse(stored)).not.toHaveProperty('step');
    expect(checkpointSchema.parse({ ...stored, step: { number: 1, title: 'Write a' } }).step).toEqual({
      number: 1,
      title: 'Write a',
    });
    expect(checkpointSchema.safeParse({ ...stored, step: { number: 0, title: 'x' } }).success).toBe(false);
  });
});
