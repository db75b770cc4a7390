import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git } from '../helpers/temp.js';
import { explainedDecisions } from './fixtures.js';
import { project } from './runtime-fixture.js';
import { AGENT_PLAN, openPlan } from './agent-driven-fixture.js';

// The calls an agent-driven plan refuses: outside its scopes or its sandbox, with
// control characters or a NUL byte, on unknown or unready plans, malformed.

describe('agent-driven plans (LevelDB, real git)', () => {
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
