import { describe, expect, it } from 'vitest';
import { mergeOrderOf, type RunChildOutput } from '../../machines/index.js';
import { children, merged, supervise } from './subplan-supervisor-fixtures.js';

// The supervisor machine with scripted actors: modes, retries, timeouts as
// deadlines, fail-fast and continue.

describe('subplanSupervisorMachine', () => {
  it('parallel: runs at most maxParallel at once, forks all from the same head, merges in entry order', async () => {
    const run = supervise({ mode: 'parallel', maxParallel: 2 }, children(5));
    const output = await run.done();
    expect(output).toMatchObject({ outcome: 'done', failed: [] });
    expect(run.peak()).toBe(2);
    expect(new Set(run.started.map((start) => start.spawnHead))).toEqual(new Set(['h0']));
    expect(merged(run.merges)).toEqual(['C0', 'C1', 'C2', 'C3', 'C4']);
    expect(output.state.head).toBe('h0+C0+C1+C2+C3+C4');
    // every child reported: spawned, then its statuses
    expect(run.reports.flatMap((report) => report.spawned)).toEqual(['C0', 'C1', 'C2', 'C3', 'C4']);
  });

  it('sequential: one at a time, each merged before the next starts from the new head', async () => {
    const run = supervise({ mode: 'sequential', maxParallel: 4 }, children(3));
    await run.done();
    expect(run.log).toEqual(['run C0#1', 'merge C0', 'run C1#1', 'merge C1', 'run C2#1', 'merge C2']);
    expect(run.started.map((start) => start.spawnHead)).toEqual(['h0', 'h0+C0', 'h0+C0+C1']);
  });

  it('dependency-ordered: starts a child when what it depends on merged, merges topologically', async () => {
    const kids = children(3, { 0: [2] });
    expect(mergeOrderOf(kids, 'dependency-ordered')).toEqual(['C1', 'C2', 'C0']);
    const run = supervise({ mode: 'dependency-ordered', maxParallel: 3 }, kids);
    await run.done();
    expect(merged(run.merges)).toEqual(['C1', 'C2', 'C0']);
    const c0 = run.started.find((start) => start.child.childId === 'C0')!;
    expect(c0.spawnHead).toContain('+C2');
  });

  it('retries a failed attempt while attempt <= retries, at the same spawn point, but not a validation error', async () => {
    const failure: RunChildOutput = { ok: false, error: { code: 'TOOL_FAILED', message: 'flaky' } };
    const run = supervise({ retries: 1, failurePolicy: 'continue' }, children(3), {
      outcomes: {
        C0: [failure],
        C1: [failure, failure],
        C2: [{ ok: false, error: { code: 'VALIDATION_ERROR', message: 'bad' } }],
      },
    });
    const output = await run.done();
    expect(run.runs.filter((input) => input.childId === 'C0').map((input) => input.attempt)).toEqual([1, 2]);
    expect(run.runs.filter((input) => input.childId === 'C1').map((input) => input.attempt)).toEqual([1, 2]);
    expect(run.runs.filter((input) => input.childId === 'C2').map((input) => input.attempt)).toEqual([1]);
    expect(output.state.statuses).toMatchObject({
      C0: { status: 'complete', attempt: 2, merged: true },
      C1: { status: 'failed', attempt: 2 },
      C2: { status: 'failed', attempt: 1 },
    });
    expect(output).toMatchObject({ outcome: 'done', failed: ['C1', 'C2'] });
    const retried = run.started.filter((start) => start.child.childId === 'C0');
    expect(retried.map((start) => [start.attempt, start.spawnHead])).toEqual([
      [1, 'h0'],
      [2, 'h0'],
    ]);
    expect(
      run.reports
        .flatMap((report) => report.changes)
        .some((change) => change.childId === 'C0' && change.status === 'retrying' && change.attempt === 2),
    ).toBe(true);
  });

  it('passes each attempt an absolute deadline from when it started', async () => {
    const run = supervise({ timeoutMs: 250 }, children(1));
    await run.done();
    expect(run.runs[0]).toMatchObject({ childId: 'C0', deadline: 1_250 });
  });

  it('fail-fast: cancels running siblings and pending ones on the first final failure', async () => {
    const run = supervise({ mode: 'parallel', maxParallel: 2, failurePolicy: 'fail-fast' }, children(4), {
      outcomes: { C0: [{ ok: false, error: { code: 'TOOL_FAILED', message: 'broke' } }] },
      hangs: ['C1'],
    });
    const output = await run.done();
    expect(run.cancels).toEqual([{ planId: 'P', childIds: ['C1'], reason: 'demo/x-1 failed (fail-fast)' }]);
    expect(output.state.statuses).toMatchObject({
      C0: { status: 'failed' },
      C1: { status: 'cancelled' },
      C2: { status: 'cancelled', attempt: 0 },
      C3: { status: 'cancelled', attempt: 0 },
    });
    expect(output).toMatchObject({ outcome: 'done', failed: ['C0', 'C1', 'C2', 'C3'] });
  });

  it('continue: lets the others finish and merge, and reports the failure at the end', async () => {
    const run = supervise({ mode: 'parallel', maxParallel: 4, failurePolicy: 'continue' }, children(3), {
      outcomes: { C1: [{ ok: false, error: { code: 'TOOL_FAILED', message: 'broke' } }] },
    });
    const output = await run.done();
    expect(run.cancels).toEqual([]);
    expect(merged(run.merges)).toEqual(['C0', 'C2']);
    expect(output).toMatchObject({ outcome: 'done', failed: ['C1'] });
  });

  it('cancels what depends on a child that failed, under continue', async () => {
    const run = supervise({ mode: 'dependency-ordered', failurePolicy: 'continue' }, children(3, { 1: [0], 2: [1] }), {
      outcomes: { C0: [{ ok: false, error: { code: 'TOOL_FAILED', message: 'broke' } }] },
    });
    const output = await run.done();
    expect(output.state.statuses).toMatchObject({
      C0: { status: 'failed' },
      C1: { status: 'cancelled', attempt: 0 },
      C2: { status: 'cancelled', attempt: 0 },
    });
    expect(output.state.statuses.C1?.error?.message).toContain('demo/x-1');
  });

  it('a child cancelled on purpose is recorded cancelled, stops nobody under fail-fast, and does not fail the group', async () => {
    const withdrawn: RunChildOutput = {
      ok: false,
      cancelled: true,
      withdrawn: true,
      error: { code: 'CANCELLED', message: 'demo/x-2 was cancelled' },
    };
    const run = supervise({ mode: 'parallel', maxParallel: 3, failurePolicy: 'fail-fast', retries: 2 }, children(3), {
      outcomes: { C1: [withdrawn] },
    });
    const output = await run.done();
    expect(run.cancels).toEqual([]);
    expect(run.runs.filter((input) => input.childId === 'C1')).toHaveLength(1);
    expect(merged(run.merges)).toEqual(['C0', 'C2']);
    expect(output.state.statuses).toMatchObject({ C1: { status: 'cancelled', withdrawn: true, merged: false } });
    expect(output).toMatchObject({ outcome: 'done', failed: [] });
  });

  it('withdraws what waited only on a child cancelled on purpose; what waited on a failure still fails the group', async () => {
    const withdrawn: RunChildOutput = {
      ok: false,
      cancelled: true,
      withdrawn: true,
      error: { code: 'CANCELLED', message: 'demo/x-1 was cancelled' },
    };
    const dropped = await supervise(
      { mode: 'dependency-ordered', failurePolicy: 'continue' },
      children(3, { 1: [0] }),
      { outcomes: { C0: [withdrawn] } },
    ).done();
    expect(dropped.state.statuses).toMatchObject({
      C0: { status: 'cancelled', withdrawn: true },
      C1: { status: 'cancelled', attempt: 0, withdrawn: true },
      C2: { merged: true },
    });
    expect(dropped.state.statuses.C1?.error?.message).toContain('was cancelled');
    expect(dropped).toMatchObject({ outcome: 'done', failed: [] });
    const broken = await supervise({ mode: 'dependency-ordered', failurePolicy: 'continue' }, children(2, { 1: [0] }), {
      outcomes: { C0: [{ ok: false, error: { code: 'TOOL_FAILED', message: 'broke' } }] },
    }).done();
    expect(broken.state.statuses.C1?.withdrawn).toBeUndefined();
    expect(broken).toMatchObject({ outcome: 'done', failed: ['C0', 'C1'] });
  });
});
