// The decisions strategize records: each made whole from what its maker
// asked for, and the runtime's own beside the strategy — checks that are
// off, and how the plan's commands are contained when that is not the default.
import type {
  Decision,
  PlanRecord,
  ReconciliationPayload,
  SandboxPolicyPayload,
  TieredInvariant,
} from '../src/domain/index.js';
import type { ActorServices } from './services.js';
import type { DecisionRequest } from './types.js';

/**
 * The `reconciliation` decision a plan whose file turns the checks off
 * records once, so `plan explain` says they were off (SPEC §6).
 */
export function checksOffDecision(
  services: ActorServices,
  planId: string,
  rootId: string,
  invariants: readonly TieredInvariant[],
): Decision {
  const payload: ReconciliationPayload = { enabled: false, trigger: null, outcome: null, results: [] };
  const unchecked =
    invariants.length === 0
      ? ''
      : `; ${invariants.length} invariant(s) will not be checked: ${invariants.map((invariant) => invariant.id).join(', ')}`;
  return makeDecision(services, planId, 'runtime', {
    type: 'reconciliation',
    title: 'Invariant checks are off for this plan',
    rationale: `the plan file says reconciliation: false${unchecked}`,
    payload,
    parentId: rootId,
  });
}

/**
 * A `sandbox_policy` decision when the plan's commands get the network or
 * run unconfined (SPEC §15): none when they are contained the default way.
 */
export async function sandboxPolicyDecision(
  services: ActorServices,
  plan: PlanRecord,
  rootId: string,
): Promise<Decision[]> {
  const policy = await services.sandboxPolicy(plan.id);
  if (policy.mode === 'off') {
    const payload: SandboxPolicyPayload = { network: true, mode: 'off' };
    return [
      makeDecision(services, plan.id, 'runtime', {
        type: 'sandbox_policy',
        title: 'Commands run unconfined: the sandbox is off',
        rationale: `"sandbox": {"mode": "off"} in .troupe/config.json: commands can read and write anything the user can and use the network${policy.allow ? ' — the network allow-list is not enforced' : ''}`,
        payload,
        parentId: rootId,
      }),
    ];
  }
  if (policy.allow) {
    const from =
      policy.networkFrom === 'project'
        ? 'network.allow in .troupe/config.json'
        : plan.parentId
          ? 'network.allow, inherited from the parent plan'
          : 'network.allow in the plan file';
    const payload: SandboxPolicyPayload = { network: { allow: [...policy.allow] } };
    const listed =
      policy.allow.length === 0 ? "no host (none of the plan's is within the project's list)" : policy.allow.join(', ');
    return [
      makeDecision(services, plan.id, 'runtime', {
        type: 'sandbox_policy',
        title: `Commands may reach only the hosts on the allow-list: ${clipped(listed)}`,
        rationale: `${from}: commands reach ${listed} through troupe's proxy, and nothing else; every refused connection is journaled (network.denied)`,
        payload,
        parentId: rootId,
      }),
    ];
  }
  if (!policy.network) return [];
  const from =
    policy.networkFrom === 'project'
      ? '"network": true in .troupe/config.json'
      : plan.parentId
        ? 'network: true, inherited from the parent plan'
        : 'network: true in the plan file';
  const payload: SandboxPolicyPayload = { network: true };
  return [
    makeDecision(services, plan.id, 'runtime', {
      type: 'sandbox_policy',
      title: 'Commands may use the network',
      rationale: `${from}: commands run contained but share the host's network`,
      payload,
      parentId: rootId,
    }),
  ];
}

// a title names a few hosts; the rationale and the payload have them all
function clipped(text: string): string {
  return text.length > 100 ? `${text.slice(0, 99)}…` : text;
}

/**
 * A decision of plan `planId` made whole: its id (a new one unless given),
 * the actor that made it, when, and active.
 *
 * @example
 * makeDecision(services, planId, strategist.name, { type: 'step', title: 'write a.txt', parentId: rootId });
 */
export function makeDecision(
  services: ActorServices,
  planId: string,
  actor: string,
  request: DecisionRequest,
  id = services.newId(),
): Decision {
  return {
    id,
    planId,
    parentId: request.parentId ?? null,
    type: request.type,
    title: request.title,
    rationale: request.rationale ?? '',
    payload: request.payload ?? {},
    actor,
    createdAt: services.now(),
    status: 'active',
  };
}
