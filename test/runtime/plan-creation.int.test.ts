import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planYaml, step } from './fixtures.js';
import { project } from './runtime-fixture.js';

// Creating a plan from a plan file: an invalid one writes nothing, and names
// stay unique.

describe('runtime on real git and LevelDB', () => {
  it('writes nothing when a plan file is invalid', async () => {
    const { dir, runtime } = await project();
    const bad = [
      planYaml({ name: 'Bad Name' }),
      planYaml({ strategy: { steps: [step('x', 'fs/nope', {})] } }),
      planYaml({ strategy: { steps: [step('x', 'fs/write-file', { path: 'a' })] } }),
      planYaml({ strategy: { steps: [step('x', 'fs/write-file', { path: '../a', content: '' })] } }),
      planYaml({
        resourceScopes: ['src/**'],
        strategy: { steps: [step('x', 'fs/write-file', { path: 'b', content: '' })] },
      }),
      'name: [',
    ];
    const codes = [];
    for (const source of bad)
      codes.push(await runtime.createPlan(source).catch((error: { code: string }) => error.code));
    expect(codes).toEqual([
      'VALIDATION_ERROR',
      'VALIDATION_ERROR',
      'VALIDATION_ERROR',
      'SANDBOX_ESCAPE',
      'SCOPE_VIOLATION',
      'VALIDATION_ERROR',
    ]);
    expect(await runtime.listPlans({ all: true })).toEqual([]);
    expect(readdirSync(join(dir, '.troupe', 'worktrees'))).toEqual([]);
  });

  it('names every bad step field in one error', async () => {
    const { runtime } = await project();
    const error = await runtime
      .createPlan(
        planYaml({ strategy: { steps: [step('a', 'fs/nope', {}), step('b', 'fs/write-file', { path: 'x' })] } }),
      )
      .catch((caught: Error) => caught);
    expect((error as Error).message).toContain('strategy.steps[0].tool');
    expect((error as Error).message).toContain('strategy.steps[1].input.content: is required');
  });

  it('keeps plan names unique when plans are created at the same time', async () => {
    const { runtime } = await project();
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => runtime.createPlan(planYaml())));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(
      results
        .filter((result) => result.status === 'rejected')
        .map((result) => (result as PromiseRejectedResult).reason.code),
    ).toEqual(Array(7).fill('VALIDATION_ERROR'));
    expect(await runtime.listPlans()).toHaveLength(1);
  });
});
