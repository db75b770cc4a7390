import { describe, expect, it } from 'vitest';
import { advance, resolvedMerge, type Happening } from '../../machines/index.js';
import { children, group, feed, started, validated, broke, mergedAs } from './subplan-supervisor-rules-fixtures.js';

// The supervisor's rules one answer at a time (advance): how merges carry on
// from round to round, and what waits on a dependency or an overlapping sibling.

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
