import {
  DEFAULT_PROJECT,
  TroupeError,
  ValidationError,
  childPlanName,
  planNameProblem,
  spawnRationale,
  subplanSpawnInputSchema,
  type FieldIssue,
  type SubplanSpawn,
  type SubplanSpawnPayload,
  type SubplanSpawnResult,
} from '../../domain/index.js';
import { defineTool } from '../define-tool.js';

const SPAWN_TYPES = new Set(['subplan_spawn', 'subplan_parallel_spawn']);

/**
 * `builtin/plan-subplan` (SPEC §8): decide to spawn one child plan. The
 * input is validated field by field (the ToolRunner answers
 * `{success: false, error}` and records nothing when it is not); then the
 * parent, dependencies and name are checked against what the plan decided,
 * and a `subplan_spawn` (or, `parallel`, `subplan_parallel_spawn`) decision
 * is recorded with every field in its payload, the child's id and name
 * fixed — the id of a former child of the plan that holds the name, which
 * then starts over in place. The supervisor starts the child in execute.
 * Available while a plan strategizes.
 *
 * @example
 * await callTool('builtin/plan-subplan', { goal: 'Headers in packages/core', resourceScopes: ['packages/core/**'] });
 * // { success: true, decisionId: '01J…', decisionType: 'subplan_spawn', parentDecisionId: '01J…', rationale: 'Spawn demo/x-1 to …' }
 */
export const planSubplanTool = defineTool({
  name: 'builtin/plan-subplan',
  description:
    'Decide to spawn a child plan with its own goal, scopes and strategy; it runs in its own sandbox in execute and is merged back',
  input: subplanSpawnInputSchema,
  sideEffects: ['spawn_subplan'],
  handler: async (spawn: SubplanSpawn, context): Promise<SubplanSpawnResult> => {
    const recorder = context.spawns;
    if (!recorder) {
      throw new TroupeError(
        'VALIDATION_ERROR',
        'builtin/plan-subplan records a spawn decision while the plan strategizes; call it from a strategist',
        {
          hint: 'child plans are decided in strategize and started by the supervisor in execute',
        },
      );
    }
    const issues: FieldIssue[] = [];
    // a parent without scopes may write anything: so may a child that names none
    if (!spawn.resourceScopes && !spawn.project && recorder.parentScopes !== null) {
      issues.push({ path: 'input.resourceScopes', message: 'a child plan needs resourceScopes or a project' });
    }
    if (spawn.planId !== undefined && spawn.planId !== context.planId) {
      issues.push({
        path: 'input.planId',
        message: `must be the plan being strategized (${context.planId}), or left out`,
      });
    }
    const parentDecisionId = spawn.parentDecisionId ?? recorder.rootId;
    if (spawn.parentDecisionId !== undefined && !recorder.decision(spawn.parentDecisionId)) {
      issues.push({
        path: 'input.parentDecisionId',
        message: `is not a decision of this plan (${spawn.parentDecisionId})`,
      });
    }
    const dependencyNames: string[] = [];
    spawn.dependencies.forEach((id, index) => {
      const dependency = recorder.decision(id);
      if (!dependency || !SPAWN_TYPES.has(dependency.type))
        issues.push({ path: `input.dependencies[${index}]`, message: `is not a spawn decision of this plan (${id})` });
      else dependencyNames.push(String((dependency.payload as SubplanSpawnPayload).childName));
    });
    const spawnIndex = recorder.spawned() + 1;
    const childName = spawn.name ?? childPlanName(recorder.planName, spawnIndex);
    const nameProblem = planNameProblem(childName);
    if (nameProblem)
      issues.push({
        path: spawn.name === undefined ? 'input.name' : 'input.name',
        message:
          spawn.name === undefined
            ? `the generated name ${childName} is not a plan name (${nameProblem}); give the child a name`
            : nameProblem,
      });
    if (issues.length > 0) throw new ValidationError(issues, { subject: 'builtin/plan-subplan' });
    // a child an earlier strategy of this plan made under the name (in the same project) is taken over, not made twice
    const former = await recorder.formerChild?.(childName);
    const childId = former && former.project === (spawn.project ?? DEFAULT_PROJECT) ? former.id : recorder.newId();

    const type = spawn.parallel ? 'subplan_parallel_spawn' : 'subplan_spawn';
    const payload: SubplanSpawnPayload = {
      ...stripUndefined(spawn),
      planId: context.planId,
      childId,
      childName,
      spawnIndex,
      mode: spawn.mode ?? (spawn.parallel ? 'parallel' : 'sequential'),
      parentDecisionId,
    } as SubplanSpawnPayload;
    const rationale = spawnRationale(payload, dependencyNames);
    const decision = recorder.record({
      id: recorder.newId(),
      type,
      title: `Spawn ${childName}: ${spawn.goal}`,
      rationale,
      payload,
      parentId: parentDecisionId,
    });
    return { success: true, decisionId: decision.id, decisionType: type, parentDecisionId, rationale };
  },
});

// a payload holds what was given: no keys with undefined values
function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
