// What the runtime lends the checkpoints wing, and the two things taking a checkpoint and rolling
// back both do with it: read a plan's state as stored, and capture a checkpoint of a state.
import {
  TroupeError,
  newId,
  type Checkpoint,
  type CheckpointTrigger,
  type JournalEvent,
  type PlanRecord,
} from '../../domain/index.js';
import { planPosition, restorableContext, restorePointOf, type PlanContext } from '../../../machines/index.js';
import type { ActorServices } from '../../../actors/index.js';
import type { Store } from '../../store/index.js';
import type { PlanMemory, PlanPersistence } from '../persistence/index.js';
import { restorablePlanSnapshot } from '../persistence/index.js';
import type { LivePlan, ProvidedPlanMachine } from '../plans/index.js';
import { checkpointOf } from './checkpoint-records.js';

// a plan's live actor, as checkpoints need it: the plans wing keeps live plans
export type { LivePlan };

/** What the runtime lends `RuntimeCheckpoints` and the rollback it runs. */
export interface CheckpointHost {
  store: Store;
  services: Omit<ActorServices, 'children' | 'checkpoints'>;
  machine: ProvidedPlanMachine;
  memory: PlanMemory;
  persistence: PlanPersistence;
  now(): string;
  /** The plan's live actor, restored if needed; null for a plan that ended. */
  live(planId: string): Promise<LivePlan | null>;
  /** Stop the plan's live actor, if any, once its pending writes landed; stop the commands it ran. */
  stop(planId: string): Promise<void>;
  /** Start the plan's actor from a persisted snapshot already written with `lastSeq` as its last journal seq. */
  start(record: PlanRecord, snapshot: unknown, lastSeq: number): Promise<void>;
  publish(events: JournalEvent[], record: PlanRecord): void;
}

/** A plan's machine state: its value and context. */
export interface PlanState {
  value: unknown;
  context: PlanContext;
}

/** The plan's state as stored, once its live actor's pending writes landed; `STORE_CORRUPT` when it has none. */
export async function storedState(host: CheckpointHost, planId: string): Promise<PlanState> {
  await host.persistence.settled(planId);
  const stored = await host.store.getSnapshot(planId);
  if (!stored) throw new TroupeError('STORE_CORRUPT', `plan ${planId} has no stored snapshot`, { details: { planId } });
  return restorablePlanSnapshot(planId, stored) as PlanState;
}

/**
 * A checkpoint of the plan in `state` (a running phase restores to queued).
 * `stepIds`: the plan's step list when the caller knows it better than
 * memory (a plan without a live actor).
 */
export function captureCheckpoint(
  host: CheckpointHost,
  planId: string,
  state: PlanState,
  trigger: CheckpointTrigger,
  label: string | null,
  stepIds?: readonly string[],
): Checkpoint {
  const point = restorePointOf(planPosition(state.value as never, state.context));
  return checkpointOf(host.machine, {
    id: newId(),
    planId,
    label,
    trigger,
    createdAt: host.now(),
    point,
    context: restorableContext(state.context, point),
    stepIds: stepIds ?? host.memory.stepIds(planId),
    stepTitle: (index) => host.memory.stepTitle(planId, index),
  });
}

/** The `checkpoint.created` journal entry of a checkpoint. */
export function createdEntry(checkpoint: Checkpoint) {
  return {
    type: 'checkpoint.created' as const,
    phase: checkpoint.phase,
    data: {
      checkpointId: checkpoint.id,
      trigger: checkpoint.trigger,
      label: checkpoint.label,
      clean: checkpoint.clean,
    },
  };
}
