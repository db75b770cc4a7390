import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/runtime/index.js';
import { tempRepo } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';
import { runCli } from './run-cli.js';

// After a power cut took a plan's last step commit (issue 73): doctor names
// it, and doctor --repair rolls it back to its newest readable checkpoint.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function damagedProject(): Promise<{ dir: string; head: string }> {
  const repo = await tempRepo({ 'README.md': '# r\n' });
  cleanups.push(repo.cleanup);
  const runtime = await createRuntime({ dir: repo.dir, report: () => {} });
  const plan = await runtime.createPlan(
    planYaml({
      name: 'power/lost',
      validate: [{ run: 'test -s b.txt' }],
      strategy: {
        steps: [
          step('A', 'fs/write-file', { path: 'a.txt', content: 'a\n' }),
          step('B', 'fs/write-file', { path: 'b.txt', content: 'b\n' }),
        ],
      },
    }),
  );
  const executed = await runtime.run(plan.id, { until: 'execute' });
  await runtime.close();
  const head = executed.sandbox!.headCommit;
  // what a power cut leaves of a commit nobody synced (an older troupe's)
  writeFileSync(join(repo.dir, '.git', 'objects', head.slice(0, 2), head.slice(2)), '');
  return { dir: repo.dir, head };
}

describe('troupe doctor after a power cut', () => {
  it('names the plan whose step commit git cannot read, and where it can go back to', async () => {
    const { dir, head } = await damagedProject();
    const report = await runCli(dir, ['doctor', '--json']);
    const check = (
      JSON.parse(report.stdout) as { checks: { name: string; ok: boolean; detail: string; fix?: string }[] }
    ).checks.find((found) => found.name === 'git objects');
    expect(check).toMatchObject({
      ok: false,
      detail: expect.stringContaining(`power/lost (`),
      fix: expect.stringContaining('troupe doctor --repair'),
    });
    expect(check!.detail).toContain(
      `its step commit ${head.slice(0, 12)} cannot be read whole; newest readable checkpoint`,
    );
    expect(report.code).toBe(1);
  });

  it('--repair asks first, and with --yes rolls the plan back so that it runs to validate again', async () => {
    const { dir, head } = await damagedProject();
    // before: the plan cannot go on, and says what is missing and what to do — never INTERNAL_ERROR
    const stuck = await runCli(dir, ['plan', 'run', 'power/lost']);
    expect(stuck.code).toBe(1);
    expect(stuck.stdout + stuck.stderr).toContain(`REPOSITORY_DAMAGED: the step commit ${head}`);
    expect(stuck.stdout + stuck.stderr).toContain('troupe doctor --repair');
    const refused = await runCli(dir, ['doctor', '--repair']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('CONFIRMATION_REQUIRED');
    const repaired = await runCli(dir, ['--yes', 'doctor', '--repair']);
    expect(repaired.stderr + repaired.stdout, repaired.stderr).toMatch(/✓ power\/lost: rolled back to checkpoint /);
    expect(repaired.code).toBe(0);
    const after = JSON.parse((await runCli(dir, ['doctor', '--json'])).stdout) as {
      checks: { name: string; ok: boolean; detail: string }[];
    };
    expect(after.checks.find((found) => found.name === 'git objects')).toMatchObject({ ok: true });
    const run = await runCli(dir, ['plan', 'run', 'power/lost']);
    expect(run.stdout + run.stderr).toMatch(/validate · complete|✓ validate complete/);
  });
});
