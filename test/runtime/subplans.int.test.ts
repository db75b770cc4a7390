import { existsSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlanRecord } from '../../src/domain/index.js';
import type { Strategist, StrategistInput } from '../../actors/index.js';
import { createRuntime } from '../../src/runtime/index.js';
import type { LocalRuntime } from '../../src/runtime/local-runtime.js';
import { git, tempRepo } from '../helpers/temp.js';
import { planYaml, projectWithRuntime, step } from './fixtures.js';
import { runUntilKilled } from '../helpers/kill-after.js';
import { startCallCounter } from '../helpers/call-counter.js';
import { processesWith } from '../helpers/processes.js';

// Subplans end to end (SPEC §8, §9): child plans are real plans in their own
// sandboxes, run by the supervisor and merged back into the parent.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function project(...args: Parameters<typeof projectWithRuntime>) {
  const made = await projectWithRuntime(...args);
  cleanups.push(made.close);
  return made;
}

/** A child entry that writes one file. */
function writer(file: string, content: string, extra: Record<string, unknown> = {}) {
  return { goal: `Write ${file}`, resourceScopes: [file], strategy: { steps: [step(`Write ${file}`, 'fs/write-file', { path: file, content })] }, ...extra };
}

function group(entries: unknown[], settings: Record<string, unknown> = {}, plan: Record<string, unknown> = {}) {
  return planYaml({ name: 'demo/fan', automation: 'review', ...plan, strategy: { steps: [{ title: 'Fan out', subplans: { mode: 'parallel', maxParallel: 2, entries, ...settings } }] } });
}

async function children(runtime: LocalRuntime, parent: PlanRecord): Promise<PlanRecord[]> {
  return (await runtime.listPlans({ all: true })).filter((plan) => plan.parentId === parent.id);
}

