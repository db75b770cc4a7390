import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from '../../src/index.js';
import { createRuntime, type RuntimeOptions } from '../../src/runtime/index.js';
import { tempRepo } from '../helpers/temp.js';
import { planYaml, projectWithConfig, step } from './fixtures.js';

// sandbox.limits from the project and the plan file to every command a plan
// runs (issue 33): a step, a validate command and a command check stopped at
// a limit fail naming it; limits a plan may not set are refused before anything runs.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const projectWith = (config: unknown, options: Omit<RuntimeOptions, 'dir'> = {}) =>
  projectWithConfig(config, cleanups, options, { 'README.md': '# project\n' });

async function refusal(config: unknown): Promise<unknown> {
  const repo = await tempRepo({ 'README.md': '# project\n' });
  cleanups.push(repo.cleanup);
  mkdirSync(join(repo.dir, '.troupe'), { recursive: true });
  writeFileSync(join(repo.dir, '.troupe', 'config.json'), JSON.stringify(config));
  return createRuntime({ dir: repo.dir, report: () => {} }).then(
    async (runtime) => {
      await runtime.close();
      return null;
    },
    (error: unknown) => error,
  );
}

// what a plugin's tool sees of its limits: the rlimit of the file size, in 512-byte blocks, written to `blocks`
const limitsTool = defineTool({
  name: 'limits/show',
  description: 'Write the file size limit through context.runCommand',
  input: z.strictObject({}),
  sideEffects: ['exec', 'fs_write'],
  async handler(_, { runCommand }) {
    const result = await runCommand('ulimit -f > blocks');
    return { exitCode: result.exitCode };
  },
});

describe('resource limits of a plan’s commands', () => {
  it('fails a step stopped at a limit with TOOL_FAILED naming the limit and its value', async () => {
    const { runtime } = await projectWith({ sandbox: { limits: { fileSizeMB: 64 } } });
    const plan = await runtime.createPlan(
      planYaml({
        sandbox: { limits: { fileSizeMB: 2 } },
        strategy: { steps: [step('Fill', 'shell/run', { command: 'dd if=/dev/zero of=big bs=1M count=600' })] },
      }),
    );
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'execute', status: 'failed' });
    expect(record.error).toMatchObject({
      code: 'TOOL_FAILED',
      message:
        'shell/run was stopped at the file size limit of 2 MB (sandbox.limits.fileSizeMB): dd if=/dev/zero of=big bs=1M count=600',
      hint: expect.stringContaining('raise sandbox.limits.fileSizeMB'),
      details: { limit: 'file size', limitValue: 2, signal: 'SIGXFSZ' },
    });
  });

  it('fails validate and a command check stopped at a limit, saying which', async () => {
    const { runtime } = await projectWith({});
    const validating = await runtime.createPlan(
      planYaml({
        name: 'demo/validate',
        sandbox: { limits: { fileSizeMB: 1 } },
        strategy: { steps: [] },
        validate: [{ run: 'head -c 2000000 /dev/zero > big' }],
      }),
    );
    expect((await runtime.run(validating.id)).error).toMatchObject({
      code: 'TOOL_FAILED',
      message:
        'validate command was stopped at the file size limit of 1 MB (sandbox.limits.fileSizeMB): head -c 2000000 /dev/zero > big',
      retryable: true,
      details: { limit: 'file size', limitValue: 1 },
    });
    const checking = await runtime.createPlan(
      planYaml({
        name: 'demo/check',
        sandbox: { limits: { fileSizeMB: 1 } },
        invariants: [{ id: 'small', check: 'command', run: 'head -c 2000000 /dev/zero > big' }],
        strategy: { steps: [step('Touch', 'shell/run', { command: 'true' })] },
      }),
    );
    expect((await runtime.run(checking.id)).error).toMatchObject({
      code: 'INVARIANT_VIOLATED',
      details: {
        violations: [
          {
            id: 'small',
            message:
              'stopped at the file size limit of 1 MB (sandbox.limits.fileSizeMB): head -c 2000000 /dev/zero > big',
          },
        ],
      },
    });
  });

  it('gives every command the project’s limits, lowered by the plan’s, plugin tools’ included', async () => {
    const { dir, runtime } = await projectWith({ sandbox: { limits: { fileSizeMB: 64 } } }, { tools: [limitsTool] });
    const show = [step('Show', 'limits/show', {})];
    const project = await runtime.createPlan(planYaml({ name: 'demo/project', strategy: { steps: show } }));
    const lower = await runtime.createPlan(
      planYaml({ name: 'demo/lower', sandbox: { limits: { fileSizeMB: 3 } }, strategy: { steps: show } }),
    );
    const blocks = async (planId: string) => {
      const record = await runtime.run(planId, { until: 'execute' });
      return readFileSync(join(dir, record.sandbox!.worktree, 'blocks'), 'utf8');
    };
    expect(await blocks(project.id)).toBe(`${64 * 2048}\n`);
    expect(await blocks(lower.id)).toBe(`${3 * 2048}\n`);
  });
});

