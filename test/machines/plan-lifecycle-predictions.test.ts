import { createActor } from 'xstate';
import { describe, expect, it } from 'vitest';
import { initialState, planLifecycleMachine, planRecordOf, type PlanEmitted } from '../../machines/index.js';
import { addPredictions, type PredictedConflict } from '../../src/domain/index.js';
import { at } from './plan-lifecycle-fixtures.js';

// Conflicts predicted between running children (issue 38): the parent keeps
// them for its record and journals each pair and file once, while the group
// they belong to runs — also while it waits on a conflicting merge.

const group = initialState({
  planId: 'P',
  stepIndex: 1,
  groupDecisionId: 'G',
  config: {
    mode: 'parallel',
    maxParallel: 2,
    mergeStrategy: 'three-way',
    failurePolicy: 'fail-fast',
    retries: 0,
    timeoutMs: null,
    contextView: 'skeleton',
  },
  children: ['A', 'B'].map((childId) => ({
    childId,
    name: `demo/x-${childId}`,
    decisionId: `D${childId}`,
    dependsOn: [],
    project: null,
  })),
  head: 'h0',
});

const prediction = (files: string[], step = 1): PredictedConflict => ({
  step,
  children: ['A', 'B'],
  names: ['demo/x-A', 'demo/x-B'],
  files,
  kinds: files.map(() => 'content' as const),
});

function parentAt(value: unknown) {
  // a child's merge waits on a conflict: the group is kept, its other children still run
  const merge = {
    target: 'sandbox' as const,
    child: 'B',
    base: 'h0',
    ours: 'h1',
    theirs: 'tB',
    clean: 'c',
    files: ['src/a.ts'],
    open: ['src/a.ts'],
    commit: null,
  };
  const actor = createActor(planLifecycleMachine, {
    input: { planId: 'P', name: 'demo/x', automation: 'review' },
    snapshot: at(value, { phase: 'execute', group, lastCompletedStep: 0, merge }) as never,
  });
  const emitted: PlanEmitted[] = [];
  actor.on('*', (event) => emitted.push(event as PlanEmitted));
  actor.start();
  return { actor, emitted };
}

const identity = {
  id: 'P',
  name: 'demo/x',
  goal: 'g',
  parentId: null,
  rootId: 'P',
  project: 'default',
  automation: 'review' as const,
  createdAt: 't',
};

describe('predicted conflicts in the parent plan', () => {
  it('records a prediction of its group and journals it once per pair and file, also while waiting on a merge', () => {
    const { actor, emitted } = parentAt({ execute: 'waiting' });
    actor.send({ type: 'subplans.predicted', step: 1, predictions: [prediction(['src/a.ts'])] });
    actor.send({ type: 'subplans.predicted', step: 1, predictions: [prediction(['src/a.ts', 'src/b.ts'])] });
    const journaled = emitted.flatMap((event) =>
      event.type === 'journal' && event.entry.type === 'conflict.predicted' ? [event.entry.data] : [],
    );
    expect(emitted.map((event) => event.type === 'journal' && event.entry.phase)).toEqual(['execute', 'execute']);
    expect(journaled).toEqual([
      {
        step: 1,
        children: [
          { childId: 'A', name: 'demo/x-A' },
          { childId: 'B', name: 'demo/x-B' },
        ],
        files: ['src/a.ts'],
        kinds: ['content'],
      },
      {
        step: 1,
        children: [
          { childId: 'A', name: 'demo/x-A' },
          { childId: 'B', name: 'demo/x-B' },
        ],
        files: ['src/b.ts'],
        kinds: ['content'],
      },
    ]);
    const record = planRecordOf(identity, actor.getSnapshot(), 'now', []);
    expect(record.predictedConflicts).toEqual([prediction(['src/a.ts', 'src/b.ts'])]);
    actor.stop();
  });

  it('ignores predictions of a group that is not the current one', () => {
    const { actor, emitted } = parentAt({ execute: 'waiting' });
    actor.send({ type: 'subplans.predicted', step: 0, predictions: [prediction(['src/a.ts'], 0)] });
    expect(emitted).toEqual([]);
    expect(actor.getSnapshot().context.predictedConflicts).toBeUndefined();
    actor.stop();
  });

  it('ignores predictions once no group runs (they come late, from a group that ended)', () => {
    const actor = createActor(planLifecycleMachine, {
      input: { planId: 'P', name: 'demo/x', automation: 'review' },
      snapshot: at({ execute: 'queued' }, { phase: 'execute', lastCompletedStep: 1 }) as never,
    }).start();
    actor.send({ type: 'subplans.predicted', step: 1, predictions: [prediction(['src/a.ts'])] });
    expect(actor.getSnapshot().status).toBe('active');
    expect(actor.getSnapshot().context.predictedConflicts).toBeUndefined();
    actor.stop();
  });
});

describe('addPredictions', () => {
  it('keeps each pair once, adding only files it did not have', () => {
    const other: PredictedConflict = { ...prediction(['x']), children: ['B', 'C'], names: ['demo/x-B', 'demo/x-C'] };
    const first = addPredictions([], [prediction(['a'])]);
    const second = addPredictions(first.all, [prediction(['a', 'b']), other]);
    expect(second.added).toEqual([prediction(['b']), other]);
    expect(second.all).toEqual([prediction(['a', 'b']), other]);
    expect(addPredictions(second.all, [prediction(['b'])]).added).toEqual([]);
  });
});