describe('subplans on real git and LevelDB', () => {
  it('runs a parallel group: each child in its own sandbox, merged into the parent in entry order', async () => {
    const { dir, runtime } = await project();
    const plan = await runtime.createPlan(group([writer('a.txt', 'a\n'), writer('b.txt', 'b\n'), writer('c.txt', 'c\n')]));
    const record = await runtime.run(plan.id);

    expect(record).toMatchObject({ phase: 'validate', status: 'complete', error: null, lastCompletedStep: 0 });
    const worktree = join(dir, record.sandbox!.worktree);
    for (const file of ['a.txt', 'b.txt', 'c.txt']) expect(readFileSync(join(worktree, file), 'utf8')).toBe(`${file[0]}\n`);
    expect(git(worktree, 'status', '--porcelain')).toBe('');

    const kids = await children(runtime, plan);
    expect(kids.map((kid) => [kid.name, kid.phase, kid.status, kid.rootId, kid.automation])).toEqual([
      ['demo/fan-1', 'apply', 'done', plan.id, 'review'],
      ['demo/fan-2', 'apply', 'done', plan.id, 'review'],
      ['demo/fan-3', 'apply', 'done', plan.id, 'review'],
    ]);
    // each child worked in its own worktree, branched from the parent's head
    expect(new Set(kids.map((kid) => kid.sandbox!.worktree)).size).toBe(3);
    expect(kids.every((kid) => kid.sandbox!.baseCommit === plan.sandbox?.baseCommit || kid.sandbox!.baseCommit === record.sandbox!.baseCommit)).toBe(true);
    expect(record.subplanStatuses).toEqual(Object.fromEntries(kids.map((kid) => [kid.id, { name: kid.name, status: 'complete', attempt: 1, error: null }])));
    expect(record.subplanConfig).toMatchObject({ mode: 'parallel', maxParallel: 2, stepIndex: 0 });

    // the parent's journal tells the story; children journal under their own ids
    const types = (await runtime.events(plan.id)).map((event) => event.type);
    expect(types.filter((type) => type === 'subplan.spawned')).toHaveLength(3);
    expect(types.filter((type) => type === 'merge.completed')).toHaveLength(3);
    // each status a child went through, once: running, then complete (its merge is merge.completed, not another status)
    const statuses = (await runtime.events(plan.id)).filter((event) => event.type === 'subplan.status').map((event) => `${String(event.data.name)} ${String(event.data.status)}`);
    for (const kid of kids) expect(statuses.filter((line) => line.startsWith(`${kid.name} `))).toEqual([`${kid.name} running`, `${kid.name} complete`]);
    expect((await runtime.events(kids[0]!.id))[0]).toMatchObject({ type: 'plan.created', data: { parentId: plan.id } });
    // the changeset shows what the children brought in
    expect((await runtime.changes(plan.id))?.files.map((file) => file.path)).toEqual(['a.txt', 'b.txt', 'c.txt']);

    // apply brings everything onto the project's branch
    expect(await runtime.runPhase(plan.id, 'apply')).toMatchObject({ status: 'done' });
    for (const file of ['a.txt', 'b.txt', 'c.txt']) expect(existsSync(join(dir, file))).toBe(true);
  });

  it('merges the children that validated while an earlier one still ran in one round: a merge commit each, in entry order', async () => {
    const lines = 'one\ntwo\nthree\n';
    const { dir, runtime } = await project({ 'notes.txt': lines });
    // the first child validates last: the other two wait for it, then all three merge in one round;
    // the third changes the file the second changed (other lines): the engine merges it within the round
    const slow = { goal: 'Write a.txt slowly', resourceScopes: ['a.txt'], strategy: { steps: [step('Slow', 'shell/run', { command: 'sleep 2 && echo a > a.txt' })] } };
    const plan = await runtime.createPlan(group([slow, writer('notes.txt', lines.replace('one', 'ONE')), writer('notes.txt', lines.replace('three', 'THREE'))], { maxParallel: 3 }));
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'validate', status: 'complete', error: null });
    const worktree = join(dir, record.sandbox!.worktree);
    expect(readFileSync(join(worktree, 'notes.txt'), 'utf8')).toBe('ONE\ntwo\nTHREE\n');
    expect(readFileSync(join(worktree, 'a.txt'), 'utf8')).toBe('a\n');
    expect(git(worktree, 'status', '--porcelain')).toBe('');

    const kids = await children(runtime, plan);
    const merges = (await runtime.events(plan.id)).filter((event) => event.type === 'merge.completed');
    expect(merges.map((event) => [event.data.childId, event.data.files])).toEqual([
      [kids[0]!.id, ['a.txt']],
      [kids[1]!.id, ['notes.txt']],
      [kids[2]!.id, ['notes.txt']],
    ]);
    // the parent's history: one merge commit per child, each onto the one before, the child's head its second parent
    const chain = git(worktree, 'log', '--first-parent', '--format=%H %P', '-3').split('\n').reverse();
    expect(chain.map((line) => line.split(' ')[0])).toEqual(merges.map((event) => event.data.commit));
    chain.forEach((line, index) => {
      const [, first, second] = line.split(' ');
      if (index > 0) expect(first).toBe(chain[index - 1]!.split(' ')[0]);
      expect(second).toBe(kids[index]!.sandbox!.headCommit);
    });
    for (const [index, kid] of kids.entries()) expect(kid).toMatchObject({ status: 'done', appliedCommit: merges[index]!.data.commit });
    const checkpoints = await runtime.checkpoints(plan.id);
    expect(checkpoints.filter((checkpoint) => checkpoint.trigger === 'pre-merge')).toHaveLength(1);
    expect(checkpoints.filter((checkpoint) => checkpoint.trigger === 'post-merge').map((checkpoint) => checkpoint.sandboxCommit)).toEqual(merges.map((event) => event.data.commit));
  });

  it('sequential: each child starts from the parent head after the previous merge, and sees its result', async () => {
    const { dir, runtime } = await project();
    const first = writer('log.txt', 'first\n');
    const second = { goal: 'Append', resourceScopes: ['log.txt'], strategy: { steps: [step('Append', 'shell/run', { command: 'echo second >> log.txt' })] } };
    const plan = await runtime.createPlan(group([first, second], { mode: 'sequential' }));
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'validate', status: 'complete' });
    expect(readFileSync(join(dir, record.sandbox!.worktree, 'log.txt'), 'utf8')).toBe('first\nsecond\n');
    const [one, two] = await children(runtime, plan);
    // the second branched from the parent's head after the first merged
    expect(git(dir, 'merge-base', '--is-ancestor', one!.sandbox!.headCommit, two!.sandbox!.baseCommit)).toBe('');
  });

  it('lets a merged child’s worktree and branch go once its merge is committed, keeping its commits', async () => {
    const { dir, runtime } = await project();
    const plan = await runtime.createPlan(group([writer('a.txt', 'a\n'), writer('b.txt', 'b\n')], { mode: 'parallel', maxParallel: 2 }));
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'validate', status: 'complete' });
    const kids = await children(runtime, plan);
    expect(kids.map((kid) => kid.status)).toEqual(['done', 'done']);
    for (const kid of kids) {
      expect(existsSync(join(dir, kid.sandbox!.worktree))).toBe(false);
      expect(git(dir, 'branch', '--list', kid.sandbox!.branch)).toBe('');
      expect(git(dir, 'worktree', 'list')).not.toContain(kid.id);
      // every commit a checkpoint of it points at is still there, kept by ref
      for (const checkpoint of await runtime.checkpoints(kid.id)) {
        if (checkpoint.sandboxCommit) expect(git(dir, 'cat-file', '-t', checkpoint.sandboxCommit)).toBe('commit');
      }
      expect(git(dir, 'for-each-ref', '--format=%(objectname)', `refs/troupe/keep/${kid.id}/`)).toContain(kid.sandbox!.headCommit);
      // and what it changed is still shown
      expect((await runtime.patch(kid.id)).patch).toContain(`+++ b/${kid.name.endsWith('-1') ? 'a' : 'b'}.txt`);
    }
    // the parent's own sandbox stays: it has not ended
    expect(existsSync(join(dir, record.sandbox!.worktree))).toBe(true);
  });

  it('dependency-ordered: a child waits for what it depends on and sees its result; merges follow the dependency order', async () => {
    const { dir, runtime } = await project();
    const entries = [
      { ...writer('late.txt', 'late\n'), name: 'demo/late', dependsOn: ['demo/early'] },
      { ...writer('early.txt', 'early\n'), name: 'demo/early' },
    ];
    const plan = await runtime.createPlan(group(entries, { mode: 'dependency-ordered' }));
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ status: 'complete' });
    const late = (await children(runtime, plan)).find((kid) => kid.name === 'demo/late')!;
    // its sandbox went with its merge (housekeeping); its commit holds what it saw
    expect(git(dir, 'show', `${late.sandbox!.headCommit}:early.txt`)).toBe('early');
    const merged = (await runtime.events(plan.id)).filter((event) => event.type === 'merge.completed').map((event) => event.data.childId);
    expect(merged).toEqual([(await children(runtime, plan)).find((kid) => kid.name === 'demo/early')!.id, late.id]);
  });

  it('retries a failed child from strategize at the same spawn point, keeping its id and name', async () => {
    const { runtime } = await project();
    // a fresh sandbox per attempt keeps nothing: the attempts are counted by a service outside (network: true, inherited)
    const counter = await startCallCounter();
    cleanups.push(counter.close);
    const flaky = { goal: 'Flaky', resourceScopes: ['ok.txt'], strategy: { steps: [step('Once', 'shell/run', { command: `${counter.call('flaky')}; [ "$calls" -gt 1 ] || exit 3; echo ok > ok.txt` })] } };
    const plan = await runtime.createPlan(group([flaky], { retries: 1 }, { network: true }));
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'validate', status: 'complete' });
    const [kid] = await children(runtime, plan);
    expect(record.subplanStatuses[kid!.id]).toEqual({ name: 'demo/fan-1', status: 'complete', attempt: 2, error: null });
    const statuses = (await runtime.events(plan.id)).filter((event) => event.type === 'subplan.status').map((event) => `${event.data.status}#${event.data.attempt}`);
    expect(statuses).toEqual(expect.arrayContaining(['retrying#2', 'complete#2']));
    expect((await runtime.events(kid!.id)).some((event) => event.type === 'plan.resumed' && event.data.attempt === 2)).toBe(true);
  });

  it('times an attempt out at its deadline, stops its processes, and fails the parent when no retry is left', async () => {
    const { runtime } = await project();
    const marker = `30.${process.pid}5`;
    const slow = { goal: 'Slow', resourceScopes: ['x'], strategy: { steps: [step('Sleep', 'shell/run', { command: `exec sleep ${marker}`, timeoutMs: 60_000 })] } };
    const plan = await runtime.createPlan(group([slow], { timeoutMs: 1_000 }));
    const started = Date.now();
    const record = await runtime.run(plan.id);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(record).toMatchObject({ phase: 'execute', status: 'failed', error: { code: 'TIMEOUT' } });
    const [kid] = await children(runtime, plan);
    expect(kid).toMatchObject({ status: 'cancelled' });
    await expect.poll(() => processesWith(`sleep ${marker}`), { timeout: 5_000 }).toEqual([]);
  });

  it('fail-fast cancels running siblings; continue lets them finish and merge, then fails the parent', async () => {
    const { runtime } = await project();
    const failing = { goal: 'Fail', resourceScopes: ['f'], strategy: { steps: [step('Fail', 'shell/run', { command: 'exit 7' })] } };
    const slow = { goal: 'Slow', resourceScopes: ['s.txt'], strategy: { steps: [step('Slow', 'shell/run', { command: 'sleep 2; echo s > s.txt' })] } };
    const fast = await runtime.createPlan(group([failing, slow], { failurePolicy: 'fail-fast' }).replace('demo/fan', 'demo/fast'));
    const failed = await runtime.run(fast.id);
    expect(failed).toMatchObject({ phase: 'execute', status: 'failed', error: { code: 'TOOL_FAILED' } });
    expect(Object.values(failed.subplanStatuses).map((child) => child.status)).toEqual(['failed', 'cancelled']);

    const patient = await runtime.createPlan(group([failing, slow], { failurePolicy: 'continue' }).replace('demo/fan', 'demo/patient'));
    const finished = await runtime.run(patient.id);
    expect(finished).toMatchObject({ phase: 'execute', status: 'failed', error: { code: 'TOOL_FAILED', message: expect.stringContaining('1 of 2 child plans did not finish') } });
    expect(Object.values(finished.subplanStatuses).map((child) => child.status)).toEqual(['failed', 'complete']);
    expect((await runtime.changes(patient.id))?.files.map((file) => file.path)).toEqual(['s.txt']);
  });

  it('waits in (execute, waiting) on a conflicting child merge, and goes on once resolved', async () => {
    const { dir, runtime } = await project({ 'README.md': '# project\n', 'shared.txt': 'one\ntwo\nthree\n' });
    const entries = [
      { goal: 'Edit one way', resourceScopes: ['shared.txt'], strategy: { steps: [step('Edit', 'fs/write-file', { path: 'shared.txt', content: 'one\nTWO first\nthree\n' })] } },
      { goal: 'Edit the other', resourceScopes: ['shared.txt'], strategy: { steps: [step('Edit', 'fs/write-file', { path: 'shared.txt', content: 'one\nTWO second\nthree\n' })] } },
      writer('after.txt', 'after\n'),
    ];
    const plan = await runtime.createPlan(group(entries, { mode: 'parallel', maxParallel: 3 }));
    const waiting = await runtime.run(plan.id);
    expect(waiting).toMatchObject({ phase: 'execute', status: 'waiting' });
    const kids = await children(runtime, plan);
    const list = await runtime.conflicts(plan.id);
    expect(list.conflicts).toEqual([expect.objectContaining({ file: 'shared.txt', child: kids[1]!.id, kind: 'content', hunks: [{ ours: 'TWO first\n', base: 'two\n', theirs: 'TWO second\n' }] })]);
    await expect(runtime.runPhase(plan.id, 'execute')).rejects.toMatchObject({ code: 'MERGE_CONFLICT' });

    const resolved = await runtime.resolve(plan.id, 'shared.txt', { with: 'theirs' });
    expect(resolved).toMatchObject({ remaining: [], mergeCommit: expect.stringMatching(/^[0-9a-f]{40}$/), plan: { phase: 'execute', status: 'queued' } });
    // the merge commit is the sandbox's head, with the child's head as its second parent
    expect(resolved.plan.sandbox!.headCommit).toBe(resolved.mergeCommit);
    expect(git(join(dir, resolved.plan.sandbox!.worktree), 'rev-parse', `${resolved.mergeCommit}^2`)).toBe((await runtime.getPlan(kids[1]!.id)).sandbox!.headCommit);
    expect((await runtime.getPlan(kids[1]!.id)).status).toBe('done');
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'validate', status: 'complete' });
    const worktree = join(dir, record.sandbox!.worktree);
    expect(readFileSync(join(worktree, 'shared.txt'), 'utf8')).toBe('one\nTWO second\nthree\n');
    expect(readFileSync(join(worktree, 'after.txt'), 'utf8')).toBe('after\n');
    expect(Object.values(record.subplanStatuses).map((child) => child.status)).toEqual(['complete', 'complete', 'complete']);
  });

  it('settles a conflicting child merge by the group mergeStrategy, recording it', async () => {
    const { dir, runtime } = await project({ 'README.md': '# project\n', 'shared.txt': 'one\ntwo\nthree\n' });
    const edit = (line: string) => ({ goal: `Edit ${line}`, resourceScopes: ['shared.txt'], strategy: { steps: [step('Edit', 'fs/write-file', { path: 'shared.txt', content: `one\n${line}\nthree\n` })] } });
    const plan = await runtime.createPlan(group([edit('A'), edit('B')], { mergeStrategy: 'ours' }));
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'validate', status: 'complete' });
    expect(readFileSync(join(dir, record.sandbox!.worktree, 'shared.txt'), 'utf8')).toBe('one\nA\nthree\n');
    const tree = await runtime.explain(plan.id);
    expect(JSON.stringify(tree)).toContain('"type":"conflict_resolution"');
  });

  it('under manual automation the user drives each child while the parent waits, and a child cannot be applied', async () => {
    const { runtime } = await project();
    const plan = await runtime.createPlan(group([writer('a.txt', 'a\n')]).replace('automation: review', 'automation: manual'));
    await runtime.run(plan.id);
    const parentRun = runtime.run(plan.id);
    await expect.poll(async () => (await children(runtime, plan)).length, { timeout: 10_000 }).toBe(1);
    const [kid] = await children(runtime, plan);
    expect(kid).toMatchObject({ phase: 'strategize', status: 'queued', automation: 'manual' });
    await runtime.runPhase(kid!.id, 'strategize');
    await runtime.runPhase(kid!.id, 'execute');
    expect((await runtime.getPlan(plan.id)).status).toBe('processing');
    await expect(runtime.runPhase(kid!.id, 'apply')).rejects.toMatchObject({ code: 'PHASE_GUARD', message: expect.stringContaining('it is a child plan') });
    await runtime.runPhase(kid!.id, 'validate');
    // once it validated, the parent merges it and goes on
    await expect(parentRun).resolves.toMatchObject({ phase: 'execute', status: 'complete' });
    expect(await runtime.getPlan(kid!.id)).toMatchObject({ phase: 'apply', status: 'done' });
  });

  it('cancelling one child on purpose leaves the parent going: the child is recorded cancelled, the others merge (issue 35)', async () => {
    const { runtime } = await project();
    const slow = { goal: 'Slow', resourceScopes: ['slow.txt'], strategy: { steps: [step('Sleep', 'shell/run', { command: 'sleep 20; echo s > slow.txt' })] } };
    const plan = await runtime.createPlan(group([slow, writer('a.txt', 'a\n')], { failurePolicy: 'fail-fast', retries: 1 }));
    const running = runtime.run(plan.id);
    await expect.poll(async () => (await children(runtime, plan)).find((kid) => kid.goal === 'Slow')?.phase, { timeout: 10_000 }).toBe('execute');
    const slowKid = (await children(runtime, plan)).find((kid) => kid.goal === 'Slow')!;
    await runtime.cancel(slowKid.id, { reason: 'not needed after all' });
    const record = await running;
    expect(record).toMatchObject({ phase: 'validate', status: 'complete', error: null });
    expect(record.subplanStatuses[slowKid.id]).toMatchObject({ status: 'cancelled', attempt: 1, error: { code: 'CANCELLED' } });
    expect(Object.values(record.subplanStatuses).map((child) => child.status).sort()).toEqual(['cancelled', 'complete']);
    expect((await runtime.changes(plan.id))?.files.map((file) => file.path)).toEqual(['a.txt']);
    const events = await runtime.events(plan.id);
    expect(events.find((event) => event.type === 'subplan.status' && event.data.childId === slowKid.id && event.data.status === 'cancelled')).toBeDefined();
    expect(events.some((event) => event.type === 'step.failed' || event.type === 'phase.failed')).toBe(false);
    expect(await runtime.getPlan(slowKid.id)).toMatchObject({ status: 'cancelled' });
  });

  it('cancelling the parent cancels its running children', async () => {
    const { runtime } = await project();
    const slow = { goal: 'Slow', resourceScopes: ['x'], strategy: { steps: [step('Sleep', 'shell/run', { command: 'sleep 20' })] } };
    const plan = await runtime.createPlan(group([slow, slow]));
    const running = runtime.run(plan.id);
    await expect.poll(async () => (await children(runtime, plan)).filter((kid) => kid.phase === 'execute').length, { timeout: 10_000 }).toBe(2);
    await runtime.cancel(plan.id);
    await expect(running).resolves.toMatchObject({ status: 'cancelled' });
    await expect.poll(async () => (await children(runtime, plan)).map((kid) => kid.status), { timeout: 5_000 }).toEqual(['cancelled', 'cancelled']);
  });
});


