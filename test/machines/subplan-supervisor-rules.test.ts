import { describe, expect, it } from 'vitest';
import { advance, initialState, mergeOrderOf, type Happening } from '../../machines/index.js';
import {
  CONFIG,
  children,
  group,
  feed,
  started,
  validated,
  broke,
  mergedAs,
} from './subplan-supervisor-rules-fixtures.js';

// The supervisor's rules one answer at a time (advance): what a restored
// group resumes, which answers it ignores, how a failure ends, what fail-fast
// leaves unmerged, which head a child starts and retries from.

describe('the supervisor, one answer at a time', () => {
  it('starts every child pending, at attempt 0, with nothing merged, stopping or cancelling', () => {
    const state = group({}, children(1));
    expect(state).toEqual({
      planId: 'P',
      stepIndex: 0,
      groupDecisionId: 'G',
      config: CONFIG,
      children: children(1),
      head: 'h0',
      forkHead: 'h0',
      changesetId: null,
      mergeOrder: ['C0'],
      statuses: {
        C0: {
          status: 'pending',
          attempt: 0,
          error: null,
          spawnHead: null,
          deadline: null,
          head: null,
          merged: false,
          started: false,
        },
      },
      stopping: false,
      merging: [],
      cancelling: 0,
    });
    const withChangeset = initialState({
      planId: 'P',
      stepIndex: 0,
      groupDecisionId: 'G',
      config: CONFIG,
      children: children(1),
      head: 'h0',
      changesetId: 'CS1',
    });
    expect(withChangeset.changesetId).toBe('CS1');
  });

  it('merges in entry order outside dependency-ordered, and there waits for overlaps too; a cycle keeps entry order', () => {
    const kids = children(3, { 0: { dependsOn: ['C2'] }, 1: { after: ['C0'] } });
    expect(mergeOrderOf(kids, 'parallel')).toEqual(['C0', 'C1', 'C2']);
    expect(mergeOrderOf(kids, 'sequential')).toEqual(['C0', 'C1', 'C2']);
    // C1 overlaps C0, which waits for C2
    expect(mergeOrderOf(kids, 'dependency-ordered')).toEqual(['C2', 'C0', 'C1']);
    expect(
      mergeOrderOf(children(3, { 0: { dependsOn: ['C1'] }, 1: { dependsOn: ['C0'] } }), 'dependency-ordered'),
    ).toEqual(['C2', 'C0', 'C1']);
  });

  it('restored, resumes each attempt where it stood: starts what had not started, runs what had, from its spawn point', () => {
    // restored right after it spawned its first children: it starts them (again; startChild is idempotent)
    const spawned = advance(group({}, children(3)), { kind: 'begin' });
    expect(advance(spawned.state, { kind: 'begin' }).effects).toEqual(spawned.effects);
    let state = feed(
      group({ timeoutMs: 100, retries: 1 }, children(3)),
      { kind: 'begin' },
      started('C0'),
      broke('C0'),
    ).state;
    // C0 retries from h0 and has not started yet; C1 started with a deadline
    state = feed(state, started('C1')).state;
    expect(state.statuses.C0).toMatchObject({ status: 'retrying', attempt: 2, started: false });
    const resumed = advance(state, { kind: 'begin' });
    expect(resumed.effects).toEqual([
      { kind: 'start', childId: 'C0', attempt: 2, spawnHead: 'h0' },
      { kind: 'run', childId: 'C1', attempt: 1, deadline: 101 },
    ]);
    // a saved running child without its spawn point starts from the group's head
    const older = {
      ...state,
      head: 'h9',
      statuses: { ...state.statuses, C0: { ...state.statuses.C0!, spawnHead: null } },
    };
    expect(advance(older, { kind: 'begin' }).effects[0]).toEqual({
      kind: 'start',
      childId: 'C0',
      attempt: 2,
      spawnHead: 'h9',
    });
  });

  it('restored mid fail-fast, cancels the cancelled children again; with none left to cancel it ends', () => {
    let state = feed(
      group({ failurePolicy: 'fail-fast', maxParallel: 3 }, children(3)),
      { kind: 'begin' },
      started('C0'),
      broke('C0'),
    ).state;
    expect(state.cancelling).toBe(1);
    const again = advance(state, { kind: 'begin' });
    expect(again.effects).toEqual([{ kind: 'cancel', childIds: ['C1', 'C2'], reason: 'fail-fast' }]);
    expect(again.state.cancelling).toBe(1);
    expect(again.end).toBeNull();
    state = {
      ...state,
      cancelling: 2,
      statuses: {
        ...state.statuses,
        C1: { ...state.statuses.C1!, status: 'failed' },
        C2: { ...state.statuses.C2!, status: 'failed' },
      },
    };
    const nothing = advance(state, { kind: 'begin' });
    expect(nothing.effects).toEqual([]);
    expect(nothing.state.cancelling).toBe(0);
    expect(nothing.end).toMatchObject({ outcome: 'done', failed: ['C0', 'C1', 'C2'] });
  });

  it('ignores an answer for an unknown child, an attempt that is over, or a child not under way', () => {
    const state = feed(group({ retries: 1 }, children(2)), { kind: 'begin' }, started('C0'), broke('C0')).state;
    const error = { code: 'INTERNAL_ERROR' as const, message: 'boom' };
    for (const stale of [
      started('C9'),
      started('C0', 1),
      validated('C9'),
      validated('C0', 1),
      broke('C0', 1),
      { kind: 'crashed', actor: 'run', childId: 'C0', attempt: 1, error },
      { kind: 'crashed', actor: 'start', childId: 'C9', attempt: 1, error },
      { kind: 'crashed', actor: 'merge', childId: 'C0', attempt: null, error },
    ] satisfies Happening[]) {
      const result = advance(state, stale);
      expect(result.state, JSON.stringify(stale)).toEqual(state);
      expect(result.effects).toEqual([]);
      expect(result.changes).toEqual([]);
    }
    const done = feed(state, started('C0', 2), validated('C0', 2)).state;
    expect(advance(done, started('C0', 2)).effects).toEqual([]);
  });

  it('gives an attempt no deadline without a timeout', () => {
    expect(feed(group({}, children(1)), { kind: 'begin' }, started('C0')).effects).toEqual([
      { kind: 'run', childId: 'C0', attempt: 1, deadline: null },
    ]);
  });

  it('retries from the same spawn point after a sibling merged, and keeps its first error out of a success', () => {
    let state = feed(
      group({ retries: 1, maxParallel: 2 }, children(2)),
      { kind: 'begin' },
      started('C0'),
      started('C1'),
      validated('C0'),
    ).state;
    state = feed(state, mergedAs('C0', 'm0')).state;
    expect(state.head).toBe('m0');
    const retry = advance(state, broke('C1'));
    expect(retry.effects).toEqual([{ kind: 'start', childId: 'C1', attempt: 2, spawnHead: 'h0' }]);
    expect(retry.changes).toEqual([{ childId: 'C1', name: 'demo/x-2', status: 'retrying', attempt: 2, error: null }]);
    const merge = feed(retry.state, started('C1', 2), validated('C1', 2));
    expect(merge.effects).toEqual([
      {
        kind: 'merge',
        children: [{ child: children(2)[1], base: 'h0', theirs: 't-C1' }],
        ours: 'm0',
        changesetId: null,
      },
    ]);
  });

  it('records an attempt cancelled (by code or by flag) as cancelled, not retried', () => {
    const state = feed(group({ retries: 2 }, children(2)), { kind: 'begin' }, started('C0'), started('C1')).state;
    const byCode = advance(state, {
      kind: 'ran',
      childId: 'C0',
      attempt: 1,
      output: { ok: false, error: { code: 'CANCELLED', message: 'stopped' } },
    });
    expect(byCode.effects).toEqual([]);
    expect(byCode.state.statuses.C0).toMatchObject({
      status: 'cancelled',
      attempt: 1,
      error: { code: 'CANCELLED', message: 'stopped', phase: 'execute', retryable: false },
    });
    const byFlag = advance(state, {
      kind: 'ran',
      childId: 'C1',
      attempt: 1,
      output: { ok: false, cancelled: true, error: { code: 'TIMEOUT', message: 'too slow' } },
    });
    expect(byFlag.effects).toEqual([]);
    expect(byFlag.state.statuses.C1).toMatchObject({
      status: 'cancelled',
      attempt: 1,
      error: { code: 'TIMEOUT', retryable: true },
    });
    expect(byFlag.state.statuses.C1?.withdrawn).toBeUndefined();
  });

  it('keeps an error’s details, hint and retryable flag', () => {
    const state = feed(group({}, children(1)), { kind: 'begin' }, started('C0')).state;
    const error = {
      code: 'TOOL_FAILED' as const,
      message: 'broke',
      hint: 'look at the log',
      details: { exitCode: 2 },
      retryable: true,
    };
    const failed = advance(state, { kind: 'ran', childId: 'C0', attempt: 1, output: { ok: false, error } });
    expect(failed.state.statuses.C0!.error).toEqual({ ...error, phase: 'execute' });
    const plain = advance(state, broke('C0'));
    expect(plain.state.statuses.C0!.error).toEqual({
      code: 'TOOL_FAILED',
      message: 'broke',
      phase: 'execute',
      retryable: false,
    });
  });

  it('retries an attempt whose start or run threw, and fails it when the retries are spent', () => {
    const error = { code: 'INTERNAL_ERROR' as const, message: 'spawn failed' };
    const state = feed(group({ retries: 1 }, children(1)), { kind: 'begin' });
    const retried = advance(state.state, { kind: 'crashed', actor: 'start', childId: 'C0', attempt: 1, error });
    expect(retried.effects).toEqual([{ kind: 'start', childId: 'C0', attempt: 2, spawnHead: 'h0' }]);
    const failed = feed(retried.state, started('C0', 2), {
      kind: 'crashed',
      actor: 'run',
      childId: 'C0',
      attempt: 2,
      error,
    });
    expect(failed.state.statuses.C0).toMatchObject({
      status: 'failed',
      error: { code: 'INTERNAL_ERROR', message: 'spawn failed' },
    });
    expect(failed.end).toMatchObject({ outcome: 'done', failed: ['C0'] });
  });
});

