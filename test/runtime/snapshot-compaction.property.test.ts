import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compactPlanSnapshot, expandPlanSnapshot, SAME_AS_PLAN_GROUP } from '../../src/runtime/persistence/index.js';

// A plan's snapshot stores its running group's state once: the supervisor's
// state as what differs from the plan's `context.group`. Whatever the two hold,
// what a restore builds again is what was there.

type Fields = Record<string, unknown>;

const plan = (group: unknown, state: unknown) => ({
  status: 'active',
  context: { planId: 'P', group },
  children: {
    supervisor: {
      status: 'active',
      snapshot: { status: 'active', value: 'supervising', context: { state, end: null }, children: {} },
      src: 'supervise',
    },
  },
});

// what the store keeps and gives back: JSON
const stored = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

// undefined too: JSON drops it, so a state's undefined must not read back as the group's value
const leaf = fc.oneof(
  fc.integer(),
  fc.string({ maxLength: 4 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.integer(), { maxLength: 3 }),
);
const entries = fc.dictionary(
  fc.constantFrom('c1', 'c2', 'c3', 'c4'),
  fc.record({ status: fc.constantFrom('running', 'done'), started: fc.boolean() }),
  { maxKeys: 4 },
);
const group = fc.dictionary(
  fc.constantFrom('planId', 'children', 'statuses', 'merging', 'config', 'stepIndex'),
  fc.oneof(leaf, entries),
  { minKeys: 1, maxKeys: 6 },
);

// a supervisor state made from the group as the supervisor makes its next one: most of it the same objects
const change = fc.record({
  keep: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
  keepEntries: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
  replacement: fc.oneof(leaf, entries),
  added: fc.option(fc.tuple(fc.constantFrom('end', 'extra', 'statuses'), fc.oneof(leaf, entries))),
  dropped: fc.boolean(),
});

function nextState(
  group: Fields,
  how: {
    keep: boolean[];
    keepEntries: boolean[];
    replacement: unknown;
    added: [string, unknown] | null;
    dropped: boolean;
  },
): Fields {
  const state: Fields = {};
  Object.entries(group).forEach(([key, value], index) => {
    if (how.dropped && index === 0) return;
    if (how.keep[index]) state[key] = value;
    else if (value && typeof value === 'object' && !Array.isArray(value)) {
      // a new object whose entries are partly the old ones
      state[key] = Object.fromEntries(
        Object.entries(value as Fields).map(([entry, old], at) => [
          entry,
          how.keepEntries[at] ? old : how.replacement === undefined ? undefined : { ...(old as Fields), started: true },
        ]),
      );
    } else state[key] = how.replacement;
  });
  if (how.added) state[how.added[0]] = how.added[1];
  return state;
}

describe('a plan snapshot with a group of subplans, as stored', () => {
  it('stores the supervisor’s state as its differences from the plan’s group, and a restore builds the same state again', () => {
    fc.assert(
      fc.property(group, change, (before, how) => {
        const state = nextState(before, how);
        const live = plan(before, state);
        const copy = stored(live);
        const written = stored(compactPlanSnapshot(live));
        // the live snapshot is what it was
        expect(live).toEqual(copy);
        expect(live.children.supervisor.snapshot.context.state).toBe(state);
        expect(expandPlanSnapshot(written)).toEqual(copy);
      }),
      { numRuns: 2_000 },
    );
  });

  it('stores nothing of the state twice when the supervisor reported its last change', () => {
    const children = [{ childId: 'c1', name: 'demo/one' }];
    const group = { planId: 'P', children, statuses: { c1: { status: 'running', started: true } }, merging: [] };
    const written = compactPlanSnapshot(plan(group, group));
    expect(written.children.supervisor.snapshot.context.state).toEqual({ sameAs: SAME_AS_PLAN_GROUP });
    const started = { ...group, statuses: { ...group.statuses, c2: { status: 'running', started: false } } };
    // one child more: that child's status alone
    expect(compactPlanSnapshot(plan(group, started)).children.supervisor.snapshot.context.state).toEqual({
      sameAs: SAME_AS_PLAN_GROUP,
      patch: { statuses: { c2: { status: 'running', started: false } } },
    });
  });

  it('leaves a snapshot without a group, or without a supervisor, as it is', () => {
    const idle = plan(null, { planId: 'P' });
    expect(compactPlanSnapshot(idle)).toBe(idle);
    const alone = { status: 'active', context: { planId: 'P', group: { planId: 'P' } }, children: {} };
    expect(compactPlanSnapshot(alone)).toBe(alone);
    expect(expandPlanSnapshot(stored(alone))).toEqual(alone);
  });

  it('refuses, as a corrupt store, a supervisor state that refers to a group its plan does not have', () => {
    expect(() => expandPlanSnapshot(plan(null, { sameAs: SAME_AS_PLAN_GROUP }), 'P')).toThrow(
      expect.objectContaining({
        code: 'STORE_CORRUPT',
        message: expect.stringContaining('stored snapshot of plan P is corrupt'),
      }),
    );
  });
});
