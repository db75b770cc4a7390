import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../src/domain/index.js';
import { createRuntime } from '../../src/runtime/index.js';
import { LevelStore } from '../../src/store/index.js';
import { git, visibleTempDir } from '../helpers/temp.js';
import { processesRunning, processesWith } from '../helpers/processes.js';
import { planYaml, projectWithRuntime, step } from './fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
async function project(...args: Parameters<typeof projectWithRuntime>) {
  const made = await projectWithRuntime(...args);
  cleanups.push(made.close);
  return made;
}

const HEADER_PLAN = planYaml({
  automation: 'auto',
  resourceScopes: ['src/**', 'HEADER'],
  validate: [{ run: 'test -f HEADER' }],
  strategy: {
    steps: [
      step('Write the header', 'fs/write-file', { path: 'HEADER', content: '// header\n' }),
      step('Read it back', 'fs/read-file', { path: 'HEADER' }),
      step('Prepend it', 'shell/run', { command: 'cat HEADER src/a.ts > t && mv t src/a.ts' }),
    ],
  },
});

describe('runtime on real git and LevelDB', () => {
  it('runs a plan to done and applies its changes as one troupe commit on the project branch', async () => {
    const { dir, runtime } = await project();
    const plan = await runtime.createPlan(HEADER_PLAN);
    expect(plan).toMatchObject({ name: 'demo/x', phase: 'strategize', status: 'queued', parentId: null, rootId: plan.id, project: 'default' });

    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'apply', status: 'done', toolCalls: 3, lastCompletedStep: 2, error: null });
    expect(record.strategyDecisionIds).toHaveLength(3);
    expect(readFileSync(join(dir, 'src/a.ts'), 'utf8')).toBe('// header\nexport const a = 1;\n');
    expect(git(dir, 'log', '-1', '--format=%an <%ae>|%s')).toBe('troupe <troupe@localhost>|Change the project');
    expect(git(dir, 'log', '-1', '--format=%B').match(/Troupe-Plan-Id:/g)).toHaveLength(1);
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(record.appliedCommit);
    expect(git(dir, 'status', '--porcelain')).toBe('');
  });

  it('journals every transition with seq increasing by one from 1', async () => {
    const { runtime } = await project();
    const plan = await runtime.createPlan(HEADER_PLAN);
    await runtime.run(plan.id);
    const events = await runtime.events(plan.id);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events.map((event) => event.type)).toEqual([
      'plan.created',
      'phase.started', 'phase.completed', 'checkpoint.created',
      'phase.started', 'checkpoint.created',
      'step.started', 'tool.called', 'step.completed', 'checkpoint.created',
      // a step that only read takes no checkpoint
      'step.started', 'tool.called', 'step.completed',
      'step.started', 'tool.called', 'step.completed', 'checkpoint.created',
      'phase.completed', 'checkpoint.created',
      'phase.started', 'phase.completed', 'checkpoint.created',
      'phase.started', 'phase.completed',
    ]);
    expect(events.find((event) => event.type === 'step.started')?.data).toEqual({ index: 0, title: 'Write the header' });
  });

  it('commits once per step that changed the sandbox and keeps the changeset from git', async () => {
    const { dir, runtime } = await project();
    const plan = await runtime.createPlan(HEADER_PLAN);
    const record = await runtime.run(plan.id, { until: 'execute' });
    const worktree = join(dir, record.sandbox!.worktree);
    // two writing steps, one read-only step: two commits on top of the base
    expect(git(worktree, 'rev-list', '--count', `${record.sandbox!.baseCommit}..HEAD`)).toBe('2');
    expect(git(worktree, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe(record.sandbox!.branch);
    expect(record.sandbox!.branch).toBe(`troupe/demo-x-${plan.id.slice(-6).toLowerCase()}`);
    expect(record.sandbox!.worktree).toBe(`.troupe/worktrees/${plan.id}`);
    expect(await runtime.changes(plan.id)).toEqual({
      id: record.changesetId,
      planId: plan.id,
      baseCommit: record.sandbox!.baseCommit,
      headCommit: record.sandbox!.headCommit,
      files: [
        { path: 'HEADER', action: 'added', linesAdded: 1, linesRemoved: 0 },
        { path: 'src/a.ts', action: 'modified', linesAdded: 1, linesRemoved: 0 },
      ],
    });
    // the project is untouched until apply
    expect(readFileSync(join(dir, 'src/a.ts'), 'utf8')).toBe('export const a = 1;\n');
  });

  it('records the strategy root and one step decision per step, with structured payloads', async () => {
    const { runtime } = await project();
    const plan = await runtime.createPlan(HEADER_PLAN);
    const record = await runtime.run(plan.id, { until: 'strategize' });
    const { root } = await runtime.explain(plan.id);
    expect(root).toMatchObject({ id: record.decisionRootId, type: 'strategy', parentId: null, payload: { goal: 'Change the project', strategist: 'scripted', stepCount: 3 } });
    expect(root!.children.map((child) => [child.type, child.title, child.payload.index, child.payload.tool])).toEqual([
      ['step', 'Write the header', 0, 'fs/write-file'],
      ['step', 'Read it back', 1, 'fs/read-file'],
      ['step', 'Prepend it', 2, 'shell/run'],
    ]);
    expect(root!.children.map((child) => child.id)).toEqual(record.strategyDecisionIds);
  });

  it('publishes an event only once it is persisted', async () => {
    const { dir, runtime } = await project();
    const plan = await runtime.createPlan(HEADER_PLAN);
    const checks: Promise<void>[] = [];
    const seen: JournalEvent[] = [];
    runtime.subscribe(plan.id, (event) => {
      seen.push(event);
      checks.push(runtime.events(plan.id, { afterSeq: event.seq - 1, limit: 1 }).then(([stored]) => expect(stored).toEqual(event)));
    });
    await runtime.run(plan.id, { until: 'execute' });
    await Promise.all(checks);
    expect(seen.length).toBeGreaterThan(5);
    expect(existsSync(join(dir, '.troupe', 'db'))).toBe(true);
  });

  it('continues a plan exactly where the last runtime left it', async () => {
    const first = await project();
    const plan = await first.runtime.createPlan(HEADER_PLAN);
    await first.runtime.run(plan.id, { until: 'strategize' });
    await first.runtime.close();

    const second = await createRuntime({ dir: first.dir, report: () => {} });
    cleanups.push(() => second.close());
    expect((await second.getPlan(plan.id)).status).toBe('complete');
    const record = await second.run(plan.id, { until: 'execute' });
    expect(record).toMatchObject({ phase: 'execute', status: 'complete', lastCompletedStep: 2 });
    expect((await second.events(plan.id)).filter((event) => event.type === 'phase.started').map((event) => event.phase)).toEqual(['strategize', 'execute']);
  });

  it('starts with no actor for a plan at rest, nor one that ended, and restores a plan at rest once something acts on it', async () => {
    const first = await project();
    const open = await first.runtime.createPlan(planYaml({ name: 'demo/open' }));
    const ended = await first.runtime.createPlan(planYaml({ name: 'demo/ended' }));
    await first.runtime.cancel(ended.id);
    await first.runtime.close();
    const second = await createRuntime({ dir: first.dir, report: () => {} });
    cleanups.push(() => second.close());
    expect(second.livePlanIds()).toEqual([]);
    expect((await second.getPlan(open.id)).status).toBe('queued');
    expect(second.livePlanIds()).toEqual([]);
    await second.runPhase(open.id, 'strategize');
    expect(second.livePlanIds()).toEqual([open.id]);
    await expect(second.runPhase(ended.id, 'strategize')).rejects.toMatchObject({ code: 'PHASE_GUARD' });
    expect(second.livePlanIds()).toEqual([open.id]);
  });

  it('finds a plan by id, name or unique id prefix, and says when it cannot', async () => {
    const { runtime } = await project();
    const plan = await runtime.createPlan(planYaml());
    expect((await runtime.getPlan(plan.id)).id).toBe(plan.id);
    expect((await runtime.getPlan(plan.id.toLowerCase())).id).toBe(plan.id);
    expect((await runtime.getPlan('demo/x')).id).toBe(plan.id);
    expect((await runtime.getPlan(plan.id.slice(0, 20))).id).toBe(plan.id);
    await expect(runtime.getPlan('demo/nope')).rejects.toMatchObject({ code: 'NOT_FOUND', message: `no plan matches "demo/nope" in ${runtime.dir}`, details: { projectRoot: runtime.dir } });
    await expect(runtime.getPlan('ZZZZZZZZ')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(runtime.getPlan('')).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    await expect(runtime.getPlan(42 as unknown as string)).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
  });

  it('refuses an ambiguous id prefix', async () => {
    const { runtime } = await project();
    // ids start with the time: plans made moments apart share their first 6
    // characters, unless a 4-minute boundary falls between them — so of three
    // made in a row, two neighbours always do
    const ids: string[] = [];
    for (const name of ['demo/a', 'demo/b', 'demo/c']) ids.push((await runtime.createPlan(planYaml({ name }))).id);
    const prefix = [0, 1].map((index) => ids[index]!.slice(0, 6)).find((head, index) => ids[index + 1]!.startsWith(head));
    expect(prefix).toBeDefined();
    await expect(runtime.getPlan(prefix!)).rejects.toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('more than one plan') });
  });

  it('answers a phase command the plan is not ready for with PHASE_GUARD saying what is missing', async () => {
    const { runtime } = await project();
    const plan = await runtime.createPlan(planYaml());
    await expect(runtime.runPhase(plan.id, 'execute')).rejects.toMatchObject({
      code: 'PHASE_GUARD',
      message: 'cannot execute demo/x: strategize is queued (needs complete)',
      hint: 'run troupe plan strategize demo/x first',
    });
    await runtime.runPhase(plan.id, 'strategize');
    await expect(runtime.runPhase(plan.id, 'apply')).rejects.toMatchObject({ code: 'PHASE_GUARD', message: 'cannot apply demo/x: strategize is complete; apply needs validate complete' });
    await runtime.cancel(plan.id);
    await expect(runtime.runPhase(plan.id, 'execute')).rejects.toMatchObject({ code: 'PHASE_GUARD', message: expect.stringContaining('the plan is cancelled') });
    await expect(runtime.cancel(plan.id)).rejects.toMatchObject({ code: 'PHASE_GUARD' });
  });

  it('leaves a plan where it is when plan.run has nothing left to do for its automation', async () => {
    const { runtime } = await project();
    const plan = await runtime.createPlan(HEADER_PLAN.replace('automation: auto', 'automation: review'));
    const stopped = await runtime.run(plan.id);
    expect(stopped).toMatchObject({ phase: 'validate', status: 'complete' });
    const again = await runtime.run(plan.id);
    expect(again).toMatchObject({ phase: 'validate', status: 'complete' });
    expect(again.updatedAt).toBe(stopped.updatedAt);
  });

  it('writes nothing when a plan file is invalid', async () => {
    const { dir, runtime } = await project();
    const bad = [
      planYaml({ name: 'Bad Name' }),
      planYaml({ strategy: { steps: [step('x', 'fs/nope', {})] } }),
      planYaml({ strategy: { steps: [step('x', 'fs/write-file', { path: 'a' })] } }),
      planYaml({ strategy: { steps: [step('x', 'fs/write-file', { path: '../a', content: '' })] } }),
      planYaml({ resourceScopes: ['src/**'], strategy: { steps: [step('x', 'fs/write-file', { path: 'b', content: '' })] } }),
      'name: [',
    ];
    const codes = [];
    for (const source of bad) codes.push(await runtime.createPlan(source).catch((error: { code: string }) => error.code));
    expect(codes).toEqual(['VALIDATION_ERROR', 'VALIDATION_ERROR', 'VALIDATION_ERROR', 'SANDBOX_ESCAPE', 'SCOPE_VIOLATION', 'VALIDATION_ERROR']);
    expect(await runtime.listPlans({ all: true })).toEqual([]);
    expect(readdirSync(join(dir, '.troupe', 'worktrees'))).toEqual([]);
  });

  it('names every bad step field in one error', async () => {
    const { runtime } = await project();
    const error = await runtime
      .createPlan(planYaml({ strategy: { steps: [step('a', 'fs/nope', {}), step('b', 'fs/write-file', { path: 'x' })] } }))
      .catch((caught: Error) => caught);
    expect((error as Error).message).toContain('strategy.steps[0].tool');
    expect((error as Error).message).toContain('strategy.steps[1].input.content: is required');
  });

  it('keeps plan names unique when plans are created at the same time', async () => {
    const { runtime } = await project();
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => runtime.createPlan(planYaml())));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((result) => result.status === 'rejected').map((result) => (result as PromiseRejectedResult).reason.code)).toEqual(Array(7).fill('VALIDATION_ERROR'));
    expect(await runtime.listPlans()).toHaveLength(1);
  });

  it('fails execute with the tool’s structured error and runs no later step', async () => {
    const { runtime } = await project();
    const plan = await runtime.createPlan(
      planYaml({
        strategy: {
          steps: [
            step('Fail', 'shell/run', { command: 'echo oops >&2; exit 3' }),
            step('Never', 'fs/write-file', { path: 'never', content: 'x' }),
          ],
        },
      }),
    );
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'execute', status: 'failed', toolCalls: 1, lastCompletedStep: null });
    expect(record.error).toMatchObject({ code: 'TOOL_FAILED', phase: 'execute', step: 0, retryable: false, details: { exitCode: 3, stderrTail: 'oops\n' } });
    expect((await runtime.events(plan.id)).some((event) => event.type === 'step.started' && event.data.index === 1)).toBe(false);
  });

  it('refuses a shell step that changed files outside the plan’s scopes', async () => {
    const { dir, runtime } = await project();
    const plan = await runtime.createPlan(planYaml({ resourceScopes: ['src/**'], strategy: { steps: [step('Escape scope', 'shell/run', { command: 'echo x > secrets.txt' })] } }));
    const record = await runtime.run(plan.id);
    expect(record.error).toMatchObject({ code: 'SCOPE_VIOLATION', details: { files: ['secrets.txt'] } });
    expect(existsSync(join(dir, 'secrets.txt'))).toBe(false);
  });

  it('fails validate with the failing command’s output and lets it run again', async () => {
    const { dir, runtime } = await project();
    const plan = await runtime.createPlan(planYaml({ strategy: { steps: [] }, validate: [{ run: 'test -f READY || { echo not ready >&2; exit 1; }' }] }));
    const failed = await runtime.run(plan.id);
    expect(failed).toMatchObject({ phase: 'validate', status: 'failed' });
    expect(failed.error).toMatchObject({ code: 'TOOL_FAILED', retryable: true, details: { exitCode: 1, stderrTail: 'not ready\n' } });
    // validate is safe to re-run: make it pass in the sandbox, then run it again
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, failed.sandbox!.worktree, 'READY'), '');
    expect(await runtime.runPhase(plan.id, 'validate')).toMatchObject({ phase: 'validate', status: 'complete', error: null });
  });

  it('fails validate with TIMEOUT when a command runs past its timeoutMs, naming the command', async () => {
    const { runtime } = await project();
    const plan = await runtime.createPlan(planYaml({ strategy: { steps: [] }, validate: [{ run: 'true' }, { run: 'echo slow; sleep 30', timeoutMs: 300 }] }));
    const failed = await runtime.run(plan.id);
    expect(failed).toMatchObject({ phase: 'validate', status: 'failed' });
    expect(failed.error).toMatchObject({
      code: 'TIMEOUT',
      message: 'validate command timed out after 300 ms: echo slow; sleep 30',
      retryable: true,
      details: { run: 'echo slow; sleep 30', exitCode: null, stdoutTail: 'slow\n' },
    });
  });

  it('fails apply, saying what to check out, when the project is on a branch without commits', async () => {
    const { dir, runtime } = await project();
    const plan = await runtime.createPlan(HEADER_PLAN.replace('automation: auto', 'automation: review'));
    await runtime.run(plan.id);
    const [branch, head] = [git(dir, 'symbolic-ref', '--short', 'HEAD'), git(dir, 'rev-parse', 'HEAD')];
    git(dir, 'checkout', '-q', '--orphan', 'empty');
    git(dir, 'rm', '-rq', '--cached', '.');
    const failed = await runtime.runPhase(plan.id, 'apply');
    expect(failed).toMatchObject({ phase: 'apply', status: 'failed' });
    expect(failed.error).toMatchObject({
      code: 'VALIDATION_ERROR',
      message: `cannot apply plan ${plan.id}: the project's current branch has no commits`,
      hint: 'check out the branch the plan started from',
    });
    // nothing was committed anywhere in the project
    expect(git(dir, 'rev-parse', branch)).toBe(head);
    expect(() => git(dir, 'rev-parse', '--verify', '--quiet', 'empty')).toThrow();
    // the hint is enough: back on the branch, apply runs again
    git(dir, 'checkout', '-qf', branch);
    expect(await runtime.runPhase(plan.id, 'apply')).toMatchObject({ phase: 'apply', status: 'done', error: null });
    expect(git(dir, 'rev-parse', `${branch}~1`)).toBe(head);
  });

  it('refuses to apply onto uncommitted changes in a file the plan changes, and applies once they are gone', async () => {
    const { dir, runtime } = await project();
    const plan = await runtime.createPlan(HEADER_PLAN.replace('automation: auto', 'automation: review'));
    await runtime.run(plan.id);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'src/a.ts'), 'edited by the user\n');
    const refused = await runtime.runPhase(plan.id, 'apply');
    expect(refused).toMatchObject({ phase: 'apply', status: 'failed', error: { code: 'DIRTY_WORKTREE', retryable: true, details: { files: ['src/a.ts'] } } });
    git(dir, 'checkout', 'src/a.ts');
    expect(await runtime.runPhase(plan.id, 'apply')).toMatchObject({ status: 'done' });
  });

  it('merges onto a project branch that moved on since the sandbox was made, and waits on a conflict with the project untouched', async () => {
    const { dir, runtime } = await project({ 'README.md': '# project\n', 'src/a.ts': 'one\ntwo\nthree\n' });
    const clean = await runtime.createPlan(planYaml({ name: 'demo/clean', automation: 'review', strategy: { steps: [step('x', 'shell/run', { command: 'sed -i s/one/ONE/ src/a.ts' })] } }));
    const clash = await runtime.createPlan(planYaml({ name: 'demo/clash', automation: 'review', strategy: { steps: [step('x', 'shell/run', { command: 'sed -i s/three/THREE/ src/a.ts' })] } }));
    await runtime.run(clean.id);
    await runtime.run(clash.id);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'src/a.ts'), 'one\ntwo\nthree!\n');
    git(dir, 'commit', '-qam', 'user change');
    expect(await runtime.runPhase(clean.id, 'apply')).toMatchObject({ status: 'done' });
    expect(readFileSync(join(dir, 'src/a.ts'), 'utf8')).toBe('ONE\ntwo\nthree!\n');
    const head = git(dir, 'rev-parse', 'HEAD');
    const conflict = await runtime.runPhase(clash.id, 'apply');
    expect(conflict).toMatchObject({ phase: 'apply', status: 'waiting', error: null });
    expect((await runtime.conflicts(clash.id)).conflicts.map((open) => open.file)).toEqual(['src/a.ts']);
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(dir, 'status', '--porcelain')).toBe('');
  });

  it('cancels a running step and kills the processes it started', async () => {
    const { dir, runtime } = await project();
    const marker = `30.${process.pid}6`;
    const plan = await runtime.createPlan(planYaml({ strategy: { steps: [step('Sleep', 'shell/run', { command: `sleep ${marker} & touch started; wait` })] } }));
    const running = runtime.run(plan.id);
    const worktree = join(dir, '.troupe', 'worktrees', plan.id);
    while (!existsSync(join(worktree, 'started'))) await new Promise((resolve) => setTimeout(resolve, 20));
    await expect.poll(async () => (await processesRunning(`sleep ${marker}`)).length, { timeout: 5_000 }).toBeGreaterThan(0);
    const cancelled = await runtime.cancel(plan.id, { reason: 'changed my mind' });
    expect(cancelled).toMatchObject({ phase: 'execute', status: 'cancelled' });
    await expect(running).resolves.toMatchObject({ status: 'cancelled' });
    await expect.poll(() => processesWith(`sleep ${marker}`), { timeout: 5_000 }).toEqual([]);
    expect((await runtime.events(plan.id)).at(-1)).toMatchObject({ type: 'plan.cancelled', data: { reason: 'changed my mind' } });
  });

  it('runs on the memory store writing nothing but its sandboxes', async () => {
    const { dir, runtime } = await project(undefined, { store: 'memory' });
    const plan = await runtime.createPlan(HEADER_PLAN);
    expect(await runtime.run(plan.id)).toMatchObject({ status: 'done' });
    expect(readdirSync(join(dir, '.troupe'))).toEqual(['worktrees']);
  });

  it('runs a step that timed out again from the last step commit', async () => {
    const { dir, runtime } = await project();
    // outside the sandbox, where the step can read it
    const outside = await visibleTempDir('troupe-flag-');
    cleanups.push(outside.cleanup);
    const flag = join(outside.dir, 'go-fast');
    const plan = await runtime.createPlan(
      planYaml({
        strategy: {
          steps: [
            step('Write', 'fs/write-file', { path: 'first', content: 'x' }),
            step('Slow once', 'shell/run', { command: `test -f ${flag} || sleep 5; echo once >> log`, timeoutMs: 300 }),
          ],
        },
      }),
    );
    const failed = await runtime.run(plan.id, { until: 'execute' });
    expect(failed).toMatchObject({ phase: 'execute', status: 'failed', lastCompletedStep: 0, error: { code: 'TIMEOUT', step: 1, retryable: true } });
    writeFileSync(flag, '');
    const retried = await runtime.runPhase(plan.id, 'execute');
    expect(retried).toMatchObject({ phase: 'execute', status: 'complete', lastCompletedStep: 1, error: null });
    expect(readFileSync(join(dir, retried.sandbox!.worktree, 'log'), 'utf8')).toBe('once\n');
  });

  it('treats an empty resourceScopes as "may not write"', async () => {
    const { runtime } = await project();
    await expect(runtime.createPlan(planYaml({ resourceScopes: [], strategy: { steps: [step('w', 'fs/write-file', { path: 'a', content: '' })] } }))).rejects.toMatchObject({
      code: 'SCOPE_VIOLATION',
      message: expect.stringContaining("the plan's resourceScopes is empty"),
    });
    const readOnly = await runtime.createPlan(planYaml({ resourceScopes: [], strategy: { steps: [step('sneak', 'shell/run', { command: 'touch x' })] } }));
    expect((await runtime.run(readOnly.id)).error).toMatchObject({ code: 'SCOPE_VIOLATION', details: { files: ['x'] } });
  });

  it('writes each transition as one batch holding the record and the snapshot', async () => {
    const batches: { operations: number }[] = [];
    const repo = await project();
    await repo.runtime.close();
    const runtime = await createRuntime({ dir: repo.dir, store: new LevelStore({ path: join(repo.dir, '.troupe', 'db'), onBatch: (info) => batches.push(info) }) });
    cleanups.push(() => runtime.close());
    const plan = await runtime.createPlan(HEADER_PLAN);
    await runtime.run(plan.id);
    // every batch carries at least the record and the snapshot
    expect(batches.every((batch) => batch.operations >= 2)).toBe(true);
    const events = await runtime.events(plan.id);
    // events are coalesced per macrotask, never split from their transition
    expect(batches.length).toBeLessThanOrEqual(events.length);
  });
});

