import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineCheck } from '../../actors/index.js';
import { createRuntime } from '../../src/runtime/index.js';
import { rejection } from '../helpers/rejection.js';
import { planYaml, step } from './fixtures.js';
import { project, projectDir, reconciledEvents, runtimeOn } from './invariants-fixture.js';

// counts the files right under `dir`: holds while there are at most `max`
const maxFiles = defineCheck({
  name: 'acme/max-files',
  description: 'a directory holds at most max files',
  readOnly: true,
  options: z.strictObject({ dir: z.string(), max: z.number().int().nonnegative().default(2) }),
  async run({ dir, max }, { paths }) {
    const count = readdirSync(await paths.resolve(dir, 'read')).length;
    return count <= max
      ? { passed: true, message: `${dir} has ${count} of at most ${max} files` }
      : { passed: false, message: `${dir} has ${count} files (max ${max})` };
  },
});

describe('checks an app registers', () => {
  const GROWING = {
    strategy: {
      steps: [
        step('b', 'fs/write-file', { path: 'src/b.ts', content: 'b\n' }),
        step('c', 'fs/write-file', { path: 'src/c.ts', content: 'c\n' }),
      ],
    },
  };

  it('run in a plan by name, with their option defaults', async () => {
    const { runtime } = await project({ checks: [maxFiles] });
    const strict = await runtime.createPlan(
      planYaml({
        name: 'demo/strict',
        invariants: [{ id: 'small-src', check: 'acme/max-files', dir: 'src' }],
        ...GROWING,
      }),
    );
    const record = await runtime.run(strict.id);
    // the default max of 2 applied: the second step made it 3
    expect(record).toMatchObject({ phase: 'execute', status: 'failed', lastCompletedStep: 1 });
    expect(record.error).toMatchObject({
      code: 'INVARIANT_VIOLATED',
      details: {
        violations: [{ id: 'small-src', tier: 'plan', check: 'acme/max-files', message: 'src has 3 files (max 2)' }],
      },
    });
    expect(reconciledEvents(await runtime.events(strict.id)).map(({ results }) => results[0]!.message)).toEqual([
      'src has 1 of at most 2 files',
      'src has 2 of at most 2 files',
      'src has 3 files (max 2)',
    ]);

    const roomy = await runtime.createPlan(
      planYaml({
        name: 'demo/roomy',
        invariants: [{ id: 'small-src', check: 'acme/max-files', dir: 'src', max: 5 }],
        ...GROWING,
      }),
    );
    expect(await runtime.run(roomy.id)).toMatchObject({ phase: 'validate', status: 'complete' });
  });

  it('are validated when the plan is created: bad options and unregistered names fail naming the field, and nothing is written', async () => {
    const { dir, runtime } = await project({ checks: [maxFiles] });
    const bad: [unknown[], string[]][] = [
      [[{ id: 'a', check: 'acme/max-files', dir: 3 }], ['invariants[0].dir']],
      [[{ id: 'a', check: 'acme/max-files' }], ['invariants[0].dir: is required']],
      [[{ id: 'a', check: 'acme/max-files', dir: 'src', max: -1 }], ['invariants[0].max']],
      [
        [
          { id: 'a', check: 'file-exists', path: 'README.md' },
          { id: 'b', check: 'acme/max-files', dir: 'src', bogus: true },
        ],
        ['invariants[1].bogus'],
      ],
      [[{ id: 'a', check: 'acme/lint' }], ['invariants[0].check', 'registered: acme/max-files']],
      [
        [
          { id: 'a', check: 'acme/max-files', dir: 'src' },
          { id: 'b', check: 'acme/lint' },
          { id: 'c', check: 'acme/max-files', dir: 1 },
        ],
        ['invariants[1].check', 'invariants[2].dir'],
      ],
    ];
    for (const [invariants, mentions] of bad) {
      const error = await rejection(runtime.createPlan(planYaml({ invariants })));
      expect(error.code, JSON.stringify(invariants)).toBe('VALIDATION_ERROR');
      for (const mention of mentions) expect(error.message, JSON.stringify(invariants)).toContain(mention);
    }
    expect(await runtime.listPlans({ all: true })).toEqual([]);
    expect(readdirSync(join(dir, '.troupe', 'worktrees'))).toEqual([]);

    // and without the check registered, the same plan file is refused
    const { runtime: bare } = await project({ store: 'memory' });
    const error = await rejection(
      bare.createPlan(planYaml({ invariants: [{ id: 'a', check: 'acme/max-files', dir: 'src' }] })),
    );
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('invariants[0].check') });
  });

  it('are validated in the project config too, and get their defaults there', async () => {
    const dir = await projectDir({
      invariants: [{ id: 'small-src', check: 'acme/max-files', dir: 'src', max: 'two' }],
    });
    const error = await rejection(createRuntime({ dir, checks: [maxFiles], report: () => {} }));
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('invariants[0].max') });

    writeFileSync(
      join(dir, '.troupe', 'config.json'),
      JSON.stringify({ invariants: [{ id: 'small-src', check: 'acme/max-files', dir: 'src' }] }),
    );
    const runtime = await runtimeOn(dir, { checks: [maxFiles] });
    const plan = await runtime.createPlan(planYaml(GROWING));
    expect((await runtime.run(plan.id)).error).toMatchObject({
      code: 'INVARIANT_VIOLATED',
      details: { violations: [{ id: 'small-src', tier: 'project', message: 'src has 3 files (max 2)' }] },
    });
  });
});
