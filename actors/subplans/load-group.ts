import { TroupeError, type SubplanSpawnPayload } from '../../src/domain/index.js';
import { initialState, type LoadGroupInput, type SupervisedChild, type SupervisorState } from '../../machines/index.js';
import type { ActorServices } from '../services.js';
import type { GroupPayload } from './group-decisions.js';

/**
 * The `loadGroup` actor: the group of subplans of step `index`, read from
 * its step decision and spawn decisions, as the supervisor's first state.
 * Reads only: safe to run twice.
 */
export async function loadGroup(input: LoadGroupInput, services: ActorServices): Promise<SupervisorState> {
  const step = await services.readStep(input.planId, input.index);
  const group = (step.payload as { subplans?: GroupPayload }).subplans;
  if (!group || !Array.isArray(group.spawns)) {
    throw new TroupeError('STORE_CORRUPT', `step ${input.index + 1} of plan ${input.name} is not a group of subplans`, {
      details: { planId: input.planId, decisionId: step.id },
    });
  }
  const spawns = await Promise.all(group.spawns.map((id) => services.readDecision(input.planId, id)));
  const childOf = new Map(spawns.map((decision) => [decision.id, (decision.payload as SubplanSpawnPayload).childId]));
  const childIds = (decisionIds: readonly string[]) =>
    decisionIds.flatMap((id) => (childOf.has(id) ? [childOf.get(id)!] : []));
  const children: SupervisedChild[] = spawns.map((decision) => {
    const payload = decision.payload as SubplanSpawnPayload;
    // overlap: serialize made it wait for the siblings whose scopes it overlaps
    const after = childIds(group.overlap?.after[decision.id] ?? []);
    return {
      childId: payload.childId,
      name: payload.childName,
      decisionId: decision.id,
      dependsOn: childIds(payload.dependencies),
      ...(after.length > 0 ? { after } : {}),
      project: payload.project ?? null,
    };
  });
  return initialState({
    planId: input.planId,
    stepIndex: input.index,
    groupDecisionId: step.id,
    config: {
      mode: group.mode,
      maxParallel: group.maxParallel,
      mergeStrategy: group.mergeStrategy,
      failurePolicy: group.failurePolicy,
      retries: group.retries,
      timeoutMs: group.timeoutMs ?? null,
      contextView: group.contextView,
    },
    children,
    head: input.head,
    changesetId: input.changesetId,
  });
}
