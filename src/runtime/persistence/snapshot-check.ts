import { z } from 'zod';
import { AUTOMATIONS, INVARIANT_TIERS, PHASES, TroupeError, toFieldIssues } from '../../domain/index.js';
import { PLAN_MACHINE_VERSION } from '../../../machines/index.js';
import type { StoredSnapshot } from '../../store/index.js';
import { expandPlanSnapshot } from './snapshot-compaction.js';

/** Migrations of persisted plan snapshots, keyed by the version they upgrade from. */
export const PLAN_SNAPSHOT_MIGRATIONS: Readonly<Record<number, (snapshot: unknown) => unknown>> = {
  // version 2 reconciles invariants: a plan stored before strategized
  // without them, so it keeps running with none (its states all still exist)
  1: (snapshot) => {
    const stored = snapshot as { context?: Record<string, unknown> };
    return { ...stored, context: { ...stored.context, invariants: [], reconciliation: true, pendingReconcile: null } };
  },
  // version 3 waits on apply conflicts: no plan stored before waits on one
  2: (snapshot) => {
    const stored = snapshot as { context?: Record<string, unknown> };
    return { ...stored, context: { ...stored.context, applyStrategy: 'three-way', merge: null } };
  },
  // version 4 runs subplans: a plan stored before has none (its steps were all tool calls)
  3: (snapshot) => {
    const stored = snapshot as { context?: Record<string, unknown> };
    const merge = stored.context?.merge as Record<string, unknown> | null | undefined;
    return {
      ...stored,
      context: {
        ...stored.context,
        merge: merge ? { ...merge, child: null } : null,
        child: null,
        groupSteps: [],
        group: null,
        subplanStatuses: {},
        subplanConfig: null,
      },
    };
  },
  // version 5 takes checkpoints: a plan stored before counts from here, clean
  // unless its last reconciliation failed (the error it stopped on says so)
  4: (snapshot) => {
    const stored = snapshot as { context?: Record<string, unknown> };
    const error = stored.context?.error as { code?: string } | null | undefined;
    return { ...stored, context: { ...stored.context, clean: error?.code !== 'INVARIANT_VIOLATED', sideEffects: 0 } };
  },
  // version 6 merges a group's children in rounds: `merging` lists the
  // round's children (it named one child, or null), and a merge under way
  // takes a round — in the plan's group, in its supervisor, and in the
  // supervisor's merge actor, whose input XState runs again on restore
  5: (snapshot) => {
    const stored = snapshot as PersistedActor;
    const context = stored.context as { group?: unknown } | undefined;
    return {
      ...stored,
      ...(context && 'group' in context ? { context: { ...context, group: roundGroup(context.group) } } : {}),
      ...(stored.children ? { children: mapValues(stored.children, roundChild) } : {}),
    };
  },
  // version 7 has agent-driven plans (open for steps from outside) and
  // corrections whose appended steps run before they are reconciled: a plan
  // stored before is neither
  6: (snapshot) => {
    const stored = snapshot as { context?: Record<string, unknown> };
    return { ...stored, context: { ...stored.context, open: false, correction: null } };
  },
  // version 8 stores a running group's state once (snapshot-compaction.ts):
  // a snapshot stored before holds it twice, which restores as it is
  7: (snapshot) => snapshot,
};

// a persisted actor as far as the migrations read it
interface PersistedActor {
  context?: Record<string, unknown>;
  children?: Record<string, { snapshot?: PersistedActor & { input?: unknown } } & Record<string, unknown>>;
}

function mapValues<T>(record: Record<string, T>, map: (value: T, key: string) => T): Record<string, T> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value, key)]));
}

// a group (SupervisorState) of version 5: `merging` becomes the list of one round
function roundGroup(group: unknown): unknown {
  if (!group || typeof group !== 'object' || !('merging' in group) || Array.isArray(group.merging)) return group;
  const merging = (group as { merging: unknown }).merging;
  return { ...group, merging: typeof merging === 'string' ? [merging] : [] };
}

// a persisted child of a plan (its supervisor) or of a supervisor (its merge actor)
function roundChild(
  child: NonNullable<PersistedActor['children']>[string],
  id: string,
): NonNullable<PersistedActor['children']>[string] {
  const snapshot = child.snapshot;
  if (!snapshot) return child;
  if (id.startsWith('merge:') && snapshot.input && typeof snapshot.input === 'object' && 'child' in snapshot.input) {
    const { child: merged, base, theirs, ...rest } = snapshot.input as Record<string, unknown>;
    return { ...child, snapshot: { ...snapshot, input: { ...rest, children: [{ child: merged, base, theirs }] } } };
  }
  const context = snapshot.context as { state?: unknown } | undefined;
  if (!context || !('state' in context)) return child;
  return {
    ...child,
    snapshot: {
      ...snapshot,
      context: { ...context, state: roundGroup(context.state) },
      ...(snapshot.children ? { children: mapValues(snapshot.children, roundChild) } : {}),
    },
  };
}

// enough of the persisted snapshot to know XState can restore it: its own
// fields and the context fields the machine reads
const persistedPlanSnapshotSchema = z.looseObject({
  status: z.enum(['active', 'done', 'error', 'stopped']),
  value: z.union([z.string(), z.record(z.string(), z.unknown())]),
  context: z.looseObject({
    planId: z.string(),
    name: z.string(),
    automation: z.enum(AUTOMATIONS),
    phase: z.enum(PHASES),
    stepCount: z.number().int().nonnegative(),
    toolCalls: z.number(),
    invariants: z.array(z.looseObject({ id: z.string(), check: z.string(), tier: z.enum(INVARIANT_TIERS) })),
    reconciliation: z.boolean(),
  }),
  children: z.record(z.string(), z.unknown()).optional(),
});

/**
 * A stored snapshot, checked and migrated to the current machine version,
 * as a fresh copy (XState's restore mutates its input). Unknown versions
 * are `STORE_VERSION`; a shape XState could not restore is `STORE_CORRUPT`.
 */
export function restorablePlanSnapshot(planId: string, stored: StoredSnapshot): unknown {
  let version = stored.machineVersion;
  let snapshot: unknown = structuredClone(stored.snapshot);
  while (version < PLAN_MACHINE_VERSION) {
    const migrate = PLAN_SNAPSHOT_MIGRATIONS[version];
    if (!migrate) break;
    snapshot = migrate(snapshot);
    version += 1;
  }
  if (version !== PLAN_MACHINE_VERSION) {
    throw new TroupeError(
      'STORE_VERSION',
      `plan ${planId} was stored by plan machine version ${stored.machineVersion}; this troupe runs version ${PLAN_MACHINE_VERSION}`,
      {
        hint:
          version > PLAN_MACHINE_VERSION
            ? 'upgrade troupe to work with this plan'
            : 'no migration exists for that version; recreate the plan',
        details: { planId, machineVersion: stored.machineVersion },
      },
    );
  }
  const result = persistedPlanSnapshotSchema.safeParse(snapshot);
  if (!result.success) {
    const problem = toFieldIssues(result.error.issues, snapshot)[0];
    throw new TroupeError(
      'STORE_CORRUPT',
      `stored snapshot of plan ${planId} is corrupt: ${problem ? `${problem.path}: ${problem.message}` : 'unreadable'}`,
      {
        hint: 'the other plans are unaffected; create this plan again under a new name',
        details: { planId },
      },
    );
  }
  return expandPlanSnapshot(snapshot, planId);
}
