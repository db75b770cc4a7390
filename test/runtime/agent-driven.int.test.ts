import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../src/runtime/local-runtime.js';
import { git } from '../helpers/temp.js';
import { startBarrier } from '../helpers/barrier.js';
import { explainedDecisions, planYaml, projectWithRuntime, step } from './fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
async function project(...args: Parameters<typeof projectWithRuntime>) {
  const made = await projectWithRuntime(...args);
  cleanups.push(made.close);
  return made;
}

// no strategy: the plan is driven from outside, one tool call at a time (SPEC §16)
const AGENT_PLAN = planYaml({
  name: 'demo/agent',
  resourceScopes: ['src/**', 'notes.txt'],
  invariants: [{ id: 'no-bad', check: 'file-absent', path: 'src/bad.ts' }],
  validate: [{ run: 'test -f notes.txt' }],
});

async function openPlan(runtime: LocalRuntime, yaml = AGENT_PLAN) {
  const created = await runtime.createPlan(yaml);
  return runtime.run(created.id);
}

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

  it('refuses a call outside the scopes or the sandbox: nothing changes, it is recorded, and the plan stays open', async () => {
    const { runtime, dir } = await project();
    const plan = await openPlan(runtime);
    await runtime.callTool(plan.id, { tool: 'fs/write-file', input: { path: 'src/b.ts', content: 'b\n' } });
    const at = await runtime.getPlan(plan.id);
    const checkpoints = (await runtime.checkpoints(plan.id)).length;
    const worktree = join(dir, plan.sandbox!.worktree);

    const scope = await runtime.callTool(plan.id, {
      tool: 'fs/write-file',
      input: { path: 'README.md', content: 'x' },
    });
    expect(scope).toMatchObject({
      ok: false,
      step: null,
      error: { code: 'SCOPE_VIOLATION', hint: expect.stringContaining('src/**, notes.txt') },
    });
    const escape = await runtime.callTool(plan.id, {
      tool: 'fs/write-file',
      input: { path: '../../escaped.txt', content: 'x' },
    });
    expect(escape).toMatchObject({ ok: false, error: { code: 'SANDBOX_ESCAPE' } });
    const badInput = await runtime.callTool(plan.id, { tool: 'fs/write-file', input: { path: 'src/c.ts' } });
    expect(badInput).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_ERROR', message: expect.stringContaining('content') },
    });
    const unknown = await runtime.callTool(plan.id, { tool: 'fs/format-disk', input: {} });
    expect(unknown).toMatchObject({
      ok: false,
      error: {
        code: 'VALIDATION_ERROR',
        message: 'unknown tool "fs/format-disk"',
        hint: expect.stringContaining('shell/exec'),
      },
    });
    // a command that writes outside the scopes is run, found out and undone: its step failed, nothing of it is kept
    const shell = await runtime.callTool(plan.id, {
      tool: 'shell/exec',
      input: { command: 'echo x > README.md; echo y > src/ok.ts' },
    });
    expect(shell).toMatchObject({
      ok: false,
      step: 1,
      error: { code: 'SCOPE_VIOLATION', details: { files: ['README.md'] } },
    });

    const after = await runtime.getPlan(plan.id);
    expect(after).toMatchObject({
      phase: 'execute',
      status: 'waiting',
      error: null,
      sandbox: { headCommit: at.sandbox!.headCommit },
    });
    expect(git(worktree, 'status', '--porcelain')).toBe('');
    expect(readFileSync(join(worktree, 'README.md'), 'utf8')).toBe('# project\n');
    expect(existsSync(join(worktree, 'src/ok.ts'))).toBe(false);
    expect(existsSync(join(dir, '..', 'escaped.txt'))).toBe(false);
    expect(await runtime.checkpoints(plan.id)).toHaveLength(checkpoints);
    const refused = (await explainedDecisions(runtime, plan.id))
      .filter((decision) => decision.type === 'tool_call')
      .map((decision) => decision.payload);
    expect(refused).toMatchObject([
      { outcome: 'refused', code: 'SCOPE_VIOLATION' },
      { outcome: 'refused', code: 'SANDBOX_ESCAPE' },
      { outcome: 'refused', code: 'VALIDATION_ERROR' },
      { outcome: 'refused', code: 'VALIDATION_ERROR' },
    ]);
    expect((await runtime.events(plan.id)).filter((event) => event.type === 'step.failed').at(-1)?.data).toMatchObject({
      index: 1,
      code: 'SCOPE_VIOLATION',
    });
    // and the next call works
    expect(
      await runtime.callTool(plan.id, { tool: 'fs/write-file', input: { path: 'notes.txt', content: 'n\n' } }),
    ).toMatchObject({ ok: true, step: 2, wrote: true });
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

  it('titles a call whose path or command holds control characters on one clean line, and refuses a NUL byte in a command', async () => {
    const { runtime, dir } = await project();
    const plan = await openPlan(runtime);
    const worktree = join(dir, plan.sandbox!.worktree);
    // an escape sequence and a bell in a file name: a legal path, a title that must not redraw a terminal
    const path = 'src/x\u001b[2J\u0007.ts';
    const written = await runtime.callTool(plan.id, { tool: 'fs/write-file', input: { path, content: 'x\n' } });
    expect(written).toMatchObject({ ok: true, step: 0, wrote: true });
    const command = ": \u001b[2J\u009b; echo 'a\u0001b' > notes.txt";
    expect(await runtime.callTool(plan.id, { tool: 'shell/exec', input: { command } })).toMatchObject({
      ok: true,
      step: 1,
    });
    const nul = await runtime.callTool(plan.id, {
      tool: 'shell/exec',
      input: { command: 'echo a\u0000b > notes.txt' },
    });
    expect(nul).toMatchObject({
      ok: false,
      step: null,
      error: {
        code: 'VALIDATION_ERROR',
        message: expect.stringContaining('input.command: must not contain a NUL byte'),
      },
    });

    // a __proto__ key (an own key, as JSON from an agent has it) is refused, not dropped
    const proto = await runtime.callTool(plan.id, {
      tool: 'fs/write-file',
      input: JSON.parse('{"path":"src/p.ts","content":"p","__proto__":{"x":1}}') as Record<string, unknown>,
    });
    expect(proto).toMatchObject({
      ok: false,
      step: null,
      error: {
        code: 'VALIDATION_ERROR',
        details: { issues: [{ path: 'input.__proto__', message: 'is not a known field' }] },
      },
    });

    const controls = /[\u0000-\u001f\u007f-\u009f]/;
    const titled = (await explainedDecisions(runtime, plan.id)).filter(
      (decision) => decision.type === 'step' || decision.type === 'tool_call',
    );
    expect(titled.map((decision) => decision.title)).toEqual([
      'fs/write-file src/x [2J .ts',
      "shell/exec : [2J ; echo 'a b' > notes.txt",
      'refused: shell/exec echo a b > notes.txt',
      'refused: fs/write-file src/p.ts',
    ]);
    for (const decision of titled) expect(decision.title).not.toMatch(controls);
    // the step commits carry the clean titles too
    const messages = git(worktree, 'log', '-2', '--format=%B').split('\n');
    expect(messages.join('\n')).toContain('fs/write-file src/x [2J .ts');
    for (const line of messages) expect(line).not.toMatch(controls);
    expect(readFileSync(join(worktree, path), 'utf8')).toBe('x\n');
    expect(await runtime.getPlan(plan.id)).toMatchObject({
      phase: 'execute',
      status: 'waiting',
      lastCompletedStep: 1,
      error: null,
    });
  });

  it('refuses calls on unknown plans, on plans not yet strategized and with malformed requests', async () => {
    const { runtime } = await project();
    await expect(runtime.callTool('demo/none', { tool: 'fs/read-file', input: { path: 'a' } })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const created = await runtime.createPlan(AGENT_PLAN);
    await expect(
      runtime.callTool(created.id, { tool: 'fs/read-file', input: { path: 'src/a.ts' } }),
    ).rejects.toMatchObject({
      code: 'PHASE_GUARD',
      message: expect.stringContaining('has not strategized'),
    });
    await expect(runtime.callTool(created.id, { tool: 42 } as never)).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      details: { issues: [{ path: 'tool' }] },
    });
    await expect(runtime.callTool(created.id, null as never)).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    expect((await runtime.events(created.id)).map((event) => event.type)).toEqual(['plan.created']);
  });
});
