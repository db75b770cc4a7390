import { TroupeError, compileGlobs, type Decision, type JournalEntry } from '../src/domain/index.js';
import type { SpawnRecorder } from '../src/tools/types.js';
import { groupDecisions, strayGroup, type GroupStep } from './subplans/group-decisions.js';
import { scriptedStrategist } from './strategists/scripted.js';
import { strategistFor } from './strategists/choose.js';
import { strategizeModel } from './strategists/plan-model.js';
import type { StrategizeInput, StrategizeOutput, StepRef } from '../machines/index.js';
import type { ActorServices } from './services.js';
import type { DecisionRequest, ParentView, Strategist } from './types.js';
import { checksOffDecision, makeDecision, sandboxPolicyDecision } from './strategy-decisions.js';
import { checkedSteps, stepIssues, validateSteps } from './strategy-steps.js';

/**
 * The `strategize` actor: runs the chosen strategist read-only and turns
 * its answer into decisions — the `strategy` root and one `step` per step
 * (SPEC §6). Safe to run twice: nothing is written until the plan persists
 * the output, and the sandbox must be unchanged afterwards.
 */
export async function strategizePlan(
  input: StrategizeInput,
  services: ActorServices,
  chosen: Strategist,
  signal: AbortSignal,
): Promise<StrategizeOutput> {
  const [plan, spec, invariants] = await Promise.all([
    services.readPlan(input.planId),
    services.readSpec(input.planId),
    services.invariantsOf(input.planId),
  ]);
  // the plan's model decides a strategy the plan file leaves to it (agent.strategize, or the llm strategist)
  const strategist = strategistFor(spec, chosen);
  const root = services.sandboxes.pathOf(input.sandbox);
  const paths = await services.pathGuard(root, spec.resourceScopes);
  const rootId = services.newId();
  const extra: Decision[] = [];
  const decide = (request: DecisionRequest): Decision => {
    const decision = makeDecision(services, input.planId, strategist.name, {
      ...request,
      parentId: request.parentId ?? rootId,
    });
    extra.push(decision);
    return decision;
  };
  // builtin/plan-subplan records its spawn decisions here (SPEC §8)
  const known = new Map<string, Decision>();
  // decisions recorded after the strategist answered (the steps), for spawns to name as their parent
  const later = new Map<string, Decision>();
  let spawned = 0;
  // children that already exist are an earlier strategy's (a retry, a run after a rollback): a spawn of the same name takes one over
  const takenOver = new Set<string>();
  const spawns: SpawnRecorder = {
    planName: plan.name,
    rootId,
    spawned: () => spawned,
    decision: (id) =>
      known.get(id) ??
      later.get(id) ??
      extra.find((decision) => decision.id === id) ??
      (id === rootId ? ({ id: rootId, type: 'strategy' } as Decision) : undefined),
    newId: () => services.newId(),
    record: (request) => {
      const decision = makeDecision(services, input.planId, strategist.name, request, request.id);
      known.set(decision.id, decision);
      spawned += 1;
      return decision;
    },
    formerChild: async (name) => {
      if (takenOver.has(name)) return null;
      const former = await services.childNamed(input.planId, name);
      if (!former) return null;
      takenOver.add(name);
      return { id: former.id, project: former.project };
    },
  };
  // commands in strategize see the worktree read-only: the phase may only read (SPEC §1)
  const commands = await services.commandRunner(input.planId, root, { readOnly: true });
  const runCommandOf =
    (tool: string) =>
    (command: string, options: { timeoutMs?: number; tailBytes?: number } = {}) =>
      commands(command, { ...options, signal, log: { kind: 'strategize', tool } });
  const toolContext = (tool: string) => ({
    planId: input.planId,
    phase: 'strategize' as const,
    cwd: root,
    paths,
    env: services.commandEnv(spec.env),
    signal,
    spawns,
    runCommand: runCommandOf(tool),
  });

  // the built-in scripted strategist returns the plan file's steps and
  // nothing else: it reads no parent view and calls no tool, so it is not
  // built one (a fan-out would read the parent's decisions once per child)
  // and its sandbox needs no read-only check. Only this identity is trusted:
  // any other strategist is checked, whatever it says of itself.
  const scripted = strategist === scriptedStrategist;
  const parent = input.child && !scripted ? await parentView(services, input, spec.resourceScopes) : undefined;
  const model = strategizeModel(services, { planId: input.planId, spec, rootId, signal });
  const result = await strategist.strategize(
    { plan, spec, invariants, reconciliation: spec.reconciliation, ...(parent ? { parent } : {}) },
    {
      sandboxRoot: root,
      signal,
      decide,
      callTool: (name, toolInput) => services.tools.run(name, toolInput, toolContext(name)),
      ...(model ? { model } : {}),
      tools: services.tools.catalog(),
      checkSteps: (steps) => stepIssues(steps, services, spec.resourceScopes).issues,
    },
  );

  // strategize is read-only whatever the strategist did: the runtime checks
  // the sandbox, not the actor's good manners (SPEC §1) — the scripted one
  // cannot have written anything
  if (!scripted) {
    const changed = await services.sandboxes.pendingPaths(input.sandbox);
    if (changed.length > 0) {
      await services.sandboxes.reset(input.sandbox, input.sandbox.headCommit);
      throw new TroupeError(
        'READ_ONLY_PHASE',
        `strategist "${strategist.name}" changed files during strategize: ${changed.slice(0, 5).join(', ')}`,
        {
          details: { files: changed },
          hint: 'strategize may only read; write files in execute steps',
        },
      );
    }
    // seen clean at its head: the first step need not ask again
    services.cleanSandboxes.set(input.planId, input.sandbox.headCommit);
  }

  // the scripted strategist's steps are the plan file's, read through its schema already: only
  // what depends on this runtime (its tools) is checked again; any other strategist's are checked whole
  const returned =
    scripted && result?.steps === spec.strategy?.steps
      ? checkedSteps(spec.strategy?.steps ?? [], services, spec.resourceScopes)
      : validateSteps(result?.steps, services, spec.resourceScopes);
  // spawns the strategist decided with the tool itself, outside a subplans step, run as one last group
  const strayed = [...known.values()];
  const steps: GroupStep[] = strayed.length > 0 ? [...returned, strayGroup(strayed)] : returned;
  const rootDecision = makeDecision(
    services,
    input.planId,
    strategist.name,
    {
      type: 'strategy',
      title: plan.goal,
      rationale: result.rationale ?? '',
      payload: { goal: plan.goal, strategist: strategist.name, stepCount: steps.length },
    },
    rootId,
  );
  const stepDecisions = steps.map((step, index) =>
    makeDecision(services, input.planId, strategist.name, {
      type: 'step',
      title: step.title,
      rationale:
        'tool' in step
          ? `call ${step.tool}`
          : `run ${step.subplans.entries.length + ('spawned' in step ? step.spawned.length : 0)} subplan(s), ${step.subplans.mode}`,
      payload: 'tool' in step ? { index, tool: step.tool, input: step.input } : { index, subplans: {} },
      parentId: rootId,
    }),
  );
  for (const decision of stepDecisions) later.set(decision.id, decision);
  // each subplans step: its step decision is the group, one spawn decision per entry through the tool
  const groupSteps: number[] = [];
  // what overlap detection recorded beside the groups (docs/reference/subplans.md#overlapping-children)
  const overlaps: Decision[] = [];
  const entries: JournalEntry[] = [];
  // the sandbox's files, read once for every group that has overlapping entries
  let tree: Promise<string[]> | null = null;
  for (const [index, step] of steps.entries()) {
    if ('tool' in step) continue;
    groupSteps.push(index);
    const group = await groupDecisions({
      step,
      index,
      decision: stepDecisions[index]!,
      run: (spawn) => services.tools.run('builtin/plan-subplan', spawn, toolContext('builtin/plan-subplan')),
      spawnOf: (id) => known.get(id),
      overlapDefault: services.overlapDefault,
      tree: () => (tree ??= services.sandboxes.files(input.sandbox, input.sandbox.headCommit)),
      newId: () => services.newId(),
    });
    stepDecisions[index] = group.decision;
    overlaps.push(...group.decisions);
    entries.push(...group.entries);
  }
  const refs: StepRef[] = stepDecisions.map((decision) => ({ decisionId: decision.id, title: decision.title }));
  // recorded once, so `plan explain` says the checks were off (SPEC §6)
  const checksOff = spec.reconciliation ? [] : [checksOffDecision(services, input.planId, rootId, invariants)];
  // and how its commands are contained, when that is not the default (SPEC §15)
  const policy = await sandboxPolicyDecision(services, plan, rootId);
  return {
    decisions: [rootDecision, ...stepDecisions, ...extra, ...known.values(), ...overlaps, ...checksOff, ...policy],
    decisionRootId: rootId,
    steps: refs,
    invariants,
    reconciliation: spec.reconciliation,
    groupSteps,
    ...(entries.length > 0 ? { entries } : {}),
    ...(result.open === true ? { open: true } : {}),
  };
}

// what a child's strategist is told of its parent, by the spawn entry's contextView (SPEC §8)
async function parentView(
  services: ActorServices,
  input: StrategizeInput,
  scopes: string[] | undefined,
): Promise<ParentView | undefined> {
  const child = input.child!;
  if (child.contextView === 'none') return undefined;
  const [parent, decisions, files] = await Promise.all([
    services.readPlan(child.parentId),
    services.readDecisions(child.parentId),
    services.sandboxes.files(input.sandbox, input.sandbox.baseCommit),
  ]);
  const active = decisions.filter((decision) => decision.status === 'active');
  if (child.contextView === 'full') {
    return {
      view: 'full',
      name: parent.name,
      goal: parent.goal,
      decisions: active.map(({ type, title, rationale, payload }) => ({ type, title, rationale, payload })),
      files,
    };
  }
  // a scope stored before its syntax was refused shows no files, as it grants no writes
  const inScope = scopes ? compileGlobs(scopes, { refused: 'match-nothing' }) : () => true;
  return {
    view: 'skeleton',
    name: parent.name,
    goal: parent.goal,
    decisions: active.map(({ type, title }) => ({ type, title })),
    files: files.filter((file) => inScope(file)),
  };
}
