import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRuntime, defineTool, type Executor, type Strategist, type TroupeError } from '../../src/index.js';
import { MAX_SUBPLAN_DEPTH } from '../../src/domain/index.js';
import { git, tempRepo } from '../helpers/temp.js';
import { planYaml, projectWithRuntime, step } from './fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
async function project(options: Parameters<typeof projectWithRuntime>[1] = {}) {
  const made = await projectWithRuntime(undefined, options);
  cleanups.push(made.close);
  return made;
}

describe('embedding: custom strategists, executors and tools', () => {
  it('uses a provided strategist, records its steps and extra decisions', async () => {
    const strategist: Strategist = {
      name: 'planner',
      async strategize({ spec }, { decide, callTool }) {
        const listing = await callTool('fs/list-files', { path: 'src' });
        decide({ type: 'invariant_enforcement', title: 'keep src compiling', payload: { invariantId: 'build' } });
        return {
          rationale: `saw ${listing.success ? (listing.output as { files: string[] }).files.length : 0} source files`,
          steps: [
            {
              title: `Note the goal: ${spec.goal}`,
              tool: 'fs/write-file',
              input: { path: 'GOAL', content: spec.goal },
            },
          ],
        };
      },
    };
    const { dir, runtime } = await project({ actors: { strategist } });
    const plan = await runtime.createPlan(planYaml());
    await runtime.run(plan.id, { until: 'execute' });
    const { root } = await runtime.explain(plan.id);
    expect(root).toMatchObject({
      type: 'strategy',
      actor: 'planner',
      rationale: 'saw 1 source files',
      payload: { strategist: 'planner', stepCount: 1 },
    });
    // children in the order they were decided: the strategist's own decision came first
    expect(root!.children.map((child) => child.type)).toEqual(['invariant_enforcement', 'step']);
    expect(readFileSync(join(dir, '.troupe', 'worktrees', plan.id, 'GOAL'), 'utf8')).toBe('Change the project');
  });

  it('answers a strategist’s write tool with READ_ONLY_PHASE and leaves the sandbox untouched', async () => {
    let answer: unknown;
    const strategist: Strategist = {
      name: 'writer',
      async strategize(_, { callTool }) {
        answer = await callTool('fs/write-file', { path: 'x', content: 'y' });
        return { steps: [] };
      },
    };
    const { dir, runtime } = await project({ actors: { strategist } });
    const plan = await runtime.createPlan(planYaml());
    expect(await runtime.run(plan.id, { until: 'strategize' })).toMatchObject({ status: 'complete' });
    expect(answer).toMatchObject({ success: false, error: { code: 'READ_ONLY_PHASE' } });
    expect(existsSync(join(dir, '.troupe', 'worktrees', plan.id, 'x'))).toBe(false);
  });

  it('fails strategize with READ_ONLY_PHASE when a strategist writes behind the runtime’s back', async () => {
    const strategist: Strategist = {
      name: 'sneaky',
      async strategize(_, { sandboxRoot }) {
        writeFileSync(join(sandboxRoot, 'sneaky.txt'), 'hi');
        return { steps: [] };
      },
    };
    const { dir, runtime } = await project({ actors: { strategist } });
    const plan = await runtime.createPlan(planYaml());
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({
      phase: 'strategize',
      status: 'failed',
      error: { code: 'READ_ONLY_PHASE', details: { files: ['sneaky.txt'] } },
    });
    expect(existsSync(join(dir, '.troupe', 'worktrees', plan.id, 'sneaky.txt'))).toBe(false);
  });

  it('validates the steps a strategist returns like a plan file’s', async () => {
    const strategist: Strategist = {
      name: 'sloppy',
      async strategize() {
        return {
          steps: [
            { title: 'x', tool: 'fs/nope', input: {} },
            { title: 'y', tool: 'fs/write-file', input: { path: '../up', content: '' } },
          ],
        };
      },
    };
    const { runtime } = await project({ actors: { strategist } });
    const plan = await runtime.createPlan(planYaml());
    const record = await runtime.run(plan.id);
    expect(record.error).toMatchObject({ code: 'VALIDATION_ERROR', phase: 'strategize' });
    expect(record.error!.message).toContain('steps[0].tool');
    expect(record.error!.message).toContain('steps[1].input.path');
    // a failed strategize may be started again
    await expect(runtime.runPhase(plan.id, 'strategize')).resolves.toMatchObject({
      phase: 'strategize',
      status: 'failed',
    });
  });

  it('runs a provided executor and turns its throw into a failed step', async () => {
    const executor: Executor = {
      name: 'flaky',
      async executeStep({ index }, { callTool }) {
        if (index === 1) throw new Error('the model went away');
        await callTool('fs/write-file', { path: `step-${index}`, content: 'done' });
        return { ok: true };
      },
    };
    const { runtime } = await project({ actors: { executor } });
    const plan = await runtime.createPlan(
      planYaml({
        strategy: {
          steps: [step('a', 'fs/read-file', { path: 'README.md' }), step('b', 'fs/read-file', { path: 'README.md' })],
        },
      }),
    );
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'execute', status: 'failed', lastCompletedStep: 0, toolCalls: 1 });
    expect(record.error).toMatchObject({ code: 'INTERNAL_ERROR', message: 'the model went away', step: 1 });
  });

  it('runs a custom tool registered with createRuntime', async () => {
    const shout = defineTool({
      name: 'text/shout',
      description: 'Write a file in capitals',
      input: z.strictObject({ path: z.string(), text: z.string() }),
      sideEffects: ['fs_write'],
      async handler(input, context) {
        writeFileSync(await context.paths.resolve(input.path, 'write'), input.text.toUpperCase());
        return { written: input.path };
      },
    });
    const { dir, runtime } = await project({ tools: [shout] });
    const plan = await runtime.createPlan(
      planYaml({ strategy: { steps: [step('Shout', 'text/shout', { path: 'LOUD', text: 'hello' })] } }),
    );
    const record = await runtime.run(plan.id, { until: 'execute' });
    expect(readFileSync(join(dir, record.sandbox!.worktree, 'LOUD'), 'utf8')).toBe('HELLO');
    await expect(
      runtime.createPlan(
        planYaml({ name: 'demo/y', strategy: { steps: [step('Shout', 'text/shout', { path: 'LOUD' })] } }),
      ),
    ).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringContaining('strategy.steps[0].input.text: is required'),
    });
  });

  it("hands a custom tool the environment of commands, with the plan file's env in it", async () => {
    const seen: Record<string, string>[] = [];
    const peek = defineTool({
      name: 'env/peek',
      description: 'Report the environment a step gives commands',
      input: z.strictObject({}),
      sideEffects: [],
      async handler(_input, context) {
        seen.push({ ...context.env });
        return { keys: Object.keys(context.env).length };
      },
    });
    const { runtime } = await project({ tools: [peek] });
    const plan = await runtime.createPlan(
      planYaml({
        env: { GREETING: 'hello' },
        strategy: { steps: [step('Peek', 'env/peek', {}), step('Peek again', 'env/peek', {})] },
      }),
    );
    await runtime.run(plan.id, { until: 'execute' });
    expect(seen).toHaveLength(2);
    for (const env of seen) expect(env).toMatchObject({ GREETING: 'hello', PATH: expect.any(String) });
  });

  it('chooses the strategist named in .troupe/config.json, and refuses an unknown name', async () => {
    const repo = await tempRepo();
    cleanups.push(repo.cleanup);
    const custom: Strategist = { name: 'custom', strategize: async () => ({ steps: [] }) };
    mkdirSync(join(repo.dir, '.troupe'), { recursive: true });
    writeFileSync(join(repo.dir, '.troupe', 'config.json'), JSON.stringify({ actors: { strategist: 'custom' } }));
    const runtime = await createRuntime({ dir: repo.dir, actors: { strategists: [custom] } });
    const plan = await runtime.createPlan(
      planYaml({ strategy: { steps: [step('a', 'fs/read-file', { path: 'README.md' })] } }),
    );
    expect((await runtime.run(plan.id, { until: 'strategize' })).strategyDecisionIds).toEqual([]);
    await runtime.close();

    writeFileSync(join(repo.dir, '.troupe', 'config.json'), JSON.stringify({ actors: { strategist: 'nobody' } }));
    await expect(createRuntime({ dir: repo.dir })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: '.troupe/config.json: actors.strategist: unknown strategist "nobody" (registered: scripted, llm)',
    });
    writeFileSync(join(repo.dir, '.troupe', 'config.json'), '{ nope');
    await expect(createRuntime({ dir: repo.dir })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringContaining('is not valid JSON'),
    });
  });

  it('starts each step from the last step commit, whatever a dead process left in the sandbox', async () => {
    const { dir, runtime } = await project();
    const plan = await runtime.createPlan(
      planYaml({ strategy: { steps: [step('Append', 'shell/run', { command: 'echo step >> log.txt' })] } }),
    );
    const strategized = await runtime.run(plan.id, { until: 'strategize' });
    const worktree = join(dir, strategized.sandbox!.worktree);
    // what a step killed half-way would leave: an uncommitted effect
    writeFileSync(join(worktree, 'log.txt'), 'half a step\n');
    writeFileSync(join(worktree, 'README.md'), 'scribbled\n');
    const record = await runtime.run(plan.id, { until: 'execute' });
    expect(readFileSync(join(worktree, 'log.txt'), 'utf8')).toBe('step\n');
    expect(readFileSync(join(worktree, 'README.md'), 'utf8')).toBe('# project\n');
    expect(git(worktree, 'show', '--stat', '--format=', 'HEAD')).toContain('log.txt');
    expect(record.sandbox!.headCommit).toBe(git(worktree, 'rev-parse', 'HEAD'));
  });

  it('checks the steps of every child entry against its own scopes before anything is written', async () => {
    const { runtime } = await project();
    const entries = [
      {
        goal: 'g',
        resourceScopes: ['a/**'],
        strategy: { steps: [step('Escape', 'fs/write-file', { path: 'b/x', content: '' })] },
      },
      { goal: 'h', project: 'docs-site' },
    ];
    await expect(
      runtime.createPlan(
        planYaml({ strategy: { steps: [{ title: 'Fan out', subplans: { entries: [entries[0]] } }] } }),
      ),
    ).rejects.toMatchObject({
      code: 'SCOPE_VIOLATION',
      message: expect.stringContaining(
        "strategy.steps[0].subplans.entries[0].strategy.steps[0].input.path: is outside the plan's resourceScopes (a/**)",
      ),
    });
    // both at once: the problems are listed together, under the code they share
    const both = await runtime
      .createPlan(planYaml({ strategy: { steps: [{ title: 'Fan out', subplans: { entries } }] } }))
      .catch((error: unknown) => error);
    expect(both).toMatchObject({ code: 'VALIDATION_ERROR' });
    expect((both as TroupeError).details?.issues).toEqual([
      {
        path: 'strategy.steps[0].subplans.entries[0].strategy.steps[0].input.path',
        message: "is outside the plan's resourceScopes (a/**)",
      },
      { path: 'strategy.steps[0].subplans.entries[1].project', message: 'no project named "docs-site" is registered' },
    ]);
    await expect(
      runtime.createPlan(
        planYaml({ strategy: { steps: [{ title: 'Fan out', subplans: { entries: [entries[1]] } }] } }),
      ),
    ).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringContaining(
        'strategy.steps[0].subplans.entries[0].project: no project named "docs-site" is registered',
      ),
      hint: 'register it: troupe project add docs-site <path>',
    });
    expect(await runtime.listPlans({ all: true })).toEqual([]);
  });

  it('refuses children nested past the limit with a VALIDATION_ERROR, from a plan file as data or text and from a strategist', async () => {
    const nested = (depth: number) => {
      let strategy: Record<string, unknown> = { steps: [] };
      for (let level = 0; level < depth; level += 1)
        strategy = {
          steps: [{ title: 'Deeper', subplans: { entries: [{ goal: 'g', resourceScopes: ['**'], strategy }] } }],
        };
      return strategy;
    };
    const tooDeep = `nests child plans ${MAX_SUBPLAN_DEPTH + 1} levels deep; at most ${MAX_SUBPLAN_DEPTH} are allowed`;
    const deepest = `${'steps[0].subplans.entries[0].strategy.'.repeat(MAX_SUBPLAN_DEPTH)}steps[0].subplans`;
    const strategist: Strategist = { name: 'deep', strategize: async () => ({ steps: nested(300).steps as never }) };
    const { runtime } = await project({ actors: { strategist } });
    for (const source of [
      { name: 'demo/deep', goal: 'g', strategy: nested(300) },
      planYaml({ name: 'demo/deep', strategy: nested(40) }),
    ]) {
      const error = await runtime.createPlan(source).catch((caught: unknown) => caught);
      expect(error).toMatchObject({
        code: 'VALIDATION_ERROR',
        details: { issues: [{ path: `strategy.${deepest}`, message: tooDeep }] },
      });
    }
    // text nested past what can be parsed is refused before parsing
    await expect(
      runtime.createPlan(JSON.stringify({ name: 'demo/deep', goal: 'g', strategy: nested(300) })),
    ).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringContaining(`cannot be read (child plans may nest at most ${MAX_SUBPLAN_DEPTH} levels)`),
    });
    expect(await runtime.listPlans({ all: true })).toEqual([]);
    // a custom strategist's steps are held to the same bound: strategize fails with it, not with a RangeError
    const plan = await runtime.createPlan(planYaml({ name: 'demo/by-strategist' }));
    const record = await runtime.run(plan.id);
    expect(record.error).toMatchObject({
      code: 'VALIDATION_ERROR',
      phase: 'strategize',
      message: expect.stringContaining(`${deepest}: ${tooDeep}`),
    });
  });

  it('passes an inspection observer to every plan actor', async () => {
    const types = new Set<string>();
    const { runtime } = await project({ inspect: (event) => types.add(event.type) });
    const plan = await runtime.createPlan(planYaml());
    await runtime.run(plan.id, { until: 'strategize' });
    expect([...types]).toEqual(expect.arrayContaining(['@xstate.actor', '@xstate.event', '@xstate.snapshot']));
  });
});

