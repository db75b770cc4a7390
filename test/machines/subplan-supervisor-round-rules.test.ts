import { describe, expect, it } from 'vitest';
import {
  advance,
  initialState,
  mergeOrderOf,
  type GroupConfig,
  type Happening,
  type SupervisedChild,
  type SupervisorState,
} from '../../machines/index.js';

// The supervisor's rules around a merge round and a restart: what it does
// again when started from a saved state, and which late answers it ignores.

const CONFIG: GroupConfig = {
  mode: 'parallel',
  maxParallel: 2,
  mergeStrategy: 'three-way',
  failurePolicy: 'fail-fast',
  retries: 0,
  timeoutMs: null,
  contextView: 'skeleton',
};

const kids = (count: number, dependsOn: Record<number, string[]> = {}): SupervisedChild[] =>
  Array.from({ length: count }, (_, index) => ({
    childId: `C${index}`,
    name: `demo/x-${index + 1}`,
    decisionId: `D${index}`,
    dependsOn: dependsOn[index] ?? [],
    project: null,
  }));

/** The group after the happenings, fed one after another from its first state. */
function after(config: Partial<GroupConfig>, children: SupervisedChild[], happenings: Happening[]): SupervisorState {
  let state = initialState({
    planId: 'P',
    stepIndex: 0,
    groupDecisionId: 'G',
    config: { ...CONFIG, ...config },
    children,
    head: 'h0',
  });
  for (const happening of [{ kind: 'begin' } as const, ...happenings]) state = advance(state, happening).state;
  return state;
}

const ran = (childId: string, ok: boolean): Happening[] => [
  { kind: 'started', childId, attempt: 1, startedAt: 1 },
  {
    kind: 'ran',
    childId,
    attempt: 1,
    output: ok ? { ok: true, head: `t-${childId}` } : { ok: false, error: { code: 'TOOL_FAILED', message: 'broke' } },
  },
];

describe('the supervisor around a merge round', () => {
  it('places each child as soon as what it depends on is placed, not after the free ones', () => {
    expect(mergeOrderOf(kids(4, { 0: ['C2'], 1: ['C2'] }), 'dependency-ordered')).toEqual(['C2', 'C0', 'C1', 'C3']);
  });

  it('started from a saved state with a round under way, merges that round again', () => {
    const state = after({}, kids(1), ran('C0', true));
    expect(state.merging).toEqual(['C0']);
    expect(advance(state, { kind: 'begin' }).effects).toEqual([
      { kind: 'merge', children: [{ child: kids(1)[0], base: 'h0', theirs: 't-C0' }], ours: 'h0', changesetId: null },
    ]);
  });

  it('started again with no cancellation under way, cancels nothing again', () => {
    const state = after(
      { mode: 'dependency-ordered', failurePolicy: 'continue', maxParallel: 1 },
      kids(3, { 1: ['C0'] }),
      ran('C0', false),
    );
    expect(state.statuses.C1).toMatchObject({ status: 'cancelled', error: { code: 'CANCELLED' } });
    expect(advance(state, { kind: 'begin' }).effects).toEqual([
      { kind: 'start', childId: 'C2', attempt: 1, spawnHead: 'h0' },
    ]);
  });

  it('ignores the answer or the crash of a merge that is not the round under way', () => {
    const state = after({ maxParallel: 2 }, kids(2), [...ran('C0', true), ...ran('C1', true)]);
    expect(state.merging).toEqual(['C0']);
    const late = advance(state, {
      kind: 'merged',
      childId: 'C1',
      output: { merged: [{ childId: 'C1', head: 'x', settled: [], files: [] }], changeset: null },
    });
    expect(late.state).toEqual(state);
    expect(late.effects).toEqual([]);
    const crash = advance(state, {
      kind: 'crashed',
      actor: 'merge',
      childId: 'C1',
      attempt: null,
      error: { code: 'INTERNAL_ERROR', message: 'x' },
    });
    expect(crash.state).toEqual(state);
    expect(crash.end).toBeNull();
  });

  it('under fail-fast, waits for the round under way before it ends', () => {
    const state = after({ maxParallel: 2 }, kids(2), [
      { kind: 'started', childId: 'C1', attempt: 1, startedAt: 1 },
      ...ran('C0', true),
    ]);
    expect(state.merging).toEqual(['C0']);
    const failed = advance(state, ran('C1', false)[1]!);
    expect(failed.state.stopping).toBe(true);
    expect(failed.end).toBeNull();
    const merged = advance(failed.state, {
      kind: 'merged',
      childId: 'C0',
      output: { merged: [{ childId: 'C0', head: 'm0', settled: [], files: [] }], changeset: null },
    });
    expect(merged.end).toMatchObject({ outcome: 'done', failed: ['C1'], state: { head: 'm0' } });
  });
});
