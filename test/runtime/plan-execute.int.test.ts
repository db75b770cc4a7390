import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processesRunning, processesWith } from '../helpers/processes.js';
import { git, visibleTempDir } from '../helpers/temp.js';
import { planYaml, step } from './fixtures.js';
import { cleanups, HEADER_PLAN, project } from './runtime-fixture.js';

// Execute: a commit per step that changed the sandbox; a step that fails,
// leaves its scopes, times out or is cancelled.

describe('runtime on real git and LevelDB', () => {
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
    expect(record.error).toMatchObject({
      code: 'TOOL_FAILED',
      phase: 'execute',
      step: 0,
      retryable: false,
      details: { exitCode: 3, stderrTail: 'oops\n' },
    });
    expect(
      (await runtime.events(plan.id)).some((event) => event.type === 'step.started' && event.data.index === 1),
    ).toBe(false);
  });

  it('refuses a shell step that changed files outside the plan’s scopes', async () => {
    const { dir, runtime } = await project();
    const plan = await runtime.createPlan(
      planYaml({
        resourceScopes: ['src/**'],
        strategy: { steps: [step('Escape scope', 'shell/run', { command: 'echo x > secrets.txt' })] },
      }),
    );
    const record = await runtime.run(plan.id);
    expect(record.error).toMatchObject({ code: 'SCOPE_VIOLATION', details: { files: ['secrets.txt'] } });
    expect(existsSync(join(dir, 'secrets.txt'))).toBe(false);
  });

  it('cancels a running step and kills the processes it started', async () => {
    const { dir, runtime } = await project();
    const marker = `30.${process.pid}6`;
    const plan = await runtime.createPlan(
      planYaml({
        strategy: { steps: [step('Sleep', 'shell/run', { command: `sleep ${marker} & touch started; wait` })] },
      }),
    );
    const running = runtime.run(plan.id);
    const worktree = join(dir, '.troupe', 'worktrees', plan.id);
    while (!existsSync(join(worktree, 'started'))) await new Promise((resolve) => setTimeout(resolve, 20));
    await expect
      .poll(async () => (await processesRunning(`sleep ${marker}`)).length, { timeout: 5_000 })
      .toBeGreaterThan(0);
    const cancelled = await runtime.cancel(plan.id, { reason: 'changed my mind' });
    expect(cancelled).toMatchObject({ phase: 'execute', status: 'cancelled' });
    await expect(running).resolves.toMatchObject({ status: 'cancelled' });
    await expect.poll(() => processesWith(`sleep ${marker}`), { timeout: 5_000 }).toEqual([]);
    expect((await runtime.events(plan.id)).at(-1)).toMatchObject({
      type: 'plan.cancelled',
      data: { reason: 'changed my mind' },
    });
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
    expect(failed).toMatchObject({
      phase: 'execute',
      status: 'failed',
      lastCompletedStep: 0,
      error: { code: 'TIMEOUT', step: 1, retryable: true },
    });
    writeFileSync(flag, '');
    const retried = await runtime.runPhase(plan.id, 'execute');
    expect(retried).toMatchObject({ phase: 'execute', status: 'complete', lastCompletedStep: 1, error: null });
    expect(readFileSync(join(dir, retried.sandbox!.worktree, 'log'), 'utf8')).toBe('once\n');
  });

  it('treats an empty resourceScopes as "may not write"', async () => {
    const { runtime } = await project();
    await expect(
      runtime.createPlan(
        planYaml({ resourceScopes: [], strategy: { steps: [step('w', 'fs/write-file', { path: 'a', content: '' })] } }),
      ),
    ).rejects.toMatchObject({
      code: 'SCOPE_VIOLATION',
      message: expect.stringContaining("the plan's resourceScopes is empty"),
    });
    const readOnly = await runtime.createPlan(
      planYaml({ resourceScopes: [], strategy: { steps: [step('sneak', 'shell/run', { command: 'touch x' })] } }),
    );
    expect((await runtime.run(readOnly.id)).error).toMatchObject({
      code: 'SCOPE_VIOLATION',
      details: { files: ['x'] },
    });
  });
});
