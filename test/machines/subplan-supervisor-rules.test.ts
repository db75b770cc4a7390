import { describe, expect, it } from 'vitest';
import {
  advance,
  initialState,
  mergeOrderOf,
  resolvedMerge,
  type Advance,
  type GroupConfig,
  type Happening,
  type SupervisedChild,
  type SupervisorState,
} from '../../machines/index.js';

// The supervisor's rules one answer at a time (advance): what a restored
// group resumes, which answers it ignores, how a failure ends, what fail-fast
// leaves unmerged, which head a child starts and retries from.

const CONFIG: GroupConfig = {
  mode: 'parallel',
  maxParallel: 2,
  mergeStrategy: 'three-way',
  failurePolicy: 'continue',
  retries: 0,
  timeoutMs: null,
  contextView: 'skeleton',
};

function children(count: number, extra: Record<number, Partial<SupervisedChild>> = {}): SupervisedChild[] {
  return Array.from({ length: count }, (_, index) => ({
    childId: `C${index}`,
    name: `demo/x-${index + 1}`,
    decisionId: `D${index}`,
    dependsOn: [],
    project: null,
    ...extra[index],
  }));
}

function group(config: Partial<GroupConfig>, kids: SupervisedChild[]): SupervisorState {
  return initialState({
    planId: 'P',
    stepIndex: 0,
    groupDecisionId: 'G',
    config: { ...CONFIG, ...config },
    children: kids,
    head: 'h0',
  });
}

/** Feed the happenings in order; the answer to the last one. */
function feed(state: SupervisorState, ...happenings: Happening[]): Advance {
  let result: Advance = advance(state, happenings[0]!);
  for (const happening of happenings.slice(1)) result = advance(result.state, happening);
  return result;
}

const started = (childId: string, attempt = 1): Happening => ({ kind: 'started', childId, attempt, startedAt: 1 });
const validated = (childId: string, attempt = 1): Happening => ({
  kind: 'ran',
  childId,
  attempt,
  output: { ok: true, head: `t-${childId}` },
});
const broke = (childId: string, attempt = 1): Happening => ({
  kind: 'ran',
  childId,
  attempt,
  output: { ok: false, error: { code: 'TOOL_FAILED', message: 'broke' } },
});
const mergedAs = (childId: string, head: string, changeset: { id: string } | null = null): Happening => ({
  kind: 'merged',
  childId,
  output: { merged: [{ childId, head, settled: [], files: [] }], changeset: changeset as never },
});

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

describe('merging, one answer at a time', () => {
  it('carries the changeset a round made into the next round, and reports no merge when a round merged nothing', () => {
    const state = feed(
      group({ maxParallel: 2 }, children(2)),
      { kind: 'begin' },
      started('C0'),
      started('C1'),
      validated('C0'),
      validated('C1'),
    );
    expect(state.state.merging).toEqual(['C0']);
    const first = advance(state.state, mergedAs('C0', 'm0', { id: 'CS7' }));
    expect(first.state.changesetId).toBe('CS7');
    expect(first.merged).toEqual({
      children: [{ childId: 'C0', head: 'm0', settled: [], files: [] }],
      changeset: { id: 'CS7' },
    });
    expect(first.effects).toEqual([expect.objectContaining({ kind: 'merge', ours: 'm0', changesetId: 'CS7' })]);
    // a round without a changeset keeps the one before
    expect(advance(first.state, mergedAs('C1', 'm1')).state.changesetId).toBe('CS7');
    const merge = { base: 'h0', ours: 'm0', theirs: 't-C1', clean: 'clean' as const, conflicts: [] };
    const conflict = advance(first.state, {
      kind: 'merged',
      childId: 'C1',
      output: { merged: [], changeset: null, stopped: { childId: 'C1', merge } },
    });
    expect(conflict.merged).toBeUndefined();
    expect('merged' in conflict).toBe(false);
    expect(conflict.end).toEqual({ outcome: 'conflict', state: conflict.state, childId: 'C1', merge });
    expect(conflict.state).toMatchObject({ changesetId: 'CS7', merging: [], head: 'm0' });
  });

  it('fails the round’s first child when its merge actor threw', () => {
    const state = feed(group({}, children(1)), { kind: 'begin' }, started('C0'), validated('C0')).state;
    const error = { code: 'INTERNAL_ERROR' as const, message: 'disk full' };
    const threw = advance(state, { kind: 'crashed', actor: 'merge', childId: 'C0', attempt: null, error });
    expect(threw.end).toEqual({ outcome: 'merge-failed', state: threw.state, childId: 'C0', error });
    expect(threw.state).toMatchObject({
      merging: [],
      statuses: { C0: { status: 'failed', merged: false, error: { message: 'disk full' } } },
    });
  });

  it('settles another project’s child without merging it here, and merges the next one', () => {
    const kids = children(2, { 0: { project: 'other' } });
    const state = feed(group({}, kids), { kind: 'begin' }, started('C0'), started('C1'), validated('C0'));
    expect(state.effects).toEqual([]);
    expect(state.state.statuses.C0).toMatchObject({ status: 'complete', merged: true });
    const next = advance(state.state, validated('C1'));
    expect(next.effects).toEqual([
      { kind: 'merge', children: [{ child: kids[1], base: 'h0', theirs: 't-C1' }], ours: 'h0', changesetId: null },
    ]);
  });

  it('after a resolved conflict, goes on from the resolution', () => {
    const state = feed(
      group({ mode: 'sequential' }, children(2)),
      { kind: 'begin' },
      started('C0'),
      validated('C0'),
    ).state;
    const resolved = resolvedMerge(state, 'C0', 'r0');
    expect(resolved).toMatchObject({ head: 'r0', merging: [], statuses: { C0: { merged: true } } });
    expect(advance(resolved, { kind: 'begin' }).effects).toEqual([
      { kind: 'start', childId: 'C1', attempt: 1, spawnHead: 'r0' },
    ]);
  });
});

