import { TroupeError } from '../../domain/index.js';

// A plan running a group of subplans holds the group's state twice: its own
// `context.group` (the supervisor's last report) and the supervisor's
// `context.state` — the very same object after a report, or one that differs
// in a few children's statuses (the supervisor does not report every change,
// e.g. a child's start). Written as is, every transition of the parent stores
// the children's list, statuses and merge rounds twice: 13 of a 38 KB snapshot
// with 32 children, written at each of the parent's transitions. The
// supervisor's state is stored as what differs from the plan's group, by
// reference, two levels deep; a restore builds it again.

/** The marker of a supervisor state stored as its differences from the plan's `context.group`. */
export const SAME_AS_PLAN_GROUP = 'context.group';

/** A supervisor state as stored: its plan's group, with `set` keys replaced and `patch` keys' entries replaced. */
export interface StoredGroupDelta {
  sameAs: typeof SAME_AS_PLAN_GROUP;
  set?: Record<string, unknown>;
  patch?: Record<string, Record<string, unknown>>;
}

type Fields = Record<string, unknown>;

interface PersistedPlan {
  context?: { group?: unknown };
  children?: Record<string, { snapshot?: { context?: { state?: unknown } } } | undefined>;
}

const isRecord = (value: unknown): value is Fields =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The persisted snapshot of a plan as it is stored: the supervisor's state
 * is written as what differs from the plan's own `context.group` (nothing,
 * when nothing happened in the supervisor since its last report). The live
 * snapshot is not changed: only the path to the state is copied.
 *
 * @example
 * const stored = { machineVersion: PLAN_MACHINE_VERSION, snapshot: compactPlanSnapshot(actor.getPersistedSnapshot()) };
 */
export function compactPlanSnapshot<T>(persisted: T): T {
  const plan = persisted as PersistedPlan;
  const supervisor = plan.children?.supervisor;
  const context = supervisor?.snapshot?.context;
  const delta = groupDelta(plan.context?.group, context?.state);
  if (!delta) return persisted;
  const snapshot = supervisor!.snapshot!;
  return {
    ...plan,
    children: {
      ...plan.children,
      supervisor: { ...supervisor, snapshot: { ...snapshot, context: { ...context, state: delta } } },
    },
  } as T;
}

// the state as differences from the group, or null when it is not worth it (no group, another shape)
function groupDelta(group: unknown, state: unknown): StoredGroupDelta | null {
  if (!isRecord(group) || !isRecord(state)) return null;
  // a key the group has and the state has not cannot be said as a difference
  if (Object.keys(group).some((key) => !(key in state))) return null;
  const set: Fields = {};
  const patch: Record<string, Fields> = {};
  for (const [key, value] of Object.entries(state)) {
    const before = group[key];
    if (value === before) continue;
    // JSON drops an undefined: stored as a difference, it would read back as the group's value
    if (value === undefined) return null;
    const entries =
      isRecord(value) && isRecord(before) && Object.keys(before).every((entry) => entry in value)
        ? changedEntries(before, value)
        : null;
    if (entries) patch[key] = entries;
    else set[key] = value;
  }
  return {
    sameAs: SAME_AS_PLAN_GROUP,
    ...(Object.keys(set).length > 0 ? { set } : {}),
    ...(Object.keys(patch).length > 0 ? { patch } : {}),
  };
}

// the entries of `after` that are not `before`'s, or null when one of them is undefined (see above)
function changedEntries(before: Fields, after: Fields): Fields | null {
  const changed: Fields = {};
  for (const [entry, value] of Object.entries(after)) {
    if (value === before[entry]) continue;
    if (value === undefined) return null;
    changed[entry] = value;
  }
  return changed;
}

/**
 * A stored snapshot made whole again for XState (in place: the caller's
 * own copy): the supervisor's state, stored as its differences from the
 * plan's `context.group`, is built again from it.
 *
 * @example
 * const snapshot = expandPlanSnapshot(structuredClone(stored.snapshot), planId);
 */
export function expandPlanSnapshot<T>(snapshot: T, planId = 'this plan'): T {
  const plan = snapshot as PersistedPlan;
  const context = plan.children?.supervisor?.snapshot?.context;
  const delta = context?.state as Partial<StoredGroupDelta> | undefined;
  const group = plan.context?.group;
  if (!context || !isRecord(delta) || delta.sameAs !== SAME_AS_PLAN_GROUP) return snapshot;
  if (!isRecord(group)) {
    throw new TroupeError(
      'STORE_CORRUPT',
      `stored snapshot of plan ${planId} is corrupt: its subplan supervisor's state refers to the plan's group, and the plan has none`,
      {
        details: { planId },
        hint: 'the other plans are unaffected; create this plan again under a new name',
      },
    );
  }
  const state: Fields = { ...group, ...delta.set };
  for (const [key, entries] of Object.entries(delta.patch ?? {}))
    state[key] = { ...(group[key] as Fields), ...entries };
  context.state = state;
  return snapshot;
}