describe('fail-fast, one answer at a time', () => {
  it('cancels pending siblings with the reason, and cancels nothing when nothing else runs', () => {
    const state = feed(
      group({ failurePolicy: 'fail-fast', maxParallel: 1 }, children(3)),
      { kind: 'begin' },
      started('C0'),
    );
    const result = advance(state.state, broke('C0'));
    expect(result.effects).toEqual([]);
    expect(result.state.cancelling).toBe(0);
    expect(result.state.statuses.C1).toMatchObject({
      status: 'cancelled',
      attempt: 0,
      error: { code: 'CANCELLED', message: 'cancelled: demo/x-1 failed (fail-fast)' },
    });
    expect(result.end).toMatchObject({ outcome: 'done', failed: ['C0', 'C1', 'C2'] });
  });

  it('ends only once the running siblings’ cancellation was carried out (or threw)', () => {
    const state = feed(
      group({ failurePolicy: 'fail-fast' }, children(2)),
      { kind: 'begin' },
      started('C0'),
      started('C1'),
    );
    const stopping = advance(state.state, broke('C0'));
    expect(stopping.effects).toEqual([{ kind: 'cancel', childIds: ['C1'], reason: 'demo/x-1 failed (fail-fast)' }]);
    expect(stopping.end).toBeNull();
    expect(advance(stopping.state, { kind: 'cancelled' }).end).toMatchObject({ outcome: 'done', failed: ['C0', 'C1'] });
    const threw = advance(stopping.state, {
      kind: 'crashed',
      actor: 'cancel',
      childId: 'C1',
      attempt: null,
      error: { code: 'INTERNAL_ERROR', message: 'x' },
    });
    expect(threw.state.cancelling).toBe(0);
    expect(threw.end).toMatchObject({ outcome: 'done' });
  });

  it('does not merge a sibling that completed before the failure but was waiting for its turn', () => {
    const state = feed(
      group({ failurePolicy: 'fail-fast' }, children(2)),
      { kind: 'begin' },
      started('C0'),
      started('C1'),
      validated('C1'),
    );
    expect(state.effects).toEqual([]);
    const result = advance(state.state, broke('C0'));
    expect(result.effects).toEqual([]);
    expect(result.state.statuses.C1).toMatchObject({ status: 'complete', merged: false });
    expect(result.end).toMatchObject({ outcome: 'done', failed: ['C0', 'C1'] });
  });
});
