import { describe, expect, it } from 'vitest';
import { initialState, type ChildStatus, type SupervisorState } from '../../machines/index.js';
import { forecastPairs, type ChildChanges } from '../../src/runtime/children/forecast-pairs.js';

// Which children a step commit is merged against ahead of time (issue 38):
// decided from the paths each changed, without git.

function groupOf(
  statuses: Record<string, ChildStatus | 'merged'>,
  projects: Record<string, string> = {},
): SupervisorState {
  const ids = Object.keys(statuses);
  const state = initialState({
    planId: 'P',
    stepIndex: 0,
    groupDecisionId: 'G',
    config: {
      mode: 'parallel',
      maxParallel: 4,
      mergeStrategy: 'three-way',
      failurePolicy: 'continue',
      retries: 0,
      timeoutMs: null,
      contextView: 'skeleton',
    },
    children: ids.map((childId) => ({
      childId,
      name: `demo/${childId}`,
      decisionId: `D${childId}`,
      dependsOn: [],
      project: projects[childId] ?? null,
    })),
    head: 'h0',
  });
  for (const [childId, status] of Object.entries(statuses))
    state.statuses[childId] = {
      ...state.statuses[childId]!,
      status: status === 'merged' ? 'complete' : status,
      merged: status === 'merged',
    };
  return state;
}

const changes = (files: Record<string, string[]>) =>
  new Map<string, ChildChanges>(
    Object.entries(files).map(([childId, paths]) => [childId, { head: `h-${childId}`, base: 'b', files: paths }]),
  );

describe('forecastPairs', () => {
  it('pairs a moved child only with siblings that changed a path it changed, the one that merges first first', () => {
    const group = groupOf({ a: 'running', b: 'running', c: 'merged' });
    expect(
      forecastPairs(
        group,
        new Set(['b']),
        changes({ a: ['x.txt'], b: ['y.txt', 'shared.json'], c: ['shared.json'] }),
        [],
      ),
    ).toEqual([{ first: 'b', second: 'c', paths: { first: ['shared.json'], second: ['shared.json'] } }]);
    // touching separate files: nothing to merge
    expect(forecastPairs(group, new Set(['a', 'b', 'c']), changes({ a: ['x'], b: ['y'], c: ['z'] }), [])).toEqual([]);
  });

  it('leaves out paths already predicted for the pair, children not started, failed or of another project', () => {
    const group = groupOf({ a: 'running', b: 'complete', c: 'pending', d: 'failed', e: 'running' }, { e: 'docs-site' });
    const all = { a: ['p', 'q'], b: ['p', 'q'], c: ['p'], d: ['p'], e: ['p'] };
    const predicted = [
      {
        step: 0,
        children: ['a', 'b'] as [string, string],
        names: ['demo/a', 'demo/b'] as [string, string],
        files: ['p'],
        kinds: ['content' as const],
      },
    ];
    expect(forecastPairs(group, new Set(['a']), changes(all), predicted)).toEqual([
      { first: 'a', second: 'b', paths: { first: ['q'], second: ['q'] } },
    ]);
    expect(forecastPairs(group, new Set(['a']), changes({ ...all, b: ['p'] }), predicted)).toEqual([]);
  });

  it('meets a file where the other side changed files under it', () => {
    const group = groupOf({ a: 'running', b: 'running' });
    expect(forecastPairs(group, new Set(['a']), changes({ a: ['lib'], b: ['lib/index.js'] }), [])).toEqual([
      { first: 'a', second: 'b', paths: { first: ['lib'], second: ['lib/index.js'] } },
    ]);
  });
});