describe('what a child plan is given', () => {
  it('its own goal, the parent view its group allows, the parent\'s automation, environment and invariants', async () => {
    const seen = new Map<string, StrategistInput>();
    const strategist: Strategist = {
      name: 'recording',
      async strategize(input) {
        seen.set(input.plan.name, input);
        return { steps: input.spec.strategy?.steps ?? [] };
      },
    };
    const { runtime } = await project({ 'README.md': '# project\n', 'src/a.ts': 'a\n', 'docs/b.md': 'b\n' }, { actors: { strategist } });
    const entry = (name: string, scope: string) => ({ name, goal: `Goal of ${name}`, definitionOfDone: `${name} is done`, resourceScopes: [scope], strategy: { steps: [step('Check env', 'shell/run', { command: `test "$GREETING" = hello` })] } });
    const plan = await runtime.createPlan(
      planYaml({
        name: 'demo/views',
        env: { GREETING: 'hello' },
        invariants: [{ id: 'readme', check: 'file-exists', path: 'README.md' }],
        strategy: {
          steps: [
            { title: 'Full', subplans: { contextView: 'full', entries: [entry('demo/full', 'src/**')] } },
            { title: 'Skeleton', subplans: { contextView: 'skeleton', entries: [entry('demo/skeleton', 'src/**')] } },
            { title: 'None', subplans: { contextView: 'none', entries: [entry('demo/none', 'src/**')] } },
          ],
        },
      }),
    );
    expect(await runtime.run(plan.id)).toMatchObject({ phase: 'validate', status: 'complete' });

    const full = seen.get('demo/full')!;
    expect(full.plan).toMatchObject({ goal: 'Goal of demo/full', parentId: plan.id, automation: 'review' });
    expect(full.spec).toMatchObject({ definitionOfDone: 'demo/full is done', env: { GREETING: 'hello' } });
    expect(full.parent).toMatchObject({ view: 'full', name: 'demo/views', goal: 'Change the project', files: ['README.md', 'docs/b.md', 'src/a.ts'] });
    expect(full.parent!.decisions.some((decision) => decision.type === 'subplan_spawn' && decision.payload)).toBe(true);
    expect(seen.get('demo/skeleton')!.parent).toMatchObject({ view: 'skeleton', files: ['src/a.ts'] });
    expect(seen.get('demo/skeleton')!.parent!.decisions.every((decision) => decision.payload === undefined)).toBe(true);
    expect(seen.get('demo/none')!.parent).toBeUndefined();
    // the parent's invariants are checked in the child, as the parent tier
    expect(full.invariants).toEqual([expect.objectContaining({ id: 'readme', tier: 'parent' })]);
  });

  it('runs the children a strategist decided itself with builtin/plan-subplan as one more group', async () => {
    const strategist: Strategist = {
      name: 'spawning',
      async strategize({ plan }, { callTool }) {
        if (plan.parentId) return { steps: [step('Write', 'fs/write-file', { path: `${plan.name.split('/')[1]}.txt`, content: 'x\n' })] };
        const first = await callTool('builtin/plan-subplan', { goal: 'First', name: 'demo/one', resourceScopes: ['one.txt'], parallel: true });
        if (!first.success) throw new Error(first.error.message);
        const second = await callTool('builtin/plan-subplan', { goal: 'Second', name: 'demo/two', resourceScopes: ['two.txt'], parallel: true, dependencies: [(first.output as { decisionId: string }).decisionId] });
        if (!second.success) throw new Error(second.error.message);
        return { steps: [] };
      },
    };
    const { dir, runtime } = await project(undefined, { actors: { strategist } });
    const plan = await runtime.createPlan(planYaml({ name: 'demo/spawner' }));
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'validate', status: 'complete', subplanConfig: { mode: 'dependency-ordered' } });
    expect((await children(runtime, plan)).map((kid) => [kid.name, kid.status])).toEqual([
      ['demo/one', 'done'],
      ['demo/two', 'done'],
    ]);
    for (const file of ['one.txt', 'two.txt']) expect(readFileSync(join(dir, record.sandbox!.worktree, file), 'utf8')).toBe('x\n');
  });

  it('shows the plan and its children in the tree, with their status and attempt as the parent sees them', async () => {
    const { runtime } = await project();
    const plan = await runtime.createPlan(group([writer('a.txt', 'a\n'), writer('b.txt', 'b\n')]));
    await runtime.run(plan.id);
    const tree = await runtime.tree(plan.id);
    expect(tree).toMatchObject({ id: plan.id, name: 'demo/fan', phase: 'validate', status: 'complete', subplan: null });
    expect(tree.children.map((child) => [child.name, child.phase, child.status, child.subplan])).toEqual([
      ['demo/fan-1', 'apply', 'done', { status: 'complete', attempt: 1 }],
      ['demo/fan-2', 'apply', 'done', { status: 'complete', attempt: 1 }],
    ]);
    await expect(runtime.tree('demo/nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('children of another project', () => {
  it('work in a worktree of that repository from its HEAD, are not merged into the parent, and are applied to it with the root', async () => {
    const { dir, runtime } = await project();
    const docs = await tempRepo({ 'README.md': '# docs\n' });
    cleanups.push(docs.cleanup);
    const docsRoot = realpathSync(docs.dir);
    await runtime.addProject('docs-site', docs.dir);
    const docsHead = git(docs.dir, 'rev-parse', 'HEAD');
    const plan = await runtime.createPlan(
      group([writer('a.txt', 'a\n'), { goal: 'Write the page', project: 'docs-site', strategy: { steps: [step('Write', 'fs/write-file', { path: 'page.md', content: '# page\n' })] } }]),
    );
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'validate', status: 'complete' });
    const [local, remote] = await children(runtime, plan);
    expect(local).toMatchObject({ project: 'default', status: 'done' });
    expect(remote).toMatchObject({ project: 'docs-site', phase: 'validate', status: 'complete', sandbox: { repo: docsRoot, baseCommit: docsHead } });
    // its worktree is of the docs repository; the parent's sandbox has none of it
    expect(readFileSync(join(dir, remote!.sandbox!.worktree, 'README.md'), 'utf8')).toBe('# docs\n');
    expect(existsSync(join(dir, record.sandbox!.worktree, 'page.md'))).toBe(false);
    expect(git(docs.dir, 'rev-parse', 'HEAD')).toBe(docsHead);
    expect(record.subplanStatuses[remote!.id]).toMatchObject({ status: 'complete' });

    const applied = await runtime.runPhase(plan.id, 'apply');
    expect(applied).toMatchObject({ status: 'done' });
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('a\n');
    expect(readFileSync(join(docs.dir, 'page.md'), 'utf8')).toBe('# page\n');
    expect(git(docs.dir, 'log', '-1', '--format=%an|%(trailers:key=Troupe-Plan-Id,valueonly)')).toBe(`troupe|${remote!.id}`);
    expect(await runtime.getPlan(remote!.id)).toMatchObject({ phase: 'apply', status: 'done' });
    const completed = (await runtime.events(plan.id)).find((event) => event.type === 'phase.completed' && event.phase === 'apply');
    expect(completed?.data.projects).toEqual([{ name: remote!.name, project: 'docs-site', commit: git(docs.dir, 'rev-parse', 'HEAD') }]);
  });

  it('refuses an apply that would overwrite an untracked file in the other project, and applies once it is gone, keeping unrelated changes', async () => {
    const { runtime } = await project();
    const docs = await tempRepo({ 'README.md': '# docs\n' });
    cleanups.push(docs.cleanup);
    await runtime.addProject('docs-site', docs.dir);
    const plan = await runtime.createPlan(group([{ goal: 'Write the page', project: 'docs-site', strategy: { steps: [step('Write', 'fs/write-file', { path: 'page.md', content: '# page\n' })] } }]));
    await runtime.run(plan.id);
    writeFileSync(join(docs.dir, 'README.md'), 'edited\n');
    writeFileSync(join(docs.dir, 'page.md'), 'mine\n');
    const refused = await runtime.runPhase(plan.id, 'apply');
    expect(refused).toMatchObject({ phase: 'apply', status: 'failed', error: { code: 'DIRTY_WORKTREE', retryable: true, details: { files: ['page.md'] } } });
    rmSync(join(docs.dir, 'page.md'));
    expect(await runtime.runPhase(plan.id, 'apply')).toMatchObject({ status: 'done' });
    expect(readFileSync(join(docs.dir, 'page.md'), 'utf8')).toBe('# page\n');
    // like git merge: a change in a file the plan never touched stays, uncommitted
    expect(readFileSync(join(docs.dir, 'README.md'), 'utf8')).toBe('edited\n');
  });
});

