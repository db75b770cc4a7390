import { describe, expect, it } from 'vitest';
import { groupFailure, initialState, type SupervisorState } from '../../machines/index.js';

// groupFailure on its own: the error a group leaves on its plan for endings
// a scripted group reaches only with luck (every child cancelled, a child the
// group does not list).

const CONFIG = {
  mode: 'parallel' as const,
  maxParallel: 2,
  mergeStrategy: 'three-way' as const,
  failurePolicy: 'fail-fast' as const,
  retries: 0,
  timeoutMs: null,
  contextView: 'skeleton' as const,
};

function group(statuses: Record<string, Partial<SupervisorState['statuses'][string]>>): SupervisorState {
  const children = Object.keys(statuses).map((childId) => ({
    childId,
    name: `demo/${childId}`,
    decisionId: `D-${childId}`,
    dependsOn: [],
    project: null,
  }));
  const state = initialState({
    planId: 'P',
    stepIndex: 2,
    groupDecisionId: 'G2',
    config: CONFIG,
    children,
    head: 'base',
  });
  for (const [childId, status] of Object.entries(statuses))
    state.statuses[childId] = { ...state.statuses[childId]!, ...status };
  return state;
}

describe('groupFailure', () => {
  it('a group whose children were all cancelled fails CANCELLED: no child failed to give its code', () => {
    const state = group({
      a: { status: 'cancelled', attempt: 1, error: null },
      b: { status: 'cancelled', attempt: 0, error: null },
    });
    expect(groupFailure({ outcome: 'done', state, failed: ['a', 'b'] })).toEqual({
      code: 'CANCELLED',
      message: '2 of 2 child plans did not finish: demo/a cancelled; demo/b cancelled',
      phase: 'execute',
      step: 2,
      details: {
        children: [
          { childId: 'a', name: 'demo/a', status: 'cancelled', attempt: 1, error: null },
          { childId: 'b', name: 'demo/b', status: 'cancelled', attempt: 0, error: null },
        ],
      },
      hint: 'troupe plan tree <plan> shows each child; troupe plan status <child> says why it stopped',
      retryable: false,
    });
  });

  it('a cancelled child’s own error code is the group’s when no child failed', () => {
    const state = group({
      a: {
        status: 'cancelled',
        attempt: 1,
        error: { code: 'TIMEOUT', message: 'took too long', phase: 'execute', retryable: true },
      },
    });
    const error = groupFailure({ outcome: 'done', state, failed: ['a'] });
    // the message names only a failed child's error
    expect([error.code, error.message]).toEqual(['TIMEOUT', '1 of 1 child plans did not finish: demo/a cancelled']);
  });

  it('names a child the group does not list by its id', () => {
    const state = group({ a: { status: 'complete', attempt: 1 } });
    const error = groupFailure({
      outcome: 'merge-failed',
      state,
      childId: 'gone',
      error: { code: 'MERGE_CONFLICT', message: 'a.ts conflicts' },
    });
    expect(error).toEqual({
      code: 'MERGE_CONFLICT',
      message: 'merging child plan gone failed: a.ts conflicts',
      phase: 'execute',
      step: 2,
      details: { childId: 'gone' },
      retryable: false,
    });
  });
});