describe('embedding: createRuntime options', () => {
  it.each([
    [
      'a store that is not level, memory or a Store',
      { store: 'redis' },
      `store: must be 'level', 'memory' or a Store, got "redis"`,
    ],
    [
      'an inspect that is not a function, true or { port }',
      { inspect: 'yes' },
      'inspect: must be a function, true or { port }, got "yes"',
    ],
  ])('refuses %s with VALIDATION_ERROR, and leaves the store free', async (_what, options, message) => {
    const repo = await tempRepo({ 'README.md': '# project\n' });
    cleanups.push(repo.cleanup);
    await expect(createRuntime({ dir: repo.dir, ...(options as object) })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message,
    });
    const runtime = await createRuntime({ dir: repo.dir, report: () => {} });
    await runtime.close();
  });

  it('refuses a project config whose invariant names a check nobody registered, and says how to fix it', async () => {
    const repo = await tempRepo({ 'README.md': '# project\n' });
    cleanups.push(repo.cleanup);
    mkdirSync(join(repo.dir, '.troupe'), { recursive: true });
    writeFileSync(
      join(repo.dir, '.troupe', 'config.json'),
      JSON.stringify({ invariants: [{ id: 'lint', check: 'acme/lint-clean' }] }),
    );
    const failure = await createRuntime({ dir: repo.dir }).catch((error: unknown) => error);
    expect(failure).toMatchObject({
      code: 'VALIDATION_ERROR',
      hint: 'register the check with a plugin (docs/reference/plugins.md) or createRuntime({ checks }), or fix the invariant',
    });
    expect((failure as Error).message).toContain('.troupe/config.json');
    expect((failure as Error).message).toContain('acme/lint-clean');
  });
});
