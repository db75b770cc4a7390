import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanRecord } from '../../src/domain/index.js';
import { tempRepo } from '../helpers/temp.js';
import { fanOutPlan, planYaml } from '../runtime/fixtures.js';
import { runCli } from './run-cli.js';

// `troupe ui` without a terminal: the same model as text, through the CLI

const ROOT = resolve(import.meta.dirname, '../..');
let dir: string;
let cleanup: () => Promise<void>;
let fan: PlanRecord;

beforeAll(async () => {
  ({ dir, cleanup } = await tempRepo({ 'README.md': '# project\n' }));
  writeFileSync(join(dir, 'fan.yaml'), fanOutPlan());
  const run = await runCli(dir, ['plan', 'run', 'fan.yaml', '--json']);
  expect(run.code).toBe(0);
  fan = JSON.parse(run.stdout) as PlanRecord;
  writeFileSync(join(dir, 'other.yaml'), planYaml({ name: 'demo/other' }));
  expect((await runCli(dir, ['plan', 'new', 'other.yaml'])).code).toBe(0);
});
afterAll(() => cleanup());

describe('troupe ui without a terminal', () => {
  it('prints the plan tree, newest first, and the first plan’s details, and exits 0', async () => {
    const result = await runCli(dir, ['ui']);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('    demo/other  strategize · queued  steps 0/0');
    expect(lines[1]).toBe('  ▾ demo/fan  validate · complete  steps 2/2  children 2/2');
    expect(lines[2]).toMatch(/^ {6}demo\/fan-\w+ {2}apply · done {2}\(complete, attempt 1\) {2}steps 1\/1$/);
    expect(result.stdout).toMatch(/\n\ndemo\/other {2}\w{26}\n {2}strategize · queued {2}/);
    const fanDetails = await runCli(dir, ['ui', 'demo/fan']);
    expect(fanDetails.stdout).toContain(
      `\ndemo/fan  ${fan.id}\n  validate · complete  Change the project\n  phases  strategize ✓  execute ✓  validate ✓\n  conflicts  none\n  events\n`,
    );
    expect(fanDetails.stdout).toMatch(/ {4}#\d+ phase\.completed \(validate\)/);
  });

  it('shows one plan and its children when named', async () => {
    const result = await runCli(dir, ['ui', 'demo/other']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ {4}demo\/other {2}strategize · queued {2}steps 0\/0\n\ndemo\/other {2}\w+\n/);
    expect(result.stdout).not.toContain('demo/fan');
  });

  it('prints the model as JSON with --json', async () => {
    const json = JSON.parse((await runCli(dir, ['ui', 'demo/fan', '--json'])).stdout);
    expect(json.plans.map((row: { depth: number }) => row.depth)).toEqual([0, 1, 1]);
    expect(json.plans[0]).toMatchObject({
      name: 'demo/fan',
      steps: { done: 2, total: 2 },
      children: { done: 2, total: 2 },
    });
    expect(json.details).toMatchObject({ id: fan.id, conflicts: [] });
  });

  it('refuses an unknown plan with NOT_FOUND (exit 4)', async () => {
    const result = await runCli(dir, ['ui', 'demo/nope']);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/^error\[NOT_FOUND\]/);
    expect(result.stdout).toBe('');
  });

  it('loads neither React nor Ink for plan status, nor for ui without a terminal', async () => {
    const imported = async (argv: string[]): Promise<string[]> => {
      const log = join(dir, `imports-${argv.join('-').replace(/\W/g, '_')}.log`);
      writeFileSync(log, '');
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          '--import',
          join(ROOT, 'test/cli/import-log.mjs'),
          join(ROOT, 'test/cli/inspect-child.ts'),
          '-C',
          dir,
          ...argv,
        ],
        {
          cwd: ROOT,
          stdio: 'ignore',
          env: { ...process.env, TROUPE_IMPORT_LOG: log },
        },
      );
      expect(await new Promise((done) => child.once('exit', done))).toBe(0);
      return readFileSync(log, 'utf8').split('\n');
    };
    for (const argv of [['plan', 'status', 'demo/fan'], ['ui']]) {
      const packages = await imported(argv);
      expect(packages).toContain('commander');
      expect(
        packages.filter(
          (name) => name === 'ink' || name === 'react' || name.startsWith('react/') || name.startsWith('ink/'),
        ),
      ).toEqual([]);
    }
  });
});
