import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempRepo } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';
import { runCli } from './run-cli.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempRepo({ 'README.md': '# cli\n' }));
  const entries = ['a', 'b'].map((name) => ({ goal: `Write ${name}`, resourceScopes: [`${name}.txt`], strategy: { steps: [step('Write', 'fs/write-file', { path: `${name}.txt`, content: `${name}\n` })] } }));
  writeFileSync(join(dir, 'fan.yaml'), planYaml({ name: 'demo/fan', strategy: { steps: [{ title: 'Fan out', subplans: { mode: 'parallel', entries } }] } }));
});
afterAll(() => cleanup());

describe('subplans in the CLI', () => {
  it('shows each child starting, validating and merging while the plan runs', async () => {
    const result = await runCli(dir, ['plan', 'run', 'fan.yaml']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('  step 1: Fan out\n');
    for (const name of ['demo/fan-1', 'demo/fan-2']) {
      expect(result.stderr).toContain(`    ↳ ${name} started\n`);
      expect(result.stderr).toContain(`    ✓ ${name} validated\n`);
      expect(result.stderr).toContain(`    ✓ merged ${name}\n`);
    }
  });

  it('shows a child retrying and then failing, and the plan failing with it', async () => {
    const entries = [
      { goal: 'Write c', resourceScopes: ['c.txt'], strategy: { steps: [step('Write', 'fs/write-file', { path: 'c.txt', content: 'c\n' })] } },
      { goal: 'Fail', resourceScopes: ['d.txt'], strategy: { steps: [step('Fail', 'shell/run', { command: 'exit 3' })] } },
    ];
    writeFileSync(join(dir, 'failing-fan.yaml'), planYaml({ name: 'demo/bad', strategy: { steps: [{ title: 'Fan out', subplans: { mode: 'sequential', retries: 1, entries } }] } }));
    const result = await runCli(dir, ['plan', 'run', 'failing-fan.yaml'], { env: { NO_COLOR: '1' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('    ↻ demo/bad-2 retrying (attempt 2)\n');
    expect(result.stderr).toMatch(/ {4}✗ demo\/bad-2 failed: TOOL_FAILED .*\n/);
    expect(result.stderr.indexOf('retrying (attempt 2)')).toBeLessThan(result.stderr.indexOf('demo/bad-2 failed'));
  });

  it('prints the tree, and its JSON', async () => {
    const human = await runCli(dir, ['plan', 'tree', 'demo/fan']);
    expect(human).toMatchObject({ code: 0, stderr: '' });
    expect(human.stdout).toBe('demo/fan  validate · complete\n├─ demo/fan-1  apply · done  (complete, attempt 1)\n└─ demo/fan-2  apply · done  (complete, attempt 1)\n');
    const json = JSON.parse((await runCli(dir, ['plan', 'tree', 'demo/fan', '--json'])).stdout);
    expect(json).toMatchObject({ name: 'demo/fan', subplan: null, children: [{ name: 'demo/fan-1', subplan: { status: 'complete', attempt: 1 }, children: [] }, { name: 'demo/fan-2' }] });
    expect((await runCli(dir, ['plan', 'tree', 'demo/nope'])).code).toBe(4);
  });
});
