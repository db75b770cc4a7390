import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/cli/duration.js';
import { createRuntime } from '../../src/runtime/index.js';
import { git, tempRepo } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';
import { FILES, ranPlan, status } from './plan-fixture.js';
import { runCli } from './run-cli.js';

// troupe gc, troupe plan delete and --replace through the CLI (SPEC §18).

const NO_COLOR = { NO_COLOR: '1' };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
async function project(): Promise<string> {
  const repo = await tempRepo(FILES);
  cleanups.push(repo.cleanup);
  return repo.dir;
}

describe('durations', () => {
  it.each([
    ['0s', 0],
    ['30s', 30_000],
    ['10m', 600_000],
    ['2h', 7_200_000],
    ['7d', 604_800_000],
  ])('reads %s', (text, ms) => expect(parseDuration(text, '--older-than')).toBe(ms));

  it.each(['', '7', 'd', '1.5h', '-1d', '2weeks', '10 m'])('refuses %j naming the flag', (text) => {
    expect(() => parseDuration(text, '--older-than')).toThrow(/--older-than: must be a whole number and a unit/);
  });
});

describe('troupe gc', () => {
  it('says there is nothing to free, what it would free, and what it freed', async () => {
    const dir = await project();
    const plan = await ranPlan(dir, 'demo/gc');
    expect((await runCli(dir, ['gc'], { env: NO_COLOR })).stdout).toBe(
      'nothing to free: every sandbox and ref belongs to a plan that has not ended (or ended more recently)\n',
    );
    expect((await runCli(dir, ['plan', 'cancel', 'demo/gc'])).code).toBe(0);
    const dry = await runCli(dir, ['gc', '--dry-run'], { env: NO_COLOR });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(
      new RegExp(
        `^ {2}demo/gc {2}\\.troupe/worktrees/${plan.id}, ${plan.sandbox!.branch.replace('/', '\\/')}\\nwould free 1 worktree and 1 branch of 1 ended plan, [\\d.]+ (bytes|KiB); would prune 1 ref of ended plans under refs/troupe/ \\(dry run: nothing changed\\)\\n$`,
      ),
    );
    expect(existsSync(join(dir, plan.sandbox!.worktree))).toBe(true);
    const old = JSON.parse((await runCli(dir, ['gc', '--older-than', '1d', '--json'])).stdout);
    expect(old).toMatchObject({ dryRun: false, worktrees: 0, plans: 0, refs: 0 });
    const freed = await runCli(dir, ['gc', '--older-than', '0s'], { env: NO_COLOR });
    expect(freed.stdout).toMatch(
      /✓ freed 1 worktree and 1 branch of 1 ended plan, .*; pruned 1 ref of ended plans under refs\/troupe\/\n$/,
    );
    expect(existsSync(join(dir, plan.sandbox!.worktree))).toBe(false);
    expect(git(dir, 'for-each-ref', `refs/troupe/base/${plan.id}`)).toBe('');
    // refs alone: a plan deleted from under troupe's store left some behind
    git(dir, 'update-ref', `refs/troupe/keep/${plan.id.slice(0, -1)}X/${git(dir, 'rev-parse', 'HEAD')}`, 'HEAD');
    expect((await runCli(dir, ['gc', '--dry-run'], { env: NO_COLOR })).stdout).toBe(
      'would prune 1 ref of ended plans under refs/troupe/ (dry run: nothing changed)\n',
    );
    const json = JSON.parse((await runCli(dir, ['gc', '--json'])).stdout);
    expect(json).toMatchObject({ dryRun: false, worktrees: 0, branches: 0, plans: 0, refs: 1, freed: [] });
    expect((await runCli(dir, ['gc'], { env: NO_COLOR })).stdout).toMatch(/^nothing to free/);
  });

  it('refuses a bad --older-than before opening the store (exit 2)', async () => {
    const dir = await project();
    const result = await runCli(dir, ['gc', '--older-than', 'soon']);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain(
      'error[VALIDATION_ERROR]: --older-than: must be a whole number and a unit, s, m, h or d: 30s, 10m, 2h, 7d, 0s (got "soon")',
    );
    expect(existsSync(join(dir, '.troupe'))).toBe(false);
  });
});

