// Whether an agent-driven plan takes an agent's calls just now — alive, past strategize, open
// in execute — and, when it does not, a PHASE_GUARD that names what to do instead.
import { planPosition } from '../../../machines/index.js';
import { PhaseGuardError } from '../../domain/index.js';
import type { LivePlan } from '../checkpoints/index.js';
import type { AgentHost } from './agent-host.js';

/**
 * The plan's live actor, once it is at rest, agent-driven and past strategize;
 * a plan a rollback left queued in execute is opened again first.
 * `PHASE_GUARD` saying why otherwise; `what` is the call, as in "cannot finish".
 */
export async function openablePlan(host: AgentHost, id: string, what: string): Promise<LivePlan> {
  const live = await host.live(id);
  if (!live) {
    const record = await host.readPlan(id);
    throw new PhaseGuardError(
      record.name,
      what,
      `the plan is ${record.status} (nothing leaves a terminal status)`,
      `troupe plan status ${record.name} shows how it ended`,
    );
  }
  // its children run as long as their agents take: say so now rather than wait for them
  const now = live.snapshot();
  if (now.context.group && planPosition(now.value as never, now.context).status === 'processing')
    throw notOpen(live, what);
  const record = await live.untilRest();
  const { context } = live.snapshot();
  if (record.phase === 'strategize') {
    throw new PhaseGuardError(
      record.name,
      what,
      `it has not strategized yet (${record.phase}, ${record.status})`,
      `run it first (plan_run, or troupe plan run ${record.name}): it then stays open for tool calls`,
    );
  }
  if (!context.open) {
    throw new PhaseGuardError(
      record.name,
      what,
      'it is not agent-driven: its steps come from its plan file',
      'create a plan without strategy.steps to drive it one tool call at a time (docs/reference/mcp.md)',
    );
  }
  await reopenPlan(host, id);
  return live;
}

/** Why an agent-driven plan does not take `what` in the state it is in, with the call or command that helps. */
export function notOpen(live: LivePlan, what: string): PhaseGuardError {
  const { value, context } = live.snapshot();
  const { phase, status } = planPosition(value as never, context);
  const name = context.name;
  if (phase === 'execute' && status === 'waiting' && context.merge) {
    return new PhaseGuardError(
      name,
      what,
      'it waits on merge conflicts of its subplans',
      `see them with plan_conflicts and settle each with plan_resolve (troupe plan conflicts ${name})`,
    );
  }
  if (phase === 'execute' && status === 'processing') {
    return new PhaseGuardError(
      name,
      what,
      'it is running a step or its subplans',
      context.group
        ? `wait for its children (subplan_wait); each child is finished with plan_finish (troupe plan finish <child>)`
        : 'wait for the call under way',
    );
  }
  if (phase === 'execute' && status === 'failed') {
    return new PhaseGuardError(
      name,
      what,
      `execute failed (${context.error?.code ?? 'an error'})`,
      `see why with troupe plan status ${name} (plan_status); correct it (troupe plan correct ${name} --mode append|revert) or go back (troupe plan rollback ${name}, or plan_rollback)`,
    );
  }
  return new PhaseGuardError(
    name,
    what,
    `it is no longer open for steps: it is (${phase}, ${status})`,
    phase === 'execute'
      ? undefined
      : `it was finished; to go on taking calls, roll it back to a checkpoint taken while it was open (troupe plan rollback ${name} --to <checkpoint>, or plan_rollback)`,
  );
}

/** Open an agent-driven plan again after a rollback left it queued in execute (SPEC §16); whether it did. */
export async function reopenPlan(host: AgentHost, planId: string): Promise<boolean> {
  const live = await host.live(planId);
  if (!live) return false;
  const { value, context } = live.snapshot();
  const position = planPosition(value as never, context);
  if (!context.open || position.phase !== 'execute' || position.status !== 'queued') return false;
  live.send({ type: 'plan.execute' });
  await live.untilRest();
  return true;
}