describe('resource limits of child plans', () => {
  it('are their parent’s', async () => {
    const { dir, runtime } = await projectWith({});
    const child = {
      goal: 'Show the limit',
      resourceScopes: ['blocks'],
      strategy: { steps: [step('Show', 'shell/run', { command: 'ulimit -f > blocks' })] },
    };
    const plan = await runtime.createPlan(
      planYaml({
        sandbox: { limits: { fileSizeMB: 5 } },
        strategy: { steps: [{ title: 'Fan out', subplans: { entries: [child] } }] },
      }),
    );
    const record = await runtime.run(plan.id, { until: 'execute' });
    expect(record, JSON.stringify(record.error)).toMatchObject({ phase: 'execute', status: 'complete' });
    expect(readFileSync(join(dir, record.sandbox!.worktree, 'blocks'), 'utf8')).toBe(`${5 * 2048}\n`);
  });
});

describe('resource limits refused', () => {
  it('refuses a project limit that is not a whole number in its range, naming the key and the range', async () => {
    expect(await refusal({ sandbox: { limits: { processes: 0 } } })).toMatchObject({
      code: 'VALIDATION_ERROR',
      message: '.troupe/config.json: sandbox.limits.processes: must be a whole number from 16 to 65536',
    });
    expect(await refusal({ sandbox: { limits: { memoryMB: 512.5 } } })).toMatchObject({
      message: '.troupe/config.json: sandbox.limits.memoryMB: must be a whole number from 64 to 1048576',
    });
    expect(await refusal({ sandbox: { limits: { fileSizeMB: '10' } } })).toMatchObject({
      message: '.troupe/config.json: sandbox.limits.fileSizeMB: must be a whole number from 1 to 1048576',
    });
    expect(await refusal({ sandbox: { limits: { cpus: 2 } } })).toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringContaining('sandbox.limits'),
    });
  });

  it('refuses a plan limit that is not a positive whole number, or above the project’s, and creates nothing', async () => {
    const { dir, runtime } = await projectWith({ sandbox: { limits: { memoryMB: 4096 } } });
    await expect(runtime.createPlan(planYaml({ sandbox: { limits: { processes: -1 } } }))).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: 'plan file: sandbox.limits.processes: must be a whole number from 16 to 65536',
    });
    await expect(
      runtime.createPlan(planYaml({ sandbox: { limits: { memoryMB: 8192, processes: 8192, fileSizeMB: 100 } } })),
    ).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message:
        "plan file: 2 problems\n  sandbox.limits.processes: is 8192, above the project's limit of 4096: a plan may only tighten it (allowed: 16 to 4096)\n  sandbox.limits.memoryMB: is 8192 MB, above the project's limit of 4096 MB: a plan may only tighten it (allowed: 64 to 4096)",
      hint: expect.stringContaining('sandbox.limits in .troupe/config.json'),
    });
    await expect(runtime.createPlan(planYaml({ sandbox: { mode: 'off' } }))).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringContaining('sandbox'),
    });
    expect(await runtime.listPlans({ all: true })).toEqual([]);
    expect(existsSync(join(dir, '.troupe', 'worktrees', 'demo'))).toBe(false);
  });

  it('refuses a limit above the default in a config that came with the repository', async () => {
    const repo = await tempRepo({
      'README.md': '# project\n',
      '.troupe/config.json': JSON.stringify({ sandbox: { limits: { processes: 65536, memoryMB: 1024 } } }),
    });
    cleanups.push(repo.cleanup);
    await expect(createRuntime({ dir: repo.dir, report: () => {} })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringMatching(
        /^\.troupe\/config\.json: sandbox\.limits\.processes: may be set only in your own config/,
      ),
    });
  });
});
