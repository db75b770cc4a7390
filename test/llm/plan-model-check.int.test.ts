import { afterEach, describe, expect, it } from 'vitest';
import { llmStrategist } from '../../actors/index.js';
import { createRuntime } from '../../src/runtime/index.js';
import { tempRepo } from '../helpers/temp.js';
import { planYaml } from '../runtime/fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function runtimeWith(options: Parameters<typeof createRuntime>[0] = {}) {
  const repo = await tempRepo({ 'README.md': '# x\n' });
  const runtime = await createRuntime({ dir: repo.dir, store: 'memory', report: () => {}, ...options });
  cleanups.push(async () => (await runtime.close(), await repo.cleanup()));
  return runtime;
}

describe('what a plan needs of its model before anything is written', () => {
  it('refuses a plan whose model key is not set, naming the variable, and creates nothing', async () => {
    const runtime = await runtimeWith({ models: { env: {} } });
    await expect(
      runtime.createPlan(planYaml({ name: 'demo/a', agent: { model: 'anthropic:claude-sonnet-4-5' } })),
    ).rejects.toMatchObject({
      code: 'MODEL_UNAVAILABLE',
      message: expect.stringContaining('ANTHROPIC_API_KEY'),
      hint: expect.stringContaining('never in the plan file'),
    });
    await expect(
      runtime.createPlan(
        planYaml({ name: 'demo/b', agent: { model: 'openai:gpt-4.1', apiKeyEnv: 'TEAM_OPENAI_API_KEY' } }),
      ),
    ).rejects.toMatchObject({ code: 'MODEL_UNAVAILABLE', details: { variable: 'TEAM_OPENAI_API_KEY' } });
    // a local server needs no key
    await expect(
      runtime.createPlan(
        planYaml({ name: 'demo/c', agent: { model: 'openai-compatible:qwen', baseURL: 'http://127.0.0.1:9/v1' } }),
      ),
    ).resolves.toMatchObject({ name: 'demo/c' });
    expect((await runtime.listPlans()).map((plan) => plan.name)).toEqual(['demo/c']);
  });

  it('takes the key from the environment troupe runs in', async () => {
    const runtime = await runtimeWith({ models: { env: { ANTHROPIC_API_KEY: 'sk-ant-test' } } });
    await expect(
      runtime.createPlan(planYaml({ name: 'demo/a', agent: { model: 'anthropic:claude-sonnet-4-5' } })),
    ).resolves.toMatchObject({ name: 'demo/a' });
  });

  it('needs an agent block on a plan without steps when the project’s strategist is the model', async () => {
    const runtime = await runtimeWith({ actors: { strategist: llmStrategist } });
    await expect(runtime.createPlan(planYaml({ name: 'demo/a' }))).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringContaining('agent: the project’s strategist is llm'),
    });
    // a plan that lists its steps keeps them: the scripted strategist takes them
    const listed = await runtime.createPlan(
      planYaml({
        name: 'demo/b',
        strategy: { steps: [{ title: 'Note', tool: 'fs/write-file', input: { path: 'n.txt', content: 'n' } }] },
      }),
    );
    await expect(runtime.run(listed.id)).resolves.toMatchObject({
      phase: 'validate',
      status: 'complete',
      lastCompletedStep: 0,
    });
    expect((await runtime.explain(listed.id)).root).toMatchObject({ actor: 'scripted' });
  });
});
