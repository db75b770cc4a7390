import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanRecord } from '../../src/domain/index.js';
import { tempRepo } from '../helpers/temp.js';
import { FILES, ranPlan, sandboxHead, status } from './plan-fixture.js';
import { runCli } from './run-cli.js';

// `troupe plan correct` (SPEC §10): flags checked before anything opens,
// a revert confirmed like a rollback, an append run at once.

let dir: string;
let cleanup: () => Promise<void>;
let plan: PlanRecord;
beforeAll(async () => {
  ({ dir, cleanup } = await tempRepo(FILES));
  plan = await ranPlan(dir, 'demo/fix');
});
afterAll(() => cleanup());

const STEP = JSON.stringify({ title: 'Add d', tool: 'fs/write-file', input: { path: 'd.txt', content: 'd1\n' } });

describe('troupe plan correct', () => {
  it.each([
    [['plan', 'correct', 'demo/fix'], 'error[VALIDATION_ERROR]: --mode: is required: revert or append'],
    [
      ['plan', 'correct', 'demo/fix', '--mode', 'redo'],
      'error[VALIDATION_ERROR]: --mode: must be revert or append (got "redo")',
    ],
    [
      ['plan', 'correct', 'demo/fix', '--mode', 'append'],
      'error[VALIDATION_ERROR]: --step: is required with --mode append',
    ],
    [
      ['plan', 'correct', 'demo/fix', '--mode', 'append', '--step', '{"title": '],
      'error[VALIDATION_ERROR]: --step: the value is not valid JSON',
    ],
    [
      ['plan', 'correct', 'demo/fix', '--mode', 'append', '--step', '@missing.json'],
      'error[VALIDATION_ERROR]: --step: no file at missing.json',
    ],
    [
      ['plan', 'correct', 'demo/fix', '--mode', 'append', '--step', '@bad.json'],
      'error[VALIDATION_ERROR]: --step: bad.json is not valid JSON',
    ],
    [
      ['plan', 'correct', 'demo/fix', '--mode', 'append', '--step', '{"title": "x"}'],
      'error[VALIDATION_ERROR]: --step: step.tool: is required',
    ],
    [
      ['plan', 'correct', 'demo/fix', '--mode', 'append', '--step', STEP, '--to', 'x'],
      'error[VALIDATION_ERROR]: --to: is for --mode revert',
    ],
    [
      ['plan', 'correct', 'demo/fix', '--mode', 'revert', '--step', STEP],
      'error[VALIDATION_ERROR]: --step: is for --mode append',
    ],
  ])('troupe %j exits 2 and changes nothing', async (argv, message) => {
    writeFileSync(join(dir, 'bad.json'), '[{]');
    const result = await runCli(dir, argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(await status(dir, 'demo/fix')).toEqual({ ...plan, live: false, holder: null });
  });

  it('refuses a revert without a terminal or --yes (exit 3), changing nothing', async () => {
    const result = await runCli(dir, ['plan', 'correct', 'demo/fix', '--mode', 'revert', '--reason', "it's wrong"]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /^error\[CONFIRMATION_REQUIRED\]: the revert of demo\/fix to checkpoint \w+ needs a yes/,
    );
    expect(result.stderr).toContain(
      `hint: nothing changed; to go ahead: troupe plan correct demo/fix --mode revert --reason 'it'\\''s wrong' --yes\n`,
    );
    expect(await status(dir, 'demo/fix')).toEqual({ ...plan, live: false, holder: null });
    expect(sandboxHead(dir, plan)).toBe(plan.sandbox!.headCommit);
  });

  it('asks before a revert in a terminal; "n" changes nothing', async () => {
    const result = await runCli(dir, ['plan', 'correct', 'demo/fix', '--mode', 'revert'], {
      answers: ['n'],
      env: { NO_COLOR: '1' },
    });
    expect(result.asked).toEqual(['Revert demo/fix? [y/N] ']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^demo\/fix goes back to checkpoint \w+ /);
    expect(result.stderr).toMatch(/\nNothing reverted\.\n$/);
    expect(result.stderr).not.toMatch(/error|hint:/);
    expect(await status(dir, 'demo/fix')).toEqual({ ...plan, live: false, holder: null });
  });

  it('appends a step from a file, runs it, and prints the correction as JSON', async () => {
    writeFileSync(join(dir, 'step.json'), STEP);
    const result = await runCli(dir, [
      'plan',
      'correct',
      'demo/fix',
      '--mode',
      'append',
      '--step',
      '@step.json',
      '--reason',
      'd is missing',
      '--json',
    ]);
    expect(result.asked).toEqual([]);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({
      planId: plan.id,
      mode: 'append',
      rollback: null,
      appended: [expect.any(String)],
      decisionId: expect.any(String),
      undoCheckpointId: expect.any(String),
      plan: { id: plan.id },
    });
    expect(result.code).toBe(0);
    expect(json.plan).toMatchObject({ phase: 'validate', status: 'complete', lastCompletedStep: 3 });
    expect(json.plan.strategyDecisionIds).toHaveLength(4);
    expect(readFileSync(join(dir, plan.sandbox!.worktree, 'd.txt'), 'utf8')).toBe('d1\n');
  });

  it('says what an append did and where the plan stopped, with the undo', async () => {
    const step = JSON.stringify({ title: 'Add e', tool: 'fs/write-file', input: { path: 'e.txt', content: 'e\n' } });
    const result = await runCli(dir, ['plan', 'correct', 'demo/fix', '--mode', 'append', '--step', step], {
      env: { NO_COLOR: '1' },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^✓ corrected demo/fix: appended 1 step\ndemo/fix {2}${plan.id}\n`));
    expect(result.stdout).toMatch(/\nundo: troupe plan rollback demo\/fix --to \w+\n$/);
  });

  it('reverts in a terminal on "y" to the checkpoint it showed, and says what it reverted', async () => {
    const result = await runCli(dir, ['plan', 'correct', 'demo/fix', '--mode', 'revert'], {
      answers: ['y'],
      env: { NO_COLOR: '1' },
    });
    expect(result.asked).toEqual(['Revert demo/fix? [y/N] ']);
    expect(result.code).toBe(0);
    const shown = /^demo\/fix goes back to checkpoint (\w+) /.exec(result.stderr)?.[1];
    expect(shown).toBeDefined();
    expect(result.stdout).toMatch(new RegExp(`^✓ corrected demo/fix: reverted to checkpoint ${shown}`));
    expect(result.stdout).toContain('\n  restored to  execute · complete\n  files        none reverted\n');
    expect(result.stdout).toMatch(/\nundo: troupe plan rollback demo\/fix --to \w+\n$/);
    expect((await status(dir, 'demo/fix')).reversionCount).toBe(1);
  });

  it('reverts to the checkpoint given with --to when told --yes, and prints the correction', async () => {
    const [, , afterFirst] = JSON.parse((await runCli(dir, ['checkpoint', 'list', 'demo/fix', '--json'])).stdout);
    const result = await runCli(dir, [
      'plan',
      'correct',
      'demo/fix',
      '--mode',
      'revert',
      '--to',
      afterFirst.id,
      '--reason',
      'start over from a',
      '--yes',
      '--json',
    ]);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({
      planId: plan.id,
      mode: 'revert',
      appended: [],
      rollback: { checkpoint: { id: afterFirst.id }, restored: { phase: 'execute', status: 'queued' } },
    });
    expect(json.rollback.changesReverted).toEqual(
      expect.arrayContaining([
        { file: 'b.txt', action: 'deleted' },
        { file: 'd.txt', action: 'deleted' },
      ]),
    );
    expect(json.plan.reversionCount).toBe(2);
    const explained = JSON.stringify(JSON.parse((await runCli(dir, ['plan', 'explain', 'demo/fix', '--json'])).stdout));
    expect(explained).toContain('start over from a');
  });
});
