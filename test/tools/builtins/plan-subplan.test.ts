import { describe, expect, it } from 'vitest';
import { newId, type Decision } from '../../../src/domain/index.js';
import { ToolRunner, createToolRegistry, type SpawnRecorder, type ToolContext } from '../../../src/tools/index.js';
import { toolContext } from '../helpers.js';

// builtin/plan-subplan (SPEC §8): a validated spawn becomes a structured
// decision; anything wrong is {success:false} and nothing is recorded.

const PLAN = newId();

function recorder(planName = 'demo/x') {
  const rootId = newId();
  const decisions = new Map<string, Decision>([
    [
      rootId,
      {
        id: rootId,
        planId: PLAN,
        parentId: null,
        type: 'strategy',
        title: 'root',
        rationale: '',
        payload: {},
        actor: 'test',
        createdAt: 't',
        status: 'active',
      },
    ],
  ]);
  let spawned = 0;
  const spawns: SpawnRecorder = {
    planName,
    rootId,
    spawned: () => spawned,
    decision: (id) => decisions.get(id),
    newId: () => newId(),
    record: (request) => {
      const decision: Decision = { ...request, planId: PLAN, actor: 'test', createdAt: 't', status: 'active' };
      decisions.set(decision.id, decision);
      spawned += 1;
      return decision;
    },
  };
  return { spawns, decisions, rootId };
}

function context(spawns?: SpawnRecorder): ToolContext {
  return { ...toolContext('/nonexistent', { phase: 'strategize' }), planId: PLAN, ...(spawns ? { spawns } : {}) };
}

const run = (input: unknown, spawns?: SpawnRecorder) =>
  new ToolRunner().run('builtin/plan-subplan', input, context(spawns));