describe('what waits, one answer at a time', () => {
  it('cancels a whole chain of dependants of a failure in one answer, naming every dependency', () => {
    const kids = children(4, { 0: { dependsOn: ['C1', 'C3'] }, 1: { dependsOn: ['C2'] } });
    const state = feed(group({ mode: 'dependency-ordered', maxParallel: 1 }, kids), { kind: 'begin' }, started('C2'));
    const result = advance(state.state, broke('C2'));
    expect(result.state.statuses.C1).toMatchObject({
      status: 'cancelled',
      error: { message: 'not started: a child it depends on did not merge (demo/x-3)' },
    });
    expect(result.state.statuses.C0).toMatchObject({
      status: 'cancelled',
      error: { message: 'not started: a child it depends on did not merge (demo/x-2, demo/x-4)' },
    });
    expect(result.state.statuses.C0?.withdrawn).toBeUndefined();
    expect(result.effects).toEqual([{ kind: 'start', childId: 'C3', attempt: 1, spawnHead: 'h0' }]);
  });

  it('ignores a dependency that is not in the group', () => {
    const kids = children(2, { 1: { dependsOn: ['X', 'C0'] } });
    const state = feed(group({ mode: 'dependency-ordered', maxParallel: 2 }, kids), { kind: 'begin' });
    expect(state.spawned).toEqual(['C0']);
    const after = feed(state.state, started('C0'), validated('C0'), mergedAs('C0', 'm0'));
    expect(after.effects).toEqual([{ kind: 'start', childId: 'C1', attempt: 1, spawnHead: 'm0' }]);
  });

  it('starts an overlapping child once the sibling before it merged, from the merged head', () => {
    const kids = children(3, { 2: { after: ['C0'] } });
    const state = feed(group({ maxParallel: 3 }, kids), { kind: 'begin' });
    expect(state.spawned).toEqual(['C0', 'C1']);
    const afterMerge = feed(state.state, started('C0'), validated('C0'), mergedAs('C0', 'm0'));
    expect(afterMerge.effects).toEqual([{ kind: 'start', childId: 'C2', attempt: 1, spawnHead: 'm0' }]);
    // its merge's base is where it started, not the group's fork
    const merge = feed(
      afterMerge.state,
      started('C1'),
      validated('C1'),
      mergedAs('C1', 'm1'),
      started('C2'),
      validated('C2'),
    );
    expect(merge.effects).toEqual([
      { kind: 'merge', children: [{ child: kids[2], base: 'm0', theirs: 't-C2' }], ours: 'm1', changesetId: null },
    ]);
    // waiting for two, it starts only once both ended
    const both = feed(
      group({ maxParallel: 3 }, children(3, { 2: { after: ['C0', 'C1'] } })),
      { kind: 'begin' },
      started('C0'),
      validated('C0'),
      mergedAs('C0', 'm0'),
    );
    expect(both.effects).toEqual([]);
    expect(advance(both.state, broke('C1')).effects).toEqual([
      { kind: 'start', childId: 'C2', attempt: 1, spawnHead: 'm0' },
    ]);
    // one waiting for a sibling that is not in the group waits for nothing
    expect(feed(group({}, children(1, { 0: { after: ['X'] } })), { kind: 'begin' }).spawned).toEqual(['C0']);
  });

  it('journals what freed a slot before what took it', () => {
    const state = feed(group({ maxParallel: 1, retries: 1 }, children(2)), { kind: 'begin' }, started('C0'));
    const result = advance(state.state, broke('C0'));
    expect(result.changes.map((change) => [change.childId, change.status, change.attempt])).toEqual([
      ['C0', 'retrying', 2],
    ]);
    // a second retry changes only the attempt: still journaled
    const again = advance(
      feed({ ...result.state, config: { ...result.state.config, retries: 2 } }, started('C0', 2)).state,
      broke('C0', 2),
    );
    expect(again.changes.map((change) => [change.childId, change.status, change.attempt])).toEqual([
      ['C0', 'retrying', 3],
    ]);
    const failed = advance(feed(result.state, started('C0', 2)).state, broke('C0', 2));
    expect(failed.changes.map((change) => [change.childId, change.status, change.attempt])).toEqual([
      ['C0', 'failed', 2],
      ['C1', 'running', 1],
    ]);
    // what can never start frees its place in the journal before what starts
    const ordered = feed(
      group({ mode: 'dependency-ordered', maxParallel: 1 }, children(3, { 2: { dependsOn: ['C0'] } })),
      { kind: 'begin' },
      started('C0'),
    );
    expect(advance(ordered.state, broke('C0')).changes.map((change) => [change.childId, change.status])).toEqual([
      ['C0', 'failed'],
      ['C2', 'cancelled'],
      ['C1', 'running'],
    ]);
  });

  it('ignores dependsOn outside dependency-ordered', () => {
    const kids = children(2, { 1: { dependsOn: ['C0'] } });
    expect(feed(group({ mode: 'parallel' }, kids), { kind: 'begin' }).spawned).toEqual(['C0', 'C1']);
  });

  it('names a dependency outside the group by its id, and calls a mix of withdrawn and failed dependencies a failure', () => {
    const unknown = feed(
      group({ mode: 'dependency-ordered' }, children(2, { 1: { dependsOn: ['X', 'C0'] } })),
      { kind: 'begin' },
      started('C0'),
      broke('C0'),
    );
    expect(unknown.state.statuses.C1).toMatchObject({
      status: 'cancelled',
      error: { message: 'not started: a child it depends on did not merge (X, demo/x-1)' },
    });
    const withdrawn = {
      kind: 'ran',
      childId: 'C0',
      attempt: 1,
      output: { ok: false, cancelled: true, withdrawn: true, error: { code: 'CANCELLED', message: 'gone' } },
    } satisfies Happening;
    const mixed = feed(
      group({ mode: 'dependency-ordered' }, children(3, { 2: { dependsOn: ['C0', 'C1'] } })),
      { kind: 'begin' },
      started('C0'),
      started('C1'),
      withdrawn,
      broke('C1'),
    );
    expect(mixed.state.statuses.C2).toMatchObject({
      status: 'cancelled',
      error: { message: 'not started: a child it depends on did not merge (demo/x-1, demo/x-2)' },
    });
    expect(mixed.state.statuses.C2?.withdrawn).toBeUndefined();
    expect(mixed.end).toMatchObject({ outcome: 'done', failed: ['C1', 'C2'] });
  });

  it('counts an invalidated child as settled, and ignores a crash reported for a child that is not under way', () => {
    const state = feed(
      group({}, children(2)),
      { kind: 'begin' },
      started('C0'),
      validated('C0'),
      mergedAs('C0', 'm0'),
      started('C1'),
    ).state;
    const invalidated = {
      ...state,
      statuses: { ...state.statuses, C1: { ...state.statuses.C1!, status: 'invalidated' as const } },
    };
    expect(advance(invalidated, { kind: 'begin' }).end).toMatchObject({ outcome: 'done', failed: ['C1'] });
    const error = { code: 'INTERNAL_ERROR' as const, message: 'late' };
    const late = advance(state, { kind: 'crashed', actor: 'run', childId: 'C0', attempt: 1, error });
    expect(late.state).toEqual(state);
  });
});
