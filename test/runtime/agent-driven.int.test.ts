import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git } from '../helpers/temp.js';
import { startBarrier } from '../helpers/barrier.js';
import { explainedDecisions, planYaml, step } from './fixtures.js';
import { cleanups, project } from './runtime-fixture.js';
import { openPlan } from './agent-driven-fixture.js';

describe('agent-driven plans (LevelDB, real git)', () => {
  it('strategizes, then rests open in execute for steps from outside', async () => {
    const { runtime } = await project();
    const plan = await openPlan(runtime);
    expect(plan).toMatchObject({
      phase: 'execute',
      status: 'waiting',
      agentDriven: true,
      lastCompletedStep: null,
      error: null,
    });
    const tree = await explainedDecisions(runtime, plan.id);
    expect(tree[0]).toMatchObject({
      type: 'strategy',
      rationale: expect.stringContaining('an agent drives it one tool call at a time'),
    });
    expect(tree.some((decision) => decision.type === 'invariant_enforcement')).toBe(true);
    // a scripted plan is not agent-driven
    const scripted = await runtime.run(
      (await runtime.createPlan(planYaml({ name: 'demo/scripted', strategy: { steps: [] } }))).id,
    );
    expect(scripted).toMatchObject({ phase: 'validate', status: 'complete', agentDriven: false });
    await expect(
      runtime.callTool(scripted.id, { tool: 'fs/write-file', input: { path: 'a', content: '' } }),
    ).rejects.toMatchObject({
      code: 'PHASE_GUARD',
      message: expect.stringContaining('not agent-driven'),
    });
  });

  it('makes a writing call a step: its decision with the rationale, a step commit, a checkpoint and a reconciliation', async () => {
    const { runtime, dir } = await project();
    const plan = await openPlan(runtime);
    const before = (await runtime.checkpoints(plan.id)).length;
    const result = await runtime.callTool(plan.id, {
      tool: 'fs/write-file',
      input: { path: 'src/b.ts', content: 'export const b = 2;\n' },
      rationale: 'b is needed by a',
      actor: 'mcp:test',
    });
    expect(result).toMatchObject({ ok: true, step: 0, wrote: true, output: { path: 'src/b.ts', created: true } });
    if (!result.ok) throw new Error('unreachable');
    expect(result.plan).toMatchObject({ phase: 'execute', status: 'waiting', lastCompletedStep: 0, toolCalls: 1 });
    const worktree = join(dir, plan.sandbox!.worktree);
    expect(git(worktree, 'rev-parse', 'HEAD')).toBe(result.commit);
    expect(git(worktree, 'show', '--name-only', '--format=', 'HEAD')).toBe('src/b.ts');
    expect(readFileSync(join(worktree, 'src/b.ts'), 'utf8')).toBe('export const b = 2;\n');
    // nothing reached the project until apply
    expect(existsSync(join(dir, 'src/b.ts'))).toBe(false);

    const tree = await explainedDecisions(runtime, plan.id);
    const stepDecision = tree.find((decision) => decision.type === 'step')!;
    expect(stepDecision).toMatchObject({
      title: 'fs/write-file src/b.ts',
      rationale: 'b is needed by a',
      actor: 'mcp:test',
      payload: { index: 0, tool: 'fs/write-file' },
    });
    expect((await runtime.getPlan(plan.id)).strategyDecisionIds).toContain(stepDecision.id);
    const checkpoints = await runtime.checkpoints(plan.id);
    expect(checkpoints).toHaveLength(before + 1);
    expect(checkpoints.at(-1)).toMatchObject({ trigger: 'step', sandboxCommit: result.commit, clean: true });
    const events = await runtime.events(plan.id);
    expect(events.filter((event) => event.type === 'invariant.reconciled').at(-1)?.data).toMatchObject({
      trigger: 'post-step',
    });
    expect(await runtime.changes(plan.id)).toMatchObject({ files: [{ path: 'src/b.ts', action: 'added' }] });
  });

  it('records a read as a tool_call decision, with no step, commit or checkpoint', async () => {
    const { runtime } = await project();
    const plan = await openPlan(runtime);
    const checkpoints = (await runtime.checkpoints(plan.id)).length;
    const read = await runtime.callTool(plan.id, {
      tool: 'fs/read-file',
      input: { path: 'src/a.ts' },
      rationale: 'see what a holds',
    });
    expect(read).toMatchObject({
      ok: true,
      step: null,
      wrote: false,
      commit: plan.sandbox!.headCommit,
      output: { content: 'export const a = 1;\n' },
    });
    const listed = await runtime.callTool(plan.id, { tool: 'fs/list-files', input: { glob: 'src/**' } });
    expect(listed).toMatchObject({ ok: true, output: { files: ['src/a.ts'] } });
    const missing = await runtime.callTool(plan.id, { tool: 'fs/read-file', input: { path: 'nope.txt' } });
    expect(missing).toMatchObject({ ok: false, step: null, error: { code: 'TOOL_FAILED' } });

    const after = await runtime.getPlan(plan.id);
    expect(after).toMatchObject({ phase: 'execute', status: 'waiting', lastCompletedStep: null });
    expect(await runtime.checkpoints(plan.id)).toHaveLength(checkpoints);
    const calls = (await explainedDecisions(runtime, plan.id)).filter((decision) => decision.type === 'tool_call');
    expect(calls.map((decision) => decision.payload)).toMatchObject([
      { tool: 'fs/read-file', outcome: 'read', success: true },
      { tool: 'fs/list-files', outcome: 'read', success: true },
      { tool: 'fs/read-file', outcome: 'read', success: false, code: 'TOOL_FAILED' },
    ]);
    expect(calls[0]).toMatchObject({ title: 'read: fs/read-file src/a.ts', rationale: 'see what a holds' });
    const journaled = (await runtime.events(plan.id)).filter((event) => event.type === 'tool.called');
    expect(journaled).toHaveLength(3);
  });

  it('answers a command that exits non-zero with its exit code and output, and commits what it wrote (one that wrote nothing is a read)', async () => {
    const { runtime, dir } = await project();
    const plan = await openPlan(runtime);
    const result = await runtime.callTool(plan.id, {
      tool: 'shell/exec',
      input: { command: 'echo partial > notes.txt; echo out; echo boom >&2; exit 3' },
    });
    expect(result).toMatchObject({
      ok: true,
      step: 0,
      wrote: true,
      output: { exitCode: 3, timedOut: false, stdout: 'out\n', stderr: 'boom\n' },
    });
    expect(readFileSync(join(dir, plan.sandbox!.worktree, 'notes.txt'), 'utf8')).toBe('partial\n');
    const quiet = await runtime.callTool(plan.id, {
      tool: 'shell/exec',
      input: { command: 'git status --short; false' },
    });
    expect(quiet).toMatchObject({ ok: true, step: null, read: 1, wrote: false, output: { exitCode: 1, stdout: '' } });
    expect(await runtime.getPlan(plan.id)).toMatchObject({ status: 'waiting', lastCompletedStep: 0 });
  });

  it('stops being open when a step breaks an invariant, and is corrected back open', async () => {
    const { runtime } = await project();
    const plan = await openPlan(runtime);
    const broke = await runtime.callTool(plan.id, {
      tool: 'fs/write-file',
      input: { path: 'src/bad.ts', content: 'bad\n' },
    });
    expect(broke).toMatchObject({
      ok: true,
      wrote: true,
      plan: { phase: 'execute', status: 'failed', error: { code: 'INVARIANT_VIOLATED' } },
    });
    // refused and recorded, the plan left as it is
    const refused = await runtime.callTool(plan.id, {
      tool: 'fs/write-file',
      input: { path: 'src/c.ts', content: '' },
    });
    expect(refused).toMatchObject({
      ok: false,
      step: null,
      error: { code: 'PHASE_GUARD', hint: expect.stringContaining('troupe plan correct demo/agent') },
      plan: { status: 'failed' },
    });
    expect(
      (await explainedDecisions(runtime, plan.id))
        .filter((decision) => decision.type === 'tool_call')
        .map((decision) => decision.payload),
    ).toMatchObject([{ outcome: 'refused', code: 'PHASE_GUARD' }]);
    const corrected = await runtime.correct(plan.id, {
      mode: 'append',
      steps: step('Remove it', 'fs/delete-file', { path: 'src/bad.ts' }),
      reason: 'bad.ts broke no-bad',
    });
    expect(corrected.plan).toMatchObject({ phase: 'execute', status: 'waiting', error: null, lastCompletedStep: 1 });
    expect(
      await runtime.callTool(plan.id, { tool: 'fs/write-file', input: { path: 'src/c.ts', content: 'c\n' } }),
    ).toMatchObject({ ok: true, step: 2 });
  });

  it('finishes: execute completes and validate runs, so the plan rests validated, ready to apply', async () => {
    const { runtime, dir } = await project();
    const plan = await openPlan(runtime);
    await runtime.callTool(plan.id, { tool: 'fs/write-file', input: { path: 'notes.txt', content: 'done\n' } });
    const finished = await runtime.finish(plan.id);
    expect(finished).toMatchObject({ phase: 'validate', status: 'complete', error: null });
    expect(
      await runtime.callTool(plan.id, { tool: 'fs/write-file', input: { path: 'src/c.ts', content: '' } }),
    ).toMatchObject({
      ok: false,
      error: { code: 'PHASE_GUARD', message: expect.stringContaining('no longer open') },
      plan: { phase: 'validate', status: 'complete' },
    });
    await expect(runtime.finish(plan.id)).rejects.toMatchObject({ code: 'PHASE_GUARD' });
    const applied = await runtime.runPhase(plan.id, 'apply');
    expect(applied).toMatchObject({ status: 'done' });
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('done\n');
    // an ended plan takes nothing, and nothing is recorded on it
    await expect(
      runtime.callTool(plan.id, { tool: 'fs/read-file', input: { path: 'notes.txt' } }),
    ).rejects.toMatchObject({ code: 'PHASE_GUARD', message: expect.stringContaining('done') });
  });

  it('runs one plan’s calls one at a time in the order they came, and different plans’ side by side', async () => {
    const barrier = await startBarrier(2);
    cleanups.push(barrier.close);
    const { runtime, dir } = await project();
    const one = await openPlan(runtime);
    // the same plan: the second call starts after the first ended, whatever the first took
    const calls = await Promise.all([
      runtime.callTool(one.id, { tool: 'shell/exec', input: { command: 'sleep 0.3; echo first >> notes.txt' } }),
      runtime.callTool(one.id, { tool: 'shell/exec', input: { command: 'echo second >> notes.txt' } }),
    ]);
    expect(calls.map((call) => call.step)).toEqual([0, 1]);
    expect(readFileSync(join(dir, one.sandbox!.worktree, 'notes.txt'), 'utf8')).toBe('first\nsecond\n');
    // two plans: each call blocks until the other has started (a barrier of two on 127.0.0.1)
    const netted = (name: string) => planYaml({ name, resourceScopes: ['**'], network: true });
    const [a, b] = await Promise.all([openPlan(runtime, netted('demo/a')), openPlan(runtime, netted('demo/b'))]);
    const both = await Promise.all(
      [a, b].map((plan) =>
        runtime.callTool(plan.id, { tool: 'shell/exec', input: { command: barrier.command, timeoutMs: 20_000 } }),
      ),
    );
    expect(both.map((call) => (call.ok ? call.output : call.error))).toMatchObject([{ exitCode: 0 }, { exitCode: 0 }]);
  });

  it('is open again after a rollback to a checkpoint taken while it was open', async () => {
    const { runtime, dir } = await project();
    const plan = await openPlan(runtime);
    const first = await runtime.callTool(plan.id, {
      tool: 'fs/write-file',
      input: { path: 'src/b.ts', content: 'b\n' },
    });
    const checkpoint = (await runtime.checkpoints(plan.id)).at(-1)!;
    await runtime.callTool(plan.id, { tool: 'fs/write-file', input: { path: 'src/c.ts', content: 'c\n' } });
    await runtime.finish(plan.id);
    expect((await runtime.previewRollback(plan.id, { to: checkpoint.id })).restores).toEqual({
      phase: 'execute',
      status: 'waiting',
    });
    const rolled = await runtime.rollback(plan.id, { to: checkpoint.id });
    expect(rolled.changesReverted.map((change) => change.file)).toEqual(['src/c.ts']);
    expect(rolled.restored).toEqual({ phase: 'execute', status: 'waiting' });
    const back = await runtime.getPlan(plan.id);
    expect(back).toMatchObject({
      phase: 'execute',
      status: 'waiting',
      lastCompletedStep: 0,
      sandbox: { headCommit: first.ok ? first.commit : '' },
    });
    expect(await runtime.changes(plan.id)).toMatchObject({ files: [{ path: 'src/b.ts' }] });
    const again = await runtime.callTool(plan.id, {
      tool: 'fs/write-file',
      input: { path: 'src/d.ts', content: 'd\n' },
    });
    expect(again).toMatchObject({ ok: true, step: 1 });
    expect(existsSync(join(dir, plan.sandbox!.worktree, 'src/c.ts'))).toBe(false);
  });
});