describe('troupe plan delete', () => {
  it('refuses without a terminal or --yes, takes no for an answer, and deletes on yes', async () => {
    const dir = await project();
    await ranPlan(dir, 'demo/del');
    const refused = await runCli(dir, ['plan', 'delete', 'demo/del']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(
      'error[CONFIRMATION_REQUIRED]: deleting demo/del needs a yes (demo/del, 7 checkpoints) and there is no terminal to ask\nhint: nothing changed; to go ahead: troupe plan delete demo/del --yes\n',
    );
    const no = await runCli(dir, ['plan', 'delete', 'demo/del'], { answers: ['n'], env: NO_COLOR });
    expect(no.code).toBe(1);
    expect(no.asked).toEqual(['Delete demo/del? [y/N] ']);
    expect(no.stderr).toContain(
      'deleting removes for good — sandboxes, branches, checkpoints, decisions, journal:\n  demo/del  validate · complete, 7 checkpoints\ncancels first: demo/del',
    );
    expect(no.stderr).toMatch(/\nNothing deleted\.\n$/);
    expect(no.stderr).not.toMatch(/error|hint:/);
    const noJson = await runCli(dir, ['plan', 'delete', 'demo/del', '--json'], { answers: ['n'] });
    expect(noJson.code).toBe(1);
    expect(JSON.parse(noJson.stdout).error).toMatchObject({ code: 'CANCELLED', details: { declined: true } });
    expect((await status(dir, 'demo/del')).status).toBe('complete');
    const yes = await runCli(dir, ['plan', 'delete', 'demo/del'], { answers: ['y'], env: NO_COLOR });
    expect(yes).toMatchObject({
      code: 0,
      stdout: '✓ deleted demo/del, 7 checkpoints; the name demo/del is free again\n',
    });
    expect((await runCli(dir, ['plan', 'status', 'demo/del'])).code).toBe(4);
  });

  it('deletes with --yes and prints the result as JSON', async () => {
    const dir = await project();
    const plan = await ranPlan(dir, 'demo/json');
    const result = await runCli(dir, ['plan', 'delete', 'demo/json', '--yes', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      planId: plan.id,
      name: 'demo/json',
      deleted: [plan.id],
      cancels: ['demo/json'],
    });
  });
});

describe('--replace', () => {
  it('takes the name of an ended plan with plan new and plan run, and hints it when the name is taken', async () => {
    const dir = await project();
    writeFileSync(
      join(dir, 'p.yaml'),
      planYaml({
        name: 'demo/p',
        strategy: { steps: [step('W', 'fs/write-file', { path: 'w.txt', content: 'w\n' })] },
      }),
    );
    const first = JSON.parse((await runCli(dir, ['plan', 'new', 'p.yaml', '--json'])).stdout);
    // the plan has not ended: run it by name, or cancel it first
    const taken = await runCli(dir, ['plan', 'new', 'p.yaml']);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toContain(
      'hint: it exists already (strategize, queued): run it with troupe plan run demo/p, or replace it with troupe plan new p.yaml --replace (it is cancelled first, after asking)',
    );
    const runTaken = await runCli(dir, ['plan', 'run', 'p.yaml']);
    expect(runTaken.stderr).toContain(
      'hint: it exists already: run it by name with troupe plan run demo/p; or replace it with troupe plan run p.yaml --replace (it is cancelled first, after asking)',
    );
    // --replace of a plan that has not ended asks: no terminal, no --yes, nothing changes
    const refused = await runCli(dir, ['plan', 'new', 'p.yaml', '--replace']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(
      'error[CONFIRMATION_REQUIRED]: demo/p is at (strategize, queued): replacing it cancels and deletes demo/p, 0 checkpoints, and there is no terminal to ask',
    );
    expect(refused.stderr).toContain('hint: nothing changed; to go ahead: troupe plan new p.yaml --replace --yes');
    const declined = await runCli(dir, ['plan', 'new', 'p.yaml', '--replace'], { answers: ['n'] });
    expect(declined).toMatchObject({ code: 1, asked: ['Replace demo/p? [y/N] '] });
    expect(declined.stderr).toMatch(/\nNothing replaced\.\n$/);
    expect(declined.stderr).not.toMatch(/error|hint:|\u001b\[31m/);
    expect((await runCli(dir, ['plan', 'status', 'demo/p', '--json'])).stdout).toContain(first.id);
    // a yes cancels it and takes its name in one command
    const replaced = JSON.parse(
      (await runCli(dir, ['plan', 'new', 'p.yaml', '--replace', '--json'], { answers: ['y'] })).stdout,
    );
    expect(replaced.id).not.toBe(first.id);
    const journal = await runCli(dir, ['plan', 'list', '--all', '--json']);
    expect((JSON.parse(journal.stdout) as { name: string }[]).filter((plan) => plan.name === 'demo/p')).toHaveLength(1);
    await runCli(dir, ['plan', 'cancel', 'demo/p']);
    // ended: the hint says --replace
    const ended = await runCli(dir, ['plan', 'run', 'p.yaml']);
    expect(ended.stderr).toContain(
      'hint: it was cancelled: take the name again with troupe plan run p.yaml --replace (the old plan is deleted), or choose another name',
    );
    const second = JSON.parse((await runCli(dir, ['plan', 'new', 'p.yaml', '--replace', '--json'])).stdout);
    expect(second.id).not.toBe(first.id);
    await runCli(dir, ['plan', 'cancel', 'demo/p']);
    const third = await runCli(dir, ['plan', 'run', 'p.yaml', '--replace', '--json']);
    expect(third.code).toBe(0);
    expect(JSON.parse(third.stdout)).toMatchObject({ name: 'demo/p', phase: 'validate', status: 'complete' });
    // a plan by name is not a file to replace it with
    const byName = await runCli(dir, ['plan', 'run', 'demo/p', '--replace']);
    expect(byName.code).toBe(2);
    expect(byName.stderr).toContain('error[VALIDATION_ERROR]: --replace: takes a plan file, and demo/p is not one');
    // --replace with --name and --goal
    await runCli(dir, ['plan', 'cancel', 'demo/p']);
    const flags = await runCli(dir, ['plan', 'new', '--name', 'demo/p', '--goal', 'Again', '--replace', '--json']);
    expect(flags.code).toBe(0);
    expect(JSON.parse(flags.stdout)).toMatchObject({ name: 'demo/p', goal: 'Again' });
  });

  it('never cancels a child plan to replace it, not even with --yes', async () => {
    const dir = await project();
    const runtime = await createRuntime({ dir, report: () => {}, warn: () => {} });
    let childId: string;
    try {
      // an agent-driven parent's child stays open, waiting for its agent
      const parent = await runtime.createPlan({ name: 'agent/parent', goal: 'Spawn' });
      await runtime.run(parent.id);
      const spawned = await runtime.spawnSubplans(parent.id, { children: [{ goal: 'Child' }] });
      childId = spawned.children[0]!.id;
    } finally {
      await runtime.close();
    }
    writeFileSync(join(dir, 'child.yaml'), planYaml({ name: 'agent/parent-1' }));
    const refused = await runCli(dir, ['plan', 'new', 'child.yaml', '--replace', '--yes']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('error[PHASE_GUARD]: cannot replace agent/parent-1: it is a child plan');
    const child = JSON.parse((await runCli(dir, ['plan', 'status', childId, '--json'])).stdout) as { status: string };
    expect(child.status).not.toBe('cancelled');
  });
});
