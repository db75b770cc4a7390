import {
  PhaseGuardError,
  ValidationError,
  isTerminalStatus,
  newId,
  planUpdateChanges,
  type Decision,
  type Phase,
  type PlanRecord,
  type PlanSpec,
  type PlanStatus,
  type TieredInvariant,
} from '../../domain/index.js';
import { planPosition } from '../../../machines/index.js';
import type { PlanMemory, PlanPersistence } from '../persistence/index.js';
import type { LivePlan } from './live-plan-views.js';
import type { PlanUpdateOptions, PlanUpdateResult } from './plan-api.js';

/** What the runtime lends {@link updatePlan}. */
export interface PlanUpdateHost {
  memory: PlanMemory;
  persistence: PlanPersistence;
  now(): string;
  readPlan(planId: string): Promise<PlanRecord>;
  /** Check a plan file exactly as `createPlan` does: schema, tools, checks, projects, the project's limits and network, loader variables, the model. */
  check(source: unknown, subject: string): Promise<PlanSpec>;
  /** The plan's live actor, restored if needed; null for a plan that ended. */
  live(planId: string): Promise<LivePlan | null>;
  /** The plan's invariants as strategize tiers them (project, inherited, its file's), from the file it goes on with. */
  invariantsOf(planId: string): Promise<TieredInvariant[]>;
  /** Resolves once what the plan recorded is stored (throws a failed write). */
  settled(planId: string): Promise<void>;
}

/**
 * `plan update`: a live plan goes on with an edited plan file —
 * its `validate`, `env`, `invariants`, `sandbox.limits` and `network` —
 * checked exactly as a new plan's, before apply. Any other field that
 * differs is a `VALIDATION_ERROR` naming each; a plan that ended, is at
 * apply or passed validate is `PHASE_GUARD`; nothing is written then. The
 * new file replaces the stored one (and the one in memory) with a
 * `plan_update` decision and `plan.updated`, in one batch. What the plan
 * starts from then on reads it: the next step, check or validate run;
 * commands running already keep what they started with.
 *
 * @example
 * const result = await updatePlan(host, planId, editedYaml);
 * console.log(result.changed); // ['validate', 'env']
 */
export async function updatePlan(
  host: PlanUpdateHost,
  planId: string,
  source: unknown,
  options: PlanUpdateOptions = {},
): Promise<PlanUpdateResult> {
  const record = await host.readPlan(planId);
  refuseAt(record.name, record.phase, record.status);
  const spec = await host.check(source, options.origin ?? 'plan file');
  const live = await host.live(planId);
  // it ended meanwhile
  if (!live)
    throw (
      refusal(record.name, record.phase, (await host.readPlan(planId)).status) ??
      new PhaseGuardError(record.name, 'update', 'it ended')
    );
  const { value, context } = live.snapshot();
  // it may have moved on since its record was read
  const now = planPosition(value as never, context);
  refuseAt(record.name, now.phase, now.status);
  // the file it goes on with: an update whose write is still landing included
  const changes = planUpdateChanges(await host.memory.spec(planId), spec);
  if (changes.refused.length > 0) {
    throw new ValidationError(changes.refused, {
      subject: options.origin ?? 'plan file',
      hint: `a live plan takes changes to validate, env, invariants, sandbox.limits and network only: put the other fields back as ${record.name} has them, or cancel it and run the file as a new plan (troupe plan cancel ${record.name}, then troupe plan run <file> --replace)`,
    });
  }
  if (changes.changed.length === 0)
    return { planId, changed: [], before: {}, after: {}, decisionId: null, plan: await host.readPlan(planId) };
  const decision: Decision = {
    id: newId(),
    planId,
    parentId: context.decisionRootId,
    type: 'plan_update',
    title: `updated ${listed(changes.changed)} from the plan file`,
    rationale:
      options.reason ?? 'asked for by the user (troupe plan update); what the plan runs from now on reads the new file',
    payload: { changed: changes.changed, before: changes.before, after: changes.after },
    actor: 'user',
    createdAt: host.now(),
    status: 'active',
  };
  // its next command reads the new file at once: the one in memory is replaced before the write lands
  host.memory.remember(planId, [decision]);
  host.memory.setSpec(planId, spec);
  // the machine holds the invariants strategize tiered: it takes the new ones right before the record below,
  // with nothing awaited between, so its snapshot is written in the same batch (a plan not strategized yet
  // tiers the new file itself)
  const invariants = changes.changed.includes('invariants') ? await host.invariantsOf(planId) : null;
  if (invariants !== null) live.send({ type: 'plan.updated', invariants });
  host.persistence.record(planId, {
    decisions: [decision],
    spec,
    entries: [{ type: 'plan.updated', phase: now.phase, data: { decisionId: decision.id, changed: changes.changed } }],
  });
  await host.settled(planId);
  return {
    planId,
    changed: changes.changed,
    before: changes.before,
    after: changes.after,
    decisionId: decision.id,
    plan: await host.readPlan(planId),
  };
}

function refuseAt(name: string, phase: Phase, status: PlanStatus): void {
  const refused = refusal(name, phase, status);
  if (refused) throw refused;
}

// before apply, and before validate passed: after that, nothing the plan runs reads these fields again
function refusal(name: string, phase: Phase, status: PlanStatus): PhaseGuardError | null {
  const why = isTerminalStatus(status)
    ? `it ${status === 'done' ? 'is done' : `was ${status}`}: nothing it runs reads its plan file again`
    : phase === 'apply'
      ? `it is at (apply, ${status}): a plan is updated before apply`
      : phase === 'validate' && status === 'complete'
        ? 'it passed validate: nothing it runs before apply reads these fields'
        : null;
  if (why === null) return null;
  const hint = isTerminalStatus(status)
    ? 'run the file as a new plan: troupe plan run <file> --replace'
    : `to validate it again with other commands: troupe plan rollback ${name}, then troupe plan update ${name} <file>`;
  return new PhaseGuardError(name, 'update', why, hint);
}

function listed(fields: readonly string[]): string {
  return fields.length === 1 ? fields[0]! : `${fields.slice(0, -1).join(', ')} and ${fields.at(-1)}`;
}