describe('builtin/plan-subplan', () => {
  it('records a subplan_spawn decision with every field structured, and says what it decided', async () => {
    const { spawns, decisions, rootId } = recorder();
    const result = await run(
      {
        goal: 'Headers in core',
        resourceScopes: ['packages/core/**'],
        retries: 1,
        timeoutMs: 60_000,
        strategy: { steps: [] },
      },
      spawns,
    );
    expect(result).toMatchObject({
      success: true,
      output: { success: true, decisionType: 'subplan_spawn', parentDecisionId: rootId },
    });
    const output = (result as { output: { decisionId: string; rationale: string } }).output;
    expect(output.rationale).toBe(
      'Spawn demo/x-1 to Headers in core (scopes packages/core/**; sequential mode, one at a time; no dependencies).',
    );
    const decision = decisions.get(output.decisionId)!;
    expect(decision).toMatchObject({
      type: 'subplan_spawn',
      parentId: rootId,
      title: 'Spawn demo/x-1: Headers in core',
    });
    expect(decision.payload).toMatchObject({
      planId: PLAN,
      childName: 'demo/x-1',
      spawnIndex: 1,
      goal: 'Headers in core',
      resourceScopes: ['packages/core/**'],
      parallel: false,
      mode: 'sequential',
      maxParallel: 4,
      mergeStrategy: 'three-way',
      contextView: 'skeleton',
      failurePolicy: 'fail-fast',
      retries: 1,
      timeoutMs: 60_000,
      dependencies: [],
      parentDecisionId: rootId,
      strategy: { steps: [] },
    });
    expect(decision.payload.childId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('records a parallel spawn with its dependencies named in the rationale, and numbers children in spawn order', async () => {
    const { spawns } = recorder();
    const first = (await run({ goal: 'One', resourceScopes: ['a/**'], parallel: true }, spawns)) as {
      output: { decisionId: string };
    };
    const second = await run(
      {
        goal: 'Two',
        resourceScopes: ['b/**'],
        parallel: true,
        mode: 'dependency-ordered',
        dependencies: [first.output.decisionId],
        name: 'demo/two',
      },
      spawns,
    );
    expect(second).toMatchObject({
      success: true,
      output: {
        decisionType: 'subplan_parallel_spawn',
        rationale: 'Spawn demo/two to Two (scopes b/**; dependency-ordered mode, may run in parallel; after demo/x-1).',
      },
    });
    const third = await run({ goal: 'Three', project: 'docs-site' }, spawns);
    expect((third as { output: { rationale: string } }).output.rationale).toContain(
      'Spawn demo/x-3 to Three (project docs-site;',
    );
  });

  it.each([
    [{ resourceScopes: ['a'] }, 'input.goal: is required'],
    [{ goal: '  ', resourceScopes: ['a'] }, 'input.goal: must not be empty'],
    [{ goal: 'g' }, 'input.resourceScopes: a child plan needs resourceScopes or a project'],
    [{ goal: 'g', resourceScopes: [] }, 'input.resourceScopes: must list at least one glob'],
    [{ goal: 'g', resourceScopes: ['../x'] }, 'input.resourceScopes[0]: must not contain ".." segments ("../x")'],
    [
      { goal: 'g', resourceScopes: ['/etc/**'] },
      'input.resourceScopes[0]: must be a relative glob, not absolute ("/etc/**")',
    ],
    [
      { goal: 'g', resourceScopes: ['x'.repeat(257)] },
      'input.resourceScopes[0]: must be at most 256 characters (has 257)',
    ],
    [{ goal: 'g', resourceScopes: ['a'], maxParallel: 51 }, 'input.maxParallel: must be between 1 and 50'],
    [{ goal: 'g', resourceScopes: ['a'], maxParallel: 0 }, 'input.maxParallel: must be between 1 and 50'],
    [{ goal: 'g', resourceScopes: ['a'], mergeStrategy: 'mine' }, 'input.mergeStrategy:'],
    [{ goal: 'g', resourceScopes: ['a'], contextView: 'all' }, 'input.contextView:'],
    [{ goal: 'g', resourceScopes: ['a'], failurePolicy: 'maybe' }, 'input.failurePolicy:'],
    [{ goal: 'g', resourceScopes: ['a'], planId: 'nope' }, 'input.planId: must be a ULID'],
    [{ goal: 'g', resourceScopes: ['a'], dependencies: ['x'] }, 'input.dependencies[0]: must be a ULID'],
    [{ goal: 'g', resourceScopes: ['a'], parentDecisionId: 'x' }, 'input.parentDecisionId: must be a ULID'],
    [
      { goal: 'g', resourceScopes: ['a'], dependencies: ['01ARZ3NDEKTSV4RRFFQ69G5FAV', '01ARZ3NDEKTSV4RRFFQ69G5FAV'] },
      'input.dependencies: must not list a decision twice',
    ],
    [{ goal: 'g', resourceScopes: ['a'], retries: 11 }, 'input.retries: must be between 0 and 10'],
    [{ goal: 'g', resourceScopes: ['a'], name: 'Bad Name' }, 'input.name: must be namespace/name'],
    [{ goal: 'g', resourceScopes: ['a'], surprise: true }, 'input.surprise: is not a known field'],
  ])('refuses %j, recording nothing', async (input, message) => {
    const { spawns, decisions } = recorder();
    const result = await run(input, spawns);
    expect(result).toMatchObject({ success: false, error: { code: 'VALIDATION_ERROR' } });
    expect((result as { error: { message: string } }).error.message).toContain(message);
    expect(decisions.size).toBe(1);
  });

  it('takes a child without scopes or project when the parent has no scopes either (issue 35)', async () => {
    const { spawns } = recorder();
    expect(await run({ goal: 'Anywhere' }, { ...spawns, parentScopes: null })).toMatchObject({
      success: true,
      output: { decisionType: 'subplan_spawn' },
    });
    expect(await run({ goal: 'Anywhere' }, { ...spawns, parentScopes: ['src/**'] })).toMatchObject({
      success: false,
      error: { code: 'VALIDATION_ERROR' },
    });
  });

  it('refuses references to decisions the plan did not make, and another plan id', async () => {
    const { spawns, decisions } = recorder();
    const result = await run(
      { goal: 'g', resourceScopes: ['a'], planId: newId(), dependencies: [newId()], parentDecisionId: newId() },
      spawns,
    );
    expect(result).toMatchObject({
      success: false,
      error: {
        code: 'VALIDATION_ERROR',
        details: {
          issues: expect.arrayContaining([
            expect.objectContaining({ path: 'input.planId' }),
            expect.objectContaining({ path: 'input.parentDecisionId' }),
            expect.objectContaining({ path: 'input.dependencies[0]' }),
          ]),
        },
      },
    });
    expect(decisions.size).toBe(1);
  });

  it('gives a spawn the id of the former child of the plan that holds its name, when it works in the same project (issue 44)', async () => {
    const { spawns, decisions } = recorder();
    const former = {
      'demo/x-1': { id: newId(), project: 'default' },
      'demo/docs': { id: newId(), project: 'docs-site' },
    };
    spawns.formerChild = async (name) => former[name as keyof typeof former] ?? null;
    const childIds: unknown[] = [];
    for (const input of [
      { goal: 'Again', resourceScopes: ['a'] },
      { goal: 'New', resourceScopes: ['b'] },
      { goal: 'Elsewhere', name: 'demo/docs', resourceScopes: ['c'] },
    ]) {
      const result = (await run(input, spawns)) as { output: { decisionId: string } };
      childIds.push(decisions.get(result.output.decisionId)!.payload.childId);
    }
    expect(childIds[0]).toBe(former['demo/x-1'].id);
    expect(new Set(childIds).size).toBe(3);
    expect(childIds.slice(1)).not.toContain(former['demo/docs'].id);
  });

  it('names a child whose generated name would not be a plan name', async () => {
    const { spawns } = recorder(`demo/${'x'.repeat(63)}`);
    const result = await run({ goal: 'g', resourceScopes: ['a'] }, spawns);
    expect((result as { error: { message: string } }).error.message).toContain('give the child a name');
  });

  it('is refused outside strategize, where there is no plan decision to record', async () => {
    expect(await run({ goal: 'g', resourceScopes: ['a'] })).toMatchObject({
      success: false,
      error: { code: 'VALIDATION_ERROR', message: expect.stringContaining('call it from a strategist') },
    });
  });

  it('declares spawn_subplan and has a deterministic JSON schema for LLM actors', () => {
    const registry = createToolRegistry();
    expect(registry.get('builtin/plan-subplan')?.sideEffects).toEqual(['spawn_subplan']);
    const schema = registry.jsonSchema('builtin/plan-subplan');
    expect(JSON.stringify(schema)).toBe(JSON.stringify(createToolRegistry().jsonSchema('builtin/plan-subplan')));
    expect(schema).toMatchObject({
      type: 'object',
      required: ['goal'],
      properties: { goal: { type: 'string' }, maxParallel: { minimum: 1, maximum: 50 } },
    });
  });
});
