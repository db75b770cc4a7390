import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempRepo } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';
import { runCli } from './run-cli.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempRepo({ 'README.md': '# invariants\n' }));
  const invariants = [
    { id: 'readme', check: 'file-exists', path: 'README.md' },
    { id: 'no-secret', check: 'file-absent', path: 'secret.txt', description: 'secrets never enter the repository' },
  ];
  writeFileSync(
    join(dir, 'leaky.yaml'),
    planYaml({
      name: 'demo/leaky',
      invariants,
      strategy: {
        steps: [
          step('Write notes', 'fs/write-file', { path: 'notes.txt', content: 'n\n' }),
          step('Leak', 'fs/write-file', { path: 'secret.txt', content: 's\n' }),
          step('Never', 'fs/write-file', { path: 'never.txt', content: 'x\n' }),
        ],
      },
    }),
  );
  writeFileSync(
    join(dir, 'unchecked.yaml'),
    planYaml({
      name: 'demo/unchecked',
      reconciliation: false,
      invariants,
      strategy: { steps: [step('Leak', 'fs/write-file', { path: 'secret.txt', content: 's\n' })] },
    }),
  );
  writeFileSync(
    join(dir, 'typo.yaml'),
    planYaml({
      name: 'demo/typo',
      invariants: [
        { id: 'a', check: 'file-exist', path: 'README.md' },
        { id: 'b', check: 'command', run: 'true', timeoutMs: -1 },
        { id: 'c', check: 'paths-within' },
        { id: 'c', check: 'acme/lint' },
      ],
    }),
  );
});
afterAll(() => cleanup());

describe('invariants in the CLI', () => {
  it('shows each reconciliation while a plan runs, and the violation that stopped it', async () => {
    const result = await runCli(dir, ['plan', 'run', 'leaky.yaml']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('✓ 2 invariants hold after strategize');
    expect(result.stderr).toContain('✓ 2 invariants hold after step 1');
    expect(result.stderr).toMatch(
      /✗ 1 of 2 invariants violated after step 2\n {4}✗ no-secret \(plan\): secret\.txt exists/,
    );
    expect(result.stderr).not.toContain('step 3: Never');
    expect(result.stdout).toContain(
      'INVARIANT_VIOLATED: invariant "no-secret" (plan) does not hold after step 2: secret.txt exists',
    );
    expect(result.stdout).toContain('✗ no-secret (plan, file-absent): secret.txt exists');
    expect(result.stdout).not.toContain('(step 2)');

    const record = JSON.parse((await runCli(dir, ['plan', 'status', 'demo/leaky', '--json'])).stdout);
    expect(record).toMatchObject({
      phase: 'execute',
      status: 'failed',
      lastCompletedStep: 1,
      error: {
        code: 'INVARIANT_VIOLATED',
        step: 1,
        retryable: false,
        details: {
          trigger: 'post-step',
          violations: [{ id: 'no-secret', tier: 'plan', check: 'file-absent', message: 'secret.txt exists' }],
        },
      },
    });

    const refused = await runCli(dir, ['plan', 'execute', 'demo/leaky']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^error\[PHASE_GUARD\]: cannot execute demo\/leaky/);
  });

  it('explains the reconciliations under the decisions that triggered them', async () => {
    const text = (await runCli(dir, ['plan', 'explain', 'demo/leaky'])).stdout;
    expect(text).toContain('invariant_enforcement Respect no-secret (plan)');
    expect(text).toContain('secrets never enter the repository');
    expect(text).toMatch(
      /step Leak\n[^\n]*\n[^\n]*reconciliation 1 of 2 invariants violated after step 2\n[^\n]*no-secret \(plan, file-absent\): secret\.txt exists/,
    );

    const tree = JSON.parse((await runCli(dir, ['plan', 'explain', 'demo/leaky', '--json'])).stdout);
    const byTitle = (title: string) => tree.root.children.find((node: { title: string }) => node.title === title);
    const [reconciliation] = byTitle('Leak').children;
    expect(reconciliation).toMatchObject({
      type: 'reconciliation',
      actor: 'default',
      payload: {
        enabled: true,
        trigger: 'post-step',
        outcome: 'violated',
        step: 1,
        results: [
          { id: 'readme', passed: true },
          { id: 'no-secret', tier: 'plan', check: 'file-absent', passed: false },
        ],
      },
    });
    expect(byTitle('Never').children).toEqual([]);
  });

  it('says in the decision tree that checks were off for a plan with reconciliation: false', async () => {
    const result = await runCli(dir, ['plan', 'run', 'unchecked.yaml']);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('invariants hold');
    const text = (await runCli(dir, ['plan', 'explain', 'demo/unchecked'])).stdout;
    expect(text).toContain('reconciliation Invariant checks are off for this plan');
    expect(text).toContain('2 invariant(s) will not be checked: readme, no-secret');
    expect(text).not.toContain('invariant_enforcement');
  });

  it('refuses a plan file with bad invariants, naming every field, and creates nothing', async () => {
    const result = await runCli(dir, ['plan', 'new', 'typo.yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invariants[0].check: must name a known check');
    expect(result.stderr).toContain('invariants[1].timeoutMs: must be a positive number of milliseconds');
    expect(result.stderr).toContain('invariants[3].id: duplicate id "c" (also invariants[2])');
    expect(
      JSON.parse((await runCli(dir, ['plan', 'list', '--all', '--json'])).stdout).map(
        (plan: { name: string }) => plan.name,
      ),
    ).not.toContain('demo/typo');
  });

  it('refuses an invariant whose check nobody registered', async () => {
    writeFileSync(
      join(dir, 'unregistered.yaml'),
      planYaml({ name: 'demo/unregistered', invariants: [{ id: 'lint', check: 'acme/lint', strict: true }] }),
    );
    const result = await runCli(dir, ['plan', 'new', 'unregistered.yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/invariants\[0\]\.check: no check named "acme\/lint" is registered/);
  });
});
