import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckpointSummary } from '../../src/domain/index.js';
import { tempRepo } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';
import { FILES, ranPlan, sandboxHead, status } from './plan-fixture.js';
import { runCli } from './run-cli.js';

// `troupe plan rollback` (SPEC §10): asks first, refuses without a terminal,
// and puts files, decisions and position back.

const NO_COLOR = { NO_COLOR: '1' };

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempRepo(FILES));
});
afterAll(() => cleanup());

async function checkpoints(name: string): Promise<CheckpointSummary[]> {
  return JSON.parse((await runCli(dir, ['checkpoint', 'list', name, '--json'])).stdout) as CheckpointSummary[];
}

describe('troupe plan rollback', () => {
  it('refuses with CONFIRMATION_REQUIRED (exit 3) without a terminal or --yes, and changes nothing', async () => {
    const plan = await ranPlan(dir, 'demo/no-tty');
    const head = sandboxHead(dir, plan);
    const before = await checkpoints('demo/no-tty');
    for (const argv of [
      ['plan', 'rollback', 'demo/no-tty'],
      ['plan', 'rollback', 'demo/no-tty', '--to', before[2]!.id],
    ]) {
      const result = await runCli(dir, argv);
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(
        /^error\[CONFIRMATION_REQUIRED\]: the rollback of demo\/no-tty to checkpoint \w+ needs a yes \(\d+ files? reverted, \d+ decisions? discarded, 0 child plans invalidated\) and there is no terminal to ask\n/,
      );
      expect(result.stderr).toContain(
        `hint: nothing changed; to go ahead: ${argv.join(' ').replace(/^/, 'troupe ')} --yes\n`,
      );
    }
    // stdout a terminal, but no way to answer (stdin is not one here)
    expect((await runCli(dir, ['plan', 'rollback', 'demo/no-tty'], { isTty: true })).code).toBe(3);
    const json = await runCli(dir, ['plan', 'rollback', 'demo/no-tty', '--json']);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout).error).toMatchObject({
      code: 'CONFIRMATION_REQUIRED',
      details: { planId: plan.id },
    });
    expect(await status(dir, 'demo/no-tty')).toMatchObject({
      phase: 'validate',
      status: 'complete',
      reversionCount: 0,
      updatedAt: plan.updatedAt,
    });
    expect(sandboxHead(dir, plan)).toBe(head);
    expect(await checkpoints('demo/no-tty')).toEqual(before);
  });

  it('rolls back with --yes to the checkpoint just after step N, and prints the result as JSON (SPEC §10)', async () => {
    const plan = await ranPlan(dir, 'demo/yes');
    const [, , afterFirst] = await checkpoints('demo/yes');
    const result = await runCli(dir, ['plan', 'rollback', 'demo/yes', '--to', 'step:1', '--yes', '--json']);
    expect(result).toMatchObject({ code: 0, stderr: '', asked: [] });
    const json = JSON.parse(result.stdout);
    expect(json).toEqual({
      planId: plan.id,
      checkpoint: {
        id: afterFirst!.id,
        label: null,
        createdAt: afterFirst!.createdAt,
        trigger: 'step',
        step: { number: 1, title: 'Write a' },
      },
      restored: { phase: 'execute', status: 'queued' },
      changesReverted: [
        { file: 'b.txt', action: 'deleted' },
        { file: 'c.txt', action: 'deleted' },
      ],
      decisionsDiscarded: expect.any(Number),
      childPlansInvalidated: [],
      reversionCount: 1,
      undoCheckpointId: expect.any(String),
      decisionId: expect.any(String),
    });
    expect(await status(dir, 'demo/yes')).toMatchObject({
      phase: 'execute',
      status: 'queued',
      reversionCount: 1,
      lastCheckpointId: afterFirst!.id,
    });
    expect(sandboxHead(dir, plan)).toBe(afterFirst!.sandboxCommit);
    expect(existsSync(join(dir, plan.sandbox!.worktree, 'b.txt'))).toBe(false);
    expect((await checkpoints('demo/yes')).at(-1)).toMatchObject({
      id: json.undoCheckpointId,
      trigger: 'pre-rollback',
    });
  });

  it('in a terminal shows what it would undo and asks; "n" changes nothing (exit 1)', async () => {
    const plan = await ranPlan(dir, 'demo/ask-no');
    const head = sandboxHead(dir, plan);
    const [, , afterFirst] = await checkpoints('demo/ask-no');
    const result = await runCli(dir, ['plan', 'rollback', 'demo/ask-no', '--to', afterFirst!.id], {
      answers: ['n'],
      env: NO_COLOR,
    });
    expect(result.asked).toEqual(['Roll back demo/ask-no? [y/N] ']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      `demo/ask-no goes back to checkpoint ${afterFirst!.id} (step, created ${afterFirst!.createdAt})\n`,
    );
    expect(result.stderr).toContain('  restores to  execute · after step 1 "Write a"\n');
    expect(result.stderr).toContain(
      '  files        2 files to revert:\n                 deleted    b.txt\n                 deleted    c.txt\n',
    );
    expect(result.stderr).toMatch(/ {2}decisions +\d+ to discard: reconciliation|decisions +none to discard/);
    expect(result.stderr).toContain('  child plans  none to invalidate\n');
    // a "no" is an answer, not an error: one plain line, no error[…], no hint
    expect(result.stderr).toMatch(/\nNothing rolled back\.\n$/);
    expect(result.stderr).not.toMatch(/error|hint:/);
    expect(await status(dir, 'demo/ask-no')).toMatchObject({
      phase: 'validate',
      status: 'complete',
      reversionCount: 0,
    });
    expect(sandboxHead(dir, plan)).toBe(head);
  });

  it('in a terminal rolls back on "y" to the checkpoint it showed (by default the newest before now)', async () => {
    const plan = await ranPlan(dir, 'demo/ask-yes');
    const result = await runCli(dir, ['plan', 'rollback', 'demo/ask-yes'], { answers: ['yes'], env: NO_COLOR });
    expect(result.asked).toEqual(['Roll back demo/ask-yes? [y/N] ']);
    expect(result.code).toBe(0);
    const shown = /^demo\/ask-yes goes back to checkpoint (\w+) /.exec(result.stderr)?.[1];
    const target = (await checkpoints('demo/ask-yes')).find((checkpoint) => checkpoint.id === shown)!;
    expect(target.trigger).not.toBe('pre-rollback');
    expect(result.stdout).toMatch(
      new RegExp(
        `^✓ rolled back demo/ask-yes to checkpoint ${shown} \\(${target.trigger}, created ${target.createdAt}\\)\n  restored to  ${target.phase} · ${target.status}\n`,
      ),
    );
    expect(result.stdout).toMatch(
      /\nundo: troupe plan rollback demo\/ask-yes --to \w+\nnext: troupe plan run demo\/ask-yes\n$/,
    );
    expect(await status(dir, 'demo/ask-yes')).toMatchObject({ reversionCount: 1, lastCheckpointId: shown });
    expect(sandboxHead(dir, plan)).toBe(target.sandboxCommit);
  });

  it.each([
    [['plan', 'rollback', 'demo/no-tty', '--to', 'nope', '--yes'], 4, 'error[NOT_FOUND]: no checkpoint matches "nope"'],
    [['plan', 'rollback', 'demo/no-tty', '--to', 'nope'], 4, 'error[NOT_FOUND]: no checkpoint matches "nope"'],
    [['plan', 'rollback', 'demo/nope', '--yes'], 4, 'error[NOT_FOUND]: no plan matches "demo/nope"'],
  ])('troupe %j exits %i', async (argv, code, message) => {
    const result = await runCli(dir, argv as string[]);
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(message);
  });

  it.each([
    ['step:9', 'step:9 is not a step of the plan: demo/no-tty has steps 1 to 3; steps with a checkpoint: 1, 2, 3'],
    ['step:0', 'step:0 is not a step of the plan: demo/no-tty has steps 1 to 3'],
    ['step:two', 'step:two is not a step of the plan'],
  ])(
    'refuses --to %s with VALIDATION_ERROR naming the step and the range (exit 2), changing nothing',
    async (to, message) => {
      const before = await checkpoints('demo/no-tty');
      const result = await runCli(dir, ['plan', 'rollback', 'demo/no-tty', '--to', to, '--yes']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`error[VALIDATION_ERROR]: --to: ${message}`);
      expect(await checkpoints('demo/no-tty')).toEqual(before);
    },
  );

  it('goes back to the last clean checkpoint with --to last-clean, refuses a step with no checkpoint, and explain names where it went', async () => {
    const steps = [
      step('Write a', 'fs/write-file', { path: 'a.txt', content: 'a1\n' }),
      step('Mark the spot', 'system/create-checkpoint', { label: 'mark' }),
      step('Add c', 'fs/write-file', { path: 'c.txt', content: 'c1\n' }),
    ];
    const invariants = [{ id: 'no-c', check: 'file-absent', path: 'c.txt' }];
    writeFileSync(
      join(dir, 'dirty.yaml'),
      planYaml({ name: 'demo/dirty', automation: 'review', invariants, strategy: { steps } }),
    );
    expect((await runCli(dir, ['plan', 'run', 'dirty.yaml'])).code).toBe(1);
    const taken = await checkpoints('demo/dirty');
    expect(
      taken
        .filter((checkpoint) => checkpoint.trigger === 'step')
        .map((checkpoint) => [checkpoint.step, checkpoint.clean]),
    ).toEqual([
      [{ number: 1, title: 'Write a' }, true],
      [{ number: 3, title: 'Add c' }, false],
    ]);
    const none = await runCli(dir, ['plan', 'rollback', 'demo/dirty', '--to', 'step:2', '--yes']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(
      'error[VALIDATION_ERROR]: --to: no checkpoint follows step 2 of demo/dirty (a step that wrote nothing takes none); steps with a checkpoint: 1, 3',
    );

    const result = await runCli(dir, ['plan', 'rollback', 'demo/dirty', '--to', 'last-clean', '--yes', '--json']);
    expect(result.code).toBe(0);
    const mark = taken.find((checkpoint) => checkpoint.label === 'mark')!;
    expect(JSON.parse(result.stdout)).toMatchObject({
      checkpoint: { id: mark.id, trigger: 'manual', step: { number: 1, title: 'Write a' } },
      restored: { phase: 'execute', status: 'queued' },
    });
    const explain = await runCli(dir, ['plan', 'explain', 'demo/dirty'], { env: NO_COLOR });
    expect(explain.stdout).toContain(
      `rollback rolled back to checkpoint ${mark.id} "mark" (manual, execute · after step 1 "Write a")`,
    );
  });

  it('refuses to roll back a cancelled plan with PHASE_GUARD (exit 2)', async () => {
    const plan = await ranPlan(dir, 'demo/ended');
    expect((await runCli(dir, ['plan', 'cancel', 'demo/ended'])).code).toBe(0);
    for (const argv of [
      ['plan', 'rollback', 'demo/ended', '--yes'],
      ['plan', 'rollback', 'demo/ended'],
      ['plan', 'correct', 'demo/ended', '--mode', 'revert'],
    ]) {
      const result = await runCli(dir, argv);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^error\[PHASE_GUARD\]: cannot roll back demo\/ended: the plan is cancelled/);
    }
    expect(sandboxHead(dir, plan)).toBe(plan.sandbox!.headCommit);
  });
});
