import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/index.js';
import { createRuntime } from '../../src/runtime/index.js';
import type { LocalRuntime } from '../../src/runtime/local-runtime.js';
import { git, tempRepo } from '../helpers/temp.js';
import { fanOutPlan, planYaml, projectWithRuntime, step } from './fixtures.js';

// Housekeeping (SPEC §18) on LevelDB and real git: gc, delete, --replace,
// the memory store's sandboxes, and commits kept for checkpoints.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
async function project(...args: Parameters<typeof projectWithRuntime>) {
  const made = await projectWithRuntime(...args);
  cleanups.push(made.close);
  return made;
}

const writing = (name: string, extra: Record<string, unknown> = {}) =>
  planYaml({
    name,
    resourceScopes: ['**'],
    strategy: {
      steps: [step('Write', 'fs/write-file', { path: `${name.replace('/', '-')}.txt`, content: `${name}\n` })],
    },
    ...extra,
  });

const troupeBranches = (dir: string) =>
  git(dir, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/troupe/').split('\n').filter(Boolean);
const refsOf = (dir: string, planId: string) =>
  git(dir, 'for-each-ref', '--format=%(refname)', 'refs/troupe/')
    .split('\n')
    .filter((ref) => ref.includes(`/${planId}`));
const keptRefs = (dir: string, planId: string) =>
  git(dir, 'for-each-ref', '--format=%(objectname)', `refs/troupe/keep/${planId}/`).split('\n').filter(Boolean);

async function ended(runtime: LocalRuntime) {
  const done = await runtime.run((await runtime.createPlan(writing('demo/done', { automation: 'auto' }))).id);
  const cancelled = await runtime.cancel(
    (await runtime.run((await runtime.createPlan(writing('demo/dropped'))).id, { until: 'execute' })).id,
  );
  const live = await runtime.run((await runtime.createPlan(writing('demo/live'))).id);
  expect([done.status, cancelled.status, live.status]).toEqual(['done', 'cancelled', 'complete']);
  return { done, cancelled, live };
}

describe('troupe gc', () => {
  it('frees the sandboxes and refs of ended plans, says how many refs it pruned, and never touches a live plan', async () => {
    const { dir, runtime } = await project();
    const { done, cancelled, live } = await ended(runtime);
    // the applied plan left nothing behind when it applied
    expect(existsSync(join(dir, done.sandbox!.worktree))).toBe(false);
    expect(troupeBranches(dir)).not.toContain(done.sandbox!.branch);
    expect(refsOf(dir, done.id)).toEqual([]);
    const before = troupeBranches(dir);
    const cancelledRefs = refsOf(dir, cancelled.id);
    expect(cancelledRefs).toContain(`refs/troupe/base/${cancelled.id}`);

    const dry = await runtime.gc({ dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, worktrees: 1, branches: 1, plans: 1, refs: cancelledRefs.length });
    expect(dry.bytes).toBeGreaterThan(0);
    expect(dry.freed.map((entry) => entry.name)).toEqual(['demo/dropped']);
    // a dry run changes nothing
    expect(troupeBranches(dir)).toEqual(before);
    expect(refsOf(dir, cancelled.id)).toEqual(cancelledRefs);
    expect(existsSync(join(dir, cancelled.sandbox!.worktree))).toBe(true);

    const report = await runtime.gc();
    expect(report).toMatchObject({
      dryRun: false,
      worktrees: 1,
      branches: 1,
      plans: 1,
      bytes: dry.bytes,
      refs: cancelledRefs.length,
    });
    expect(existsSync(join(dir, cancelled.sandbox!.worktree))).toBe(false);
    expect(troupeBranches(dir)).not.toContain(cancelled.sandbox!.branch);
    expect(refsOf(dir, cancelled.id)).toEqual([]);
    // the commits are no longer pinned, but until git's own gc prunes them what it changed still shows
    expect((await runtime.patch(cancelled.id)).patch).toContain('+++ b/');
    // the live plan keeps its sandbox and its refs, and can still be applied
    expect(existsSync(join(dir, live.sandbox!.worktree))).toBe(true);
    expect(troupeBranches(dir)).toContain(live.sandbox!.branch);
    expect(refsOf(dir, live.id)).toContain(`refs/troupe/base/${live.id}`);
    expect(await runtime.runPhase(live.id, 'apply')).toMatchObject({ status: 'done' });
    // applying freed it: nothing left to free
    expect(await runtime.gc()).toMatchObject({ worktrees: 0, branches: 0, plans: 0, bytes: 0, refs: 0, freed: [] });
    expect(troupeBranches(dir)).toEqual([]);
    expect(git(dir, 'for-each-ref', 'refs/troupe/')).toBe('');
  });

  it('frees only what ended at least --older-than ago', async () => {
    const { runtime } = await project();
    await ended(runtime);
    expect(await runtime.gc({ olderThanMs: 3_600_000 })).toMatchObject({ plans: 0, worktrees: 0, refs: 0 });
    expect(await runtime.gc({ olderThanMs: 0 })).toMatchObject({ plans: 1, refs: 1 });
    await expect(runtime.gc({ olderThanMs: -1 })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
  });

  it('frees folders and troupe branches no plan owns, and leaves a branch of the user’s alone', async () => {
    const { dir, runtime } = await project();
    const live = await runtime.run((await runtime.createPlan(writing('demo/live'))).id);
    // left by a plan whose records are gone (a runtime on the memory store that died, say)
    const orphan = newId();
    mkdirSync(join(dir, '.troupe', 'worktrees', orphan, 'src'), { recursive: true });
    writeFileSync(join(dir, '.troupe', 'worktrees', orphan, 'src', 'x.ts'), 'x'.repeat(1000));
    git(dir, 'branch', `troupe/demo-gone-${orphan.slice(-6).toLowerCase()}`);
    git(dir, 'branch', 'troupe/my-own-work');
    // a branch shaped like troupe's that the user checked out in a worktree of their own is theirs
    const mine = `${dir}-mine`;
    cleanups.push(async () => rmSync(mine, { recursive: true, force: true }));
    git(dir, 'worktree', 'add', '--quiet', '-b', 'troupe/demo-mine-q8h2ka', mine);
    const report = await runtime.gc();
    expect(report).toMatchObject({ worktrees: 1, branches: 1, plans: 0 });
    expect(report.bytes).toBeGreaterThanOrEqual(1000);
    expect(existsSync(join(dir, '.troupe', 'worktrees', orphan))).toBe(false);
    expect(troupeBranches(dir).sort()).toEqual(
      [live.sandbox!.branch, 'troupe/demo-mine-q8h2ka', 'troupe/my-own-work'].sort(),
    );
    expect(git(mine, 'symbolic-ref', 'HEAD')).toBe('refs/heads/troupe/demo-mine-q8h2ka');
    expect(git(mine, 'rev-parse', 'HEAD')).toMatch(/^[0-9a-f]{40}$/);
  });
  it('removes the command ledgers of ended plans and of plans no record names, unless something is still recorded there', async () => {
    const { dir, runtime } = await project();
    const running = (name: string) =>
      planYaml({
        name,
        resourceScopes: ['**'],
        strategy: { steps: [step('Run', 'shell/run', { command: `echo ${name} > ran.txt` })] },
      });
    const done = await runtime.run((await runtime.createPlan(running('demo/done'))).id);
    const live = await runtime.run((await runtime.createPlan(running('demo/live'))).id, { until: 'execute' });
    const ledger = (planId: string) => join(dir, '.troupe', 'run', planId);
    // both ran a contained command, recorded while it ran
    expect([existsSync(ledger(done.id)), existsSync(ledger(live.id))]).toEqual([true, true]);
    const gone = newId();
    mkdirSync(ledger(gone), { recursive: true });
    const left = newId();
    mkdirSync(ledger(left), { recursive: true });
    writeFileSync(join(ledger(left), 'token.pid'), '12345\n');
    await runtime.cancel(done.id);
    await runtime.gc({ dryRun: true });
    expect(existsSync(ledger(gone))).toBe(true);

    await runtime.gc();
    expect(existsSync(ledger(done.id))).toBe(false);
    expect(existsSync(ledger(gone))).toBe(false);
    expect(existsSync(ledger(live.id))).toBe(true);
    expect(existsSync(join(ledger(left), 'token.pid'))).toBe(true);
    await runtime.deletePlan('demo/live');
    expect(existsSync(ledger(live.id))).toBe(false);
  });
});

describe('troupe plan delete', () => {
  it('removes a plan with its children, sandboxes, branches, kept commits and records, and frees its name', async () => {
    const { dir, runtime } = await project();
    const plan = await runtime.run((await runtime.createPlan(fanOutPlan('demo/fan'))).id);
    const kids = (await runtime.tree(plan.id)).children;
    await runtime.cancel(plan.id);
    const preview = await runtime.previewDelete(plan.id);
    expect(preview).toMatchObject({ name: 'demo/fan', cancels: [] });
    expect(preview.plans.map((entry) => entry.name)).toEqual(['demo/fan', 'demo/fan-1', 'demo/fan-2']);
    expect(preview.plans[0]!.checkpoints).toBeGreaterThan(0);
    // the preview changed nothing
    expect(await runtime.getPlan(plan.id)).toMatchObject({ status: 'cancelled' });

    const result = await runtime.deletePlan('demo/fan');
    expect(result.deleted.sort()).toEqual([plan.id, ...kids.map((kid) => kid.id)].sort());
    for (const id of result.deleted) {
      await expect(runtime.getPlan(id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(keptRefs(dir, id)).toEqual([]);
      expect(existsSync(join(dir, '.troupe', 'worktrees', id))).toBe(false);
    }
    expect(troupeBranches(dir)).toEqual([]);
    expect(await runtime.listPlans({ all: true })).toEqual([]);
    // the name is free again
    expect(await runtime.createPlan(fanOutPlan('demo/fan'))).toMatchObject({ name: 'demo/fan', status: 'queued' });
  });

  it('cancels a plan that has not ended first, and refuses a child of a live plan', async () => {
    const { runtime } = await project();
    const plan = await runtime.run((await runtime.createPlan(fanOutPlan('demo/fan'))).id);
    const [kid] = (await runtime.tree(plan.id)).children;
    await expect(runtime.previewDelete(kid!.id)).rejects.toMatchObject({
      code: 'PHASE_GUARD',
      hint: expect.stringContaining('troupe plan delete demo/fan'),
    });
    await expect(runtime.deletePlan(kid!.id)).rejects.toMatchObject({ code: 'PHASE_GUARD' });
    expect((await runtime.previewDelete(plan.id)).cancels).toEqual(['demo/fan']);
    await runtime.deletePlan(plan.id);
    expect(await runtime.listPlans({ all: true })).toEqual([]);
  });
});

describe('taking a name again (--replace)', () => {
  it('deletes the ended plan that holds the name, and refuses one that has not ended', async () => {
    const { runtime } = await project();
    const first = await runtime.run((await runtime.createPlan(writing('demo/again', { automation: 'auto' }))).id);
    expect(first.status).toBe('done');
    await expect(runtime.createPlan(writing('demo/again'))).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    const second = await runtime.createPlan(writing('demo/again'), { replace: true });
    expect(second.id).not.toBe(first.id);
    await expect(runtime.getPlan(first.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await runtime.run(second.id, { until: 'execute' });
    await expect(runtime.createPlan(writing('demo/again'), { replace: true })).rejects.toMatchObject({
      code: 'PHASE_GUARD',
      hint: expect.stringContaining('troupe plan cancel demo/again'),
    });
    // a bad plan file replaces nothing
    await runtime.cancel(second.id);
    await expect(
      runtime.createPlan(planYaml({ name: 'demo/again', goal: '' }), { replace: true }),
    ).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    expect(await runtime.getPlan(second.id)).toMatchObject({ status: 'cancelled' });
  });
});

describe('sandboxes and their commits', () => {
  it('the memory store takes its plans’ sandboxes with it when the runtime closes', async () => {
    const repo = await tempRepo({ 'README.md': '# project\n' });
    cleanups.push(repo.cleanup);
    const runtime = await createRuntime({ dir: repo.dir, store: 'memory', report: () => {} });
    const plan = await runtime.run((await runtime.createPlan(writing('demo/mem'))).id);
    expect(existsSync(join(repo.dir, plan.sandbox!.worktree))).toBe(true);
    await runtime.close();
    expect(existsSync(join(repo.dir, plan.sandbox!.worktree))).toBe(false);
    expect(troupeBranches(repo.dir)).toEqual([]);
    expect(git(repo.dir, 'worktree', 'list').split('\n')).toHaveLength(1);
  });

  it('keeps the commits a rollback leaves behind, and makes a lost worktree again when a rollback needs it', async () => {
    const { dir, runtime } = await project();
    const plan = await runtime.run(
      (
        await runtime.createPlan(
          planYaml({
            name: 'demo/two',
            resourceScopes: ['**'],
            strategy: {
              steps: [
                step('A', 'fs/write-file', { path: 'a.txt', content: 'a\n' }),
                step('B', 'fs/write-file', { path: 'b.txt', content: 'b\n' }),
              ],
            },
          }),
        )
      ).id,
    );
    const [, , afterA] = await runtime.checkpoints(plan.id);
    const head = plan.sandbox!.headCommit;
    // the worktree went missing (a user cleaned up by hand)
    rmSync(join(dir, plan.sandbox!.worktree), { recursive: true, force: true });
    const rolled = await runtime.rollback(plan.id, { to: afterA!.id });
    expect(rolled.changesReverted.map((change) => change.file)).toEqual(['b.txt']);
    expect(existsSync(join(dir, plan.sandbox!.worktree, 'a.txt'))).toBe(true);
    expect(existsSync(join(dir, plan.sandbox!.worktree, 'b.txt'))).toBe(false);
    // the head the branch left is kept by ref, so undo works whatever git's gc does
    expect(keptRefs(dir, plan.id)).toContain(head);
    git(dir, 'reflog', 'expire', '--expire=now', '--all');
    git(dir, 'gc', '--prune=now', '--quiet');
    const undo = await runtime.rollback(plan.id, { to: rolled.undoCheckpointId });
    expect(undo.restored).toEqual({ phase: 'validate', status: 'complete' });
    expect(existsSync(join(dir, plan.sandbox!.worktree, 'b.txt'))).toBe(true);
  });
});