describe('subplans after kill -9', () => {
  // while children are created, while they run, while they merge
  for (const killAfter of [4, 12, 30]) {
    it(`finishes the fan-out without a second copy of any child (killed after ${killAfter} lines)`, async () => {
      const { dir, runtime } = await project();
      const entries = ['a', 'b', 'c', 'd'].map((name) => ({
        goal: `Append ${name}`,
        resourceScopes: [`${name}.txt`],
        strategy: { steps: [step(`Append ${name}`, 'shell/run', { command: `sleep 0.1; echo ${name} >> ${name}.txt` })] },
      }));
      const plan = await runtime.createPlan(group(entries, { maxParallel: 2 }));
      await runtime.close();

      const output = await runUntilKilled(join(import.meta.dirname, 'fan-out-child.ts'), [dir, plan.id], killAfter);
      // the child never closes its runtime: every run ends in a kill -9, wherever it lands
      expect(output.length).toBeGreaterThanOrEqual(killAfter);

      const again = await createRuntime({ dir, report: () => {} });
      cleanups.push(() => again.close());
      const record = await again.run(plan.id, { until: 'execute' });
      expect(record).toMatchObject({ phase: 'execute', status: 'complete', error: null });
      const kids = await children(again, plan);
      expect(kids.map((kid) => kid.name)).toEqual(['demo/fan-1', 'demo/fan-2', 'demo/fan-3', 'demo/fan-4']);
      expect(kids.every((kid) => kid.status === 'done')).toBe(true);
      const worktree = join(dir, record.sandbox!.worktree);
      // each child's effect landed exactly once
      for (const name of ['a', 'b', 'c', 'd']) expect(readFileSync(join(worktree, `${name}.txt`), 'utf8')).toBe(`${name}\n`);
      const spawned = (await again.events(plan.id)).filter((event) => event.type === 'subplan.spawned').map((event) => event.data.childId);
      expect(new Set(spawned).size).toBe(4);
    });
  }
});
