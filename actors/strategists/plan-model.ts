import {
  modelCallDecision,
  modelCalledData,
  sharesHostLoopback,
  type ModelRequest,
  type ModelTurn,
  type PlanSpec,
} from '../../src/domain/index.js';
import type { ActorServices } from '../services.js';

/**
 * The plan's model as its strategist calls it: each call is
 * recorded as it is made — a `model_call` decision under the strategy root
 * and a `model.called` journal entry, written with the plan's next
 * transition, so a strategize that fails still shows what its model cost —
 * and its text goes out as it comes to whoever follows the plan. Undefined
 * when the plan names no model.
 */
export function strategizeModel(
  services: Pick<ActorServices, 'models' | 'liveText' | 'newId' | 'now' | 'record' | 'sandboxPolicy'>,
  at: { planId: string; spec: PlanSpec; rootId: string; signal: AbortSignal },
): ((request: ModelRequest) => Promise<ModelTurn>) | undefined {
  const { agent } = at.spec;
  if (!agent) return undefined;
  let calls = 0;
  let sharedLoopback: Promise<boolean> | null = null;
  return async (request) => {
    const onText = services.liveText?.(at.planId, 'strategize') ?? null;
    // a plan whose commands share the host's network could listen on a loopback baseURL: its key goes there only when listed
    sharedLoopback ??= services.sandboxPolicy(at.planId).then(sharesHostLoopback);
    const turn = await services.models.call(request, {
      agent,
      signal: at.signal,
      sharedLoopback: await sharedLoopback,
      ...(onText ? { onText } : {}),
    });
    calls += 1;
    const decision = modelCallDecision(turn, {
      id: services.newId(),
      planId: at.planId,
      parentId: at.rootId,
      purpose: 'strategize',
      call: calls,
      actor: agent.model,
      createdAt: services.now(),
    });
    services.record?.(at.planId, {
      decisions: [decision],
      entries: [{ type: 'model.called', phase: 'strategize', data: modelCalledData(decision) }],
    });
    return turn;
  };
}
