import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckpointSummary } from '../../src/domain/index.js';
import { tempRepo } from '../helpers/temp.js';
import { FILES, ranPlan } from './plan-fixture.js';
import { runCli } from './run-cli.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempRepo(FILES));
  await ranPlan(dir, 'demo/cp');
});
afterAll(() => cleanup());

async function list(): Promise<CheckpointSummary[]> {
  return JSON.parse((await runCli(dir, ['checkpoint', 'list', 'demo/cp', '--json'])).stdout) as CheckpointSummary[];
}

describe('troupe checkpoint', () => {
  it('lists the checkpoints a run took, oldest first, as a table and as JSON', async () => {
    const checkpoints = await list();
    expect(checkpoints.map((checkpoint) => [checkpoint.trigger, checkpoint.phase, checkpoint.status])).toEqual([
      ['phase', 'strategize', 'complete'],
      ['pre-execute', 'execute', 'queued'],
      ['step', 'execute', 'queued'],
      ['step', 'execute', 'queued'],
      ['step', 'execute', 'queued'],
      ['post-execute', 'execute', 'complete'],
      ['phase', 'validate', 'complete'],
    ]);
    expect(checkpoints[2]).toMatchObject({
      label: null,
      clean: true,
      sideEffects: 1,
      toolCalls: 1,
      sandboxCommit: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    expect(checkpoints[0]).not.toHaveProperty('snapshot');
    // each step's checkpoint names the step it follows, as plan status counts them (issue 74)
    expect(checkpoints.map((checkpoint) => checkpoint.step)).toEqual([
      undefined,
      undefined,
      { number: 1, title: 'Write a' },
      { number: 2, title: 'Add b' },
      { number: 3, title: 'Add c' },
      { number: 3, title: 'Add c' },
      undefined,
    ]);

    const human = await runCli(dir, ['checkpoint', 'list', 'demo/cp']);
    expect(human).toMatchObject({ code: 0, stderr: '' });
    const lines = human.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID +LABEL +TRIGGER +STEP +RESTORES TO +CREATED +COMMIT +CLEAN +WRITES\/CALLS$/);
    expect(lines[2]).toMatch(new RegExp(`^${checkpoints[1]!.id} +- +pre-execute +- +execute · queued +\\S+`));
    expect(lines[3]).toMatch(
      new RegExp(
        `^${checkpoints[2]!.id} +- +step +1 +execute · after step 1 "Write a" +\\S+ +${checkpoints[2]!.sandboxCommit!.slice(0, 7)} +yes +1/1$`,
      ),
    );
    expect(lines[6]).toMatch(/ post-execute +3 +execute · complete /);
    expect(lines.at(-1)).toBe('go back to one: troupe plan rollback demo/cp --to <id|label|step:N|last-clean>');
  });

  it('shows one checkpoint by id, and its JSON is the listed summary', async () => {
    const [, , first] = await list();
    const json = await runCli(dir, ['checkpoint', 'show', 'demo/cp', first!.id, '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(first);
    const human = await runCli(dir, ['checkpoint', 'show', 'demo/cp', first!.id]);
    expect(human.stdout).toContain(`checkpoint ${first!.id} of demo/cp\n`);
    expect(human.stdout).toMatch(/ {2}restores to +execute · after step 1 "Write a"\n/);
    expect(human.stdout).toContain(`go back to it: troupe plan rollback demo/cp --to ${first!.id}`);
  });

  it('creates a labelled manual checkpoint, finds it by label, and deletes it', async () => {
    const created = await runCli(dir, ['checkpoint', 'create', 'demo/cp', '--label', 'before review', '--json']);
    expect(created.code).toBe(0);
    const summary = JSON.parse(created.stdout) as CheckpointSummary;
    expect(summary).toMatchObject({ label: 'before review', trigger: 'manual', phase: 'validate', status: 'complete' });
    expect((await list()).at(-1)).toEqual(summary);

    const shown = await runCli(dir, ['checkpoint', 'show', 'demo/cp', 'before review', '--json']);
    expect(JSON.parse(shown.stdout)).toEqual(summary);

    const deleted = await runCli(dir, ['checkpoint', 'delete', 'demo/cp', 'before review']);
    expect(deleted).toMatchObject({
      code: 0,
      stdout: `✓ deleted checkpoint ${summary.id} "before review" of demo/cp\n`,
    });
    expect((await list()).map((checkpoint) => checkpoint.id)).not.toContain(summary.id);
  });

  it('says what it created and how to go back to it, by label or by id', async () => {
    const labelled = await runCli(dir, ['checkpoint', 'create', 'demo/cp', '--label', 'mark']);
    const marked = (await list()).at(-1)!;
    expect(labelled).toMatchObject({
      code: 0,
      stdout: `✓ checkpoint ${marked.id} "mark" of demo/cp at (validate, complete)\ngo back to it: troupe plan rollback demo/cp --to mark\n`,
    });
    const plain = await runCli(dir, ['checkpoint', 'create', 'demo/cp']);
    const unnamed = (await list()).at(-1)!;
    expect(plain.stdout).toBe(
      `✓ checkpoint ${unnamed.id} of demo/cp at (validate, complete)\ngo back to it: troupe plan rollback demo/cp --to ${unnamed.id}\n`,
    );
    const deleted = await runCli(dir, ['checkpoint', 'delete', 'demo/cp', unnamed.id]);
    expect(deleted.stdout).toBe(`✓ deleted checkpoint ${unnamed.id} of demo/cp\n`);
    await runCli(dir, ['checkpoint', 'delete', 'demo/cp', 'mark']);
  });

  it.each([
    [
      ['checkpoint', 'prune', 'demo/cp', '--keep', '-1'],
      2,
      'error[VALIDATION_ERROR]: --keep: must be a whole number, 0 or more (got "-1")',
    ],
    [
      ['checkpoint', 'prune', 'demo/cp', '--keep', '2.5'],
      2,
      'error[VALIDATION_ERROR]: --keep: must be a whole number, 0 or more (got "2.5")',
    ],
    [
      ['checkpoint', 'prune', 'demo/cp'],
      2,
      'error[VALIDATION_ERROR]: --keep: is required: how many checkpoints to keep',
    ],
    [['checkpoint', 'show', 'demo/cp', 'no-such-label'], 4, 'error[NOT_FOUND]: no checkpoint matches "no-such-label"'],
    [
      ['checkpoint', 'delete', 'demo/cp', '01ZZZZZZZZZZZZZZZZZZZZZZZZ'],
      4,
      'error[NOT_FOUND]: no checkpoint matches "01ZZZZZZZZZZZZZZZZZZZZZZZZ"',
    ],
    [['checkpoint', 'list', 'demo/nope'], 4, 'error[NOT_FOUND]: no plan matches "demo/nope"'],
    [
      ['checkpoint', 'create', 'demo/cp', '--label', 'step:2'],
      2,
      'error[VALIDATION_ERROR]: label: must not be last-clean or step:<n>: --to takes those as places, not labels',
    ],
    [
      ['checkpoint', 'create', 'demo/cp', '--label', 'last-clean'],
      2,
      'error[VALIDATION_ERROR]: label: must not be last-clean or step:<n>',
    ],
  ])('troupe %j exits %i and changes nothing', async (argv, code, message) => {
    const before = await list();
    const result = await runCli(dir, argv as string[]);
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(message);
    expect(await list()).toEqual(before);
  });

  it('prunes to the newest N and says what it deleted and kept', async () => {
    const before = await list();
    // deleting for good asks first: no terminal, no --yes, nothing deleted
    const refused = await runCli(dir, ['checkpoint', 'prune', 'demo/cp', '--keep', '2']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(
      `error[CONFIRMATION_REQUIRED]: pruning deletes up to ${before.length - 2} of the ${before.length} checkpoints of demo/cp`,
    );
    expect(refused.stderr).toContain(
      'hint: nothing changed; to go ahead: troupe checkpoint prune demo/cp --keep 2 --yes',
    );
    const declined = await runCli(dir, ['checkpoint', 'prune', 'demo/cp', '--keep', '2'], { answers: ['n'] });
    expect(declined).toMatchObject({ code: 1, asked: ['Prune the checkpoints of demo/cp? [y/N] '] });
    expect(declined.stderr).toMatch(/\nNothing pruned\.\n$/);
    expect(declined.stderr).not.toMatch(/error|hint:|\u001b\[31m/);
    expect(await list()).toEqual(before);
    const pruned = await runCli(dir, ['checkpoint', 'prune', 'demo/cp', '--keep', '2', '--json', '--yes']);
    expect(pruned.code).toBe(0);
    const result = JSON.parse(pruned.stdout) as { deleted: string[]; kept: string[] };
    expect(result.kept).toEqual(before.slice(-2).map((checkpoint) => checkpoint.id));
    expect(result.deleted).toEqual(before.slice(0, -2).map((checkpoint) => checkpoint.id));
    expect((await list()).map((checkpoint) => checkpoint.id)).toEqual(result.kept);
    const human = await runCli(dir, ['checkpoint', 'prune', 'demo/cp', '--keep', '1'], {
      answers: ['y'],
      env: { NO_COLOR: '1' },
    });
    expect(human).toMatchObject({ code: 0, stdout: '✓ deleted 1 checkpoint of demo/cp; 1 kept\n' });
    expect((await list()).map((checkpoint) => checkpoint.id)).toEqual(result.kept.slice(-1));
    expect((await runCli(dir, ['checkpoint', 'prune', 'demo/cp', '--keep', '5'])).stdout).toBe(
      'nothing to prune: demo/cp keeps its 1 checkpoint\n',
    );
  });
});
