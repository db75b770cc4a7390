import {
  TroupeError,
  ValidationError,
  stepSchema,
  toFieldIssues,
  type Decision,
  type FieldIssue,
  type ReconciliationPayload,
  type Step,
  type TieredInvariant,
} from '../src/domain/index.js';
import type { StrategizeInput, StrategizeOutput, StepRef } from '../machines/index.js';
import type { ActorServices } from './services.js';
import type { DecisionRequest, Strategist } from './types.js';

/**
 * The `strategize` actor: runs the chosen strategist read-only and turns
 * its answer into decisions — the `strategy` root and one `step` per step
 * (SPEC §6). Safe to run twice: nothing is written until the plan persists
 * the output, and the sandbox must be unchanged afterwards.
 */
export async function strategizePlan(
  input: StrategizeInput,
  services: ActorServices,
  strategist: Strategist,
  signal: AbortSignal,
): Promise<StrategizeOutput> {
  const [plan, spec, invariants] = await Promise.all([services.readPlan(input.planId), services.readSpec(input.planId), services.invariantsOf(input.planId)]);
  const root = services.sandboxes.pathOf(input.sandbox);
  const paths = await services.pathGuard(root, spec.resourceScopes);
  const rootId = services.newId();
  const extra: Decision[] = [];
  const decide = (request: DecisionRequest): Decision => {
    const decision = makeDecision(services, input.planId, strategist.name, { ...request, parentId: request.parentId ?? rootId });
    extra.push(decision);
    return decision;
  };

  const result = await strategist.strategize(
    { plan, spec, invariants, reconciliation: spec.reconciliation },
    {
      sandboxRoot: root,
      signal,
      decide,
      callTool: (name, toolInput) =>
        services.tools.run(name, toolInput, { planId: input.planId, phase: 'strategize', cwd: root, paths, env: services.commandEnv(spec.env), signal }),
    },
  );

  // strategize is read-only whatever the strategist did: the runtime checks
  // the sandbox, not the actor's good manners (SPEC §1)
  const changed = await services.sandboxes.pendingPaths(input.sandbox);
  if (changed.length > 0) {
    await services.sandboxes.reset(input.sandbox, input.sandbox.headCommit);
    throw new TroupeError('READ_ONLY_PHASE', `strategist "${strategist.name}" changed files during strategize: ${changed.slice(0, 5).join(', ')}`, {
      details: { files: changed },
      hint: 'strategize may only read; write files in execute steps',
    });
  }

  const steps = validateSteps(result?.steps, services, spec.resourceScopes);
  const rootDecision = makeDecision(
    services,
    input.planId,
    strategist.name,
    { type: 'strategy', title: plan.goal, rationale: result.rationale ?? '', payload: { goal: plan.goal, strategist: strategist.name, stepCount: steps.length } },
    rootId,
  );
  const stepDecisions = steps.map((step, index) =>
    makeDecision(services, input.planId, strategist.name, {
      type: 'step',
      title: step.title,
      rationale: 'tool' in step ? `call ${step.tool}` : 'spawn subplans',
      payload: 'tool' in step ? { index, tool: step.tool, input: step.input } : { index, subplans: step.subplans as unknown as Record<string, unknown> },
      parentId: rootId,
    }),
  );
  const refs: StepRef[] = stepDecisions.map((decision) => ({ decisionId: decision.id, title: decision.title }));
  // recorded once, so `plan explain` says the checks were off (SPEC §6)
  const checksOff = spec.reconciliation ? [] : [checksOffDecision(services, input.planId, rootId, invariants)];
  return {
    decisions: [rootDecision, ...stepDecisions, ...extra, ...checksOff],
    decisionRootId: rootId,
    steps: refs,
    invariants,
    reconciliation: spec.reconciliation,
  };
}

function checksOffDecision(services: ActorServices, planId: string, rootId: string, invariants: readonly TieredInvariant[]): Decision {
  const payload: ReconciliationPayload = { enabled: false, trigger: null, outcome: null, results: [] };
  const unchecked = invariants.length === 0 ? '' : `; ${invariants.length} invariant(s) will not be checked: ${invariants.map((invariant) => invariant.id).join(', ')}`;
  return makeDecision(services, planId, 'runtime', {
    type: 'reconciliation',
    title: 'Invariant checks are off for this plan',
    rationale: `the plan file says reconciliation: false${unchecked}`,
    payload,
    parentId: rootId,
  });
}

function makeDecision(services: ActorServices, planId: string, actor: string, request: DecisionRequest, id = services.newId()): Decision {
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

// a custom strategist's steps get the same checks as a plan file's
function validateSteps(steps: unknown, services: ActorServices, scopes: string[] | undefined): Step[] {
  if (!Array.isArray(steps)) {
    throw new ValidationError([{ path: 'steps', message: 'the strategist must return a list of steps' }], { subject: 'strategy' });
  }
  const issues: FieldIssue[] = [];
  const parsed: Step[] = [];
  steps.forEach((raw, index) => {
    const result = stepSchema.safeParse(raw);
    if (!result.success) {
      issues.push(...toFieldIssues(result.error.issues, raw, `steps[${index}]`));
      return;
    }
    const step = result.data;
    if ('tool' in step) {
      for (const problem of services.tools.check(step.tool, step.input, { scopes, pathPrefix: `steps[${index}]` })) {
        issues.push({ path: problem.path, message: problem.message });
      }
    } else {
      issues.push(subplansUnavailable(`steps[${index}].subplans`));
    }
    parsed.push(step);
  });
  if (issues.length > 0) throw new ValidationError(issues, { subject: 'strategy' });
  return parsed;
}

/** The issue for a `subplans` step: the supervisor that runs them is not part of this version. */
export function subplansUnavailable(path: string): FieldIssue {
  return { path, message: 'subplan steps cannot run yet: this version of troupe has no subplan supervisor' };
}
