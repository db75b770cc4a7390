import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planYaml, step } from '../runtime/fixtures.js';
import { SECRETS, outside, project, runtime, useEscapeSuite } from './escape-fixture.js';

// The escape suite's plugins: a custom tool's and a custom check's
// runCommand are contained like a shell step.

useEscapeSuite();

describe('custom tools and checks run their commands contained too', () => {
  it('a custom tool’s runCommand cannot write outside, nor read the user’s secrets', async () => {
    const write = await runtime.run(
      (
        await runtime.createPlan(
          planYaml({
            name: 'escape/tool-write',
            strategy: { steps: [step('Write out', 'escape/run', { command: `echo x > ${outside}/target.txt` })] },
          }),
        )
      ).id,
      { until: 'execute' },
    );
    expect(write).toMatchObject({
      status: 'failed',
      error: { code: 'TOOL_FAILED', message: expect.stringMatching(/Read-only file system/) },
    });
    const plan = await runtime.createPlan(
      planYaml({
        name: 'escape/tool-read',
        strategy: {
          steps: [
            step('Read', 'escape/run', {
              command: `{ cat ${project}/.env "$HOME/.ssh/id_rsa"; } > seen.txt 2>&1; true`,
            }),
          ],
        },
      }),
    );
    const read = await runtime.run(plan.id, { until: 'execute' });
    expect(read).toMatchObject({ status: 'complete' });
    const seen = readFileSync(join(project, '.troupe', 'worktrees', plan.id, 'seen.txt'), 'utf8');
    expect(seen).not.toContain(SECRETS.env);
    expect(seen).not.toContain(SECRETS.ssh);
  });

  it('a custom check’s runCommand cannot write outside, nor read the user’s secrets', async () => {
    const plan = await runtime.createPlan(
      planYaml({
        name: 'escape/check-run',
        strategy: { steps: [] },
        invariants: [
          { id: 'writes-out', check: 'escape/run', command: `echo x > ${outside}/target.txt` },
          { id: 'reads-env', check: 'escape/run', command: `cat ${project}/.env` },
        ],
      }),
    );
    const record = await runtime.run(plan.id, { until: 'strategize' });
    expect(record).toMatchObject({ phase: 'strategize', status: 'failed', error: { code: 'INVARIANT_VIOLATED' } });
    const violations = (record.error!.details as { violations: { id: string; message: string }[] }).violations;
    expect(violations.map((violation) => violation.id).sort()).toEqual(['reads-env', 'writes-out']);
    expect(violations.find((violation) => violation.id === 'writes-out')!.message).toMatch(/Read-only file system/);
    expect(violations.find((violation) => violation.id === 'reads-env')!.message).toMatch(/No such file/);
    expect(JSON.stringify(record)).not.toContain(SECRETS.env);
  });
});
