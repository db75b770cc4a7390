import { describe, expect, it } from 'vitest';
import { textOf } from './mcp-client.js';
import { openPlan, session } from './server-fixture.js';

// the tools of `troupe mcp` that work in an open plan's sandbox: files, commands, their logs, steps and progress
describe('the sandbox tools', () => {
  it('list, read (text and binary), delete, call any tool, and run commands that fail or time out', async () => {
    const mcp = await session();
    const plan = await openPlan(mcp);
    expect(textOf(await mcp.call('list_files', { plan: plan.id, path: 'src' }))).toBe('src/a.ts');
    expect(textOf(await mcp.call('list_files', { plan: plan.id, glob: '**/*.md', rationale: 'docs?' }))).toBe(
      'README.md',
    );
    expect(textOf(await mcp.call('list_files', { plan: plan.id, glob: 'nothing/**' }))).toBe('no files');
    expect(textOf(await mcp.call('read_file', { plan: plan.id, path: 'src/a.ts' }))).toBe('export const a = 1;\n');

    await mcp.ok('call_tool', {
      plan: plan.id,
      tool: 'shell/exec',
      input: { command: "printf '\\000\\001\\002' > blob.bin" },
    });
    const binary = await mcp.call('read_file', { plan: plan.id, path: 'blob.bin' });
    expect(textOf(binary)).toBe('(binary, 3 bytes, base64)\nAAEC');
    const read = await mcp.call('call_tool', { plan: plan.id, tool: 'fs/read-file', input: { path: 'src/a.ts' } });
    expect(textOf(read)).toContain('read (no step)');

    const deleted = await mcp.call('delete_file', { plan: plan.id, path: 'src/a.ts', rationale: 'not needed' });
    expect(textOf(deleted)).toMatch(/^deleted src\/a.ts — step 2, commit [0-9a-f]{7}$/);

    const failing = await mcp.call('run_command', { plan: plan.id, command: 'echo out; echo err >&2; exit 4' });
    // it changed nothing: a read, no step
    expect(textOf(failing)).toMatch(
      /^exit 4 \(\d+ ms\) — read 1 \(nothing changed: no step\)\n--- stdout\nout\n\n--- stderr\nerr\n$/,
    );
    const slow = await mcp.call('run_command', { plan: plan.id, command: 'sleep 5', timeoutMs: 100 });
    expect(textOf(slow)).toMatch(/^timed out after \d+ ms/);
    const killed = await mcp.call('run_command', { plan: plan.id, command: 'kill -KILL $$' });
    expect(textOf(killed)).toMatch(/^killed by SIGKILL/);
    expect(await mcp.call('call_tool', { plan: plan.id, tool: 'builtin/plan-subplan', input: {} })).toMatchObject({
      isError: true,
      structuredContent: {
        error: { code: 'VALIDATION_ERROR', message: expect.stringContaining('spawned with subplan_spawn') },
      },
    });
  });

  it('shows what a plan’s commands printed, by step or phase, cut to a bound, and follows on from a seq', async () => {
    const mcp = await session();
    const plan = await openPlan(mcp, 'agent/logs', { validate: [{ run: 'echo checked' }] });
    expect(textOf(await mcp.call('plan_logs', { plan: plan.id }))).toBe('agent/logs ran no commands yet');
    await mcp.call('run_command', { plan: plan.id, command: 'echo one; echo two; echo 1 > one.txt' });
    await mcp.call('run_command', { plan: plan.id, command: 'echo ok; echo "not ok 2 - adds" >&2; exit 1' });
    const all = await mcp.call('plan_logs', { plan: plan.id });
    expect(textOf(all)).toMatch(
      /^── seq 1 · step 1 · shell\/exec · exit 0 · \d+ ms\n\$ echo one; echo two; echo 1 > one.txt\none\ntwo\n── seq 2 · read 1 · shell\/exec · exit 1 · \d+ ms\n\$ echo ok; .*\nok\n── stderr\nnot ok 2 - adds$/,
    );
    expect(all.structuredContent).toMatchObject({
      planId: plan.id,
      name: 'agent/logs',
      skipped: 0,
      logs: [
        { seq: 1, kind: 'step', step: 1, exitCode: 0 },
        { seq: 2, kind: 'read', step: null, read: 1, exitCode: 1, stderr: { text: 'not ok 2 - adds\n' } },
      ],
    });
    // step counts from 1, as write_file and run_command answers say; a read has its own number
    expect(await mcp.ok('plan_logs', { plan: plan.id, step: 1 })).toMatchObject({ logs: [{ seq: 1 }] });
    expect(await mcp.ok('plan_logs', { plan: plan.id, read: 1 })).toMatchObject({ logs: [{ seq: 2 }] });
    expect(await mcp.call('plan_logs', { plan: plan.id, step: 2 })).toMatchObject({
      isError: true,
      structuredContent: { error: { code: 'NOT_FOUND', message: expect.stringContaining('has no step 2') } },
    });
    expect(await mcp.call('plan_logs', { plan: plan.id, read: 2 })).toMatchObject({
      isError: true,
      structuredContent: { error: { code: 'NOT_FOUND', message: expect.stringContaining('has no read 2') } },
    });
    expect(await mcp.call('plan_logs', { plan: plan.id, read: 1, step: 1 })).toMatchObject({
      isError: true,
      structuredContent: { error: { code: 'VALIDATION_ERROR', message: expect.stringContaining('read') } },
    });
    expect(await mcp.call('plan_logs', { plan: plan.id, step: 1, phase: 'validate' })).toMatchObject({
      isError: true,
      structuredContent: { error: { code: 'VALIDATION_ERROR', message: expect.stringContaining('step') } },
    });
    // each stream keeps its last maxBytes, and says how much was cut
    const cut = await mcp.ok<{ logs: { stdout: { text: string; bytes: number; cut: number } }[] }>('plan_logs', {
      plan: plan.id,
      step: 1,
      maxBytes: 4,
    });
    expect(cut.logs[0]!.stdout).toEqual({ text: 'two\n', bytes: 8, cut: 4 });
    expect(textOf(await mcp.call('plan_logs', { plan: plan.id, step: 1, maxBytes: 4 }))).toContain(
      '(stdout: the first 4 of 8 bytes cut)\ntwo',
    );
    // the latest by default; after a seq, the next ones in order with where to go on from
    expect(textOf(await mcp.call('plan_logs', { plan: plan.id, limit: 1 }))).toMatch(
      /^\(1 earlier log not shown: ask with a larger limit, or by step or phase\)\n── seq 2/,
    );
    const next = await mcp.call('plan_logs', { plan: plan.id, afterSeq: 0, limit: 1 });
    expect(next.structuredContent).toMatchObject({ logs: [{ seq: 1 }], skipped: 1 });
    expect(textOf(next)).toMatch(/\(1 later log: ask again with afterSeq 1\)$/);
    await mcp.ok('plan_finish', { plan: plan.id });
    expect(await mcp.ok('plan_logs', { plan: plan.id, phase: 'validate' })).toMatchObject({
      logs: [{ kind: 'validate', stdout: { text: 'checked\n' } }],
    });
  });

  it('counts the step a call made from 1 in structured content, as its text and plan_logs do (issue 35)', async () => {
    const mcp = await session();
    const plan = await openPlan(mcp, 'agent/steps');
    const wrote = await mcp.call('write_file', { plan: plan.id, path: 'one.txt', content: '1\n' });
    expect(textOf(wrote)).toMatch(/— step 1, commit/);
    expect(wrote.structuredContent).toMatchObject({ step: 1, wrote: true });
    expect(wrote.structuredContent).toMatchObject({ kind: 'step', read: null });
    // a command that changed nothing is a read: no step number (issue 35, item 5)
    const ran = await mcp.call('run_command', { plan: plan.id, command: 'echo second' });
    expect(textOf(ran)).toMatch(/— read 1 \(nothing changed: no step\)/);
    expect(ran.structuredContent).toMatchObject({ kind: 'read', step: null, read: 1, wrote: false });
    const deleted = await mcp.ok<{ step: number }>('delete_file', { plan: plan.id, path: 'one.txt' });
    expect(deleted.step).toBe(2);
    const read = await mcp.ok<{ step: number | null; kind: string }>('call_tool', {
      plan: plan.id,
      tool: 'fs/read-file',
      input: { path: 'README.md' },
    });
    expect(read).toMatchObject({ step: null, kind: 'read', read: null });
    // the structured read, handed back to plan_logs, finds that call's own command
    const logs = await mcp.ok<{ logs: { step: number | null; read: number; stdout: { text: string } }[] }>(
      'plan_logs',
      { plan: plan.id, read: (ran.structuredContent as { read: number }).read },
    );
    expect(logs.logs).toMatchObject([{ kind: 'read', step: null, read: 1, stdout: { text: 'second\n' } }]);
    const explained = await mcp.call('plan_explain', { plan: plan.id });
    expect(textOf(explained)).toMatch(/\n {2}tool_call read 1: shell\/exec echo second/);
    const listed = await mcp.ok<{ checkpoints: { trigger: string }[] }>('checkpoint_list', { plan: plan.id });
    expect(listed.checkpoints.filter((checkpoint) => checkpoint.trigger === 'step')).toHaveLength(2);
    const spawned = await mcp.call('subplan_spawn', { plan: plan.id, children: [{ goal: 'Child' }] });
    expect(textOf(spawned)).toMatch(/^step 3 spawned/);
    expect(spawned.structuredContent).toMatchObject({ step: 3 });
  });

  it('says when a call ended the plan’s openness: a step that broke an invariant', async () => {
    const mcp = await session();
    const plan = await openPlan(mcp, 'agent/strict', {
      invariants: [{ id: 'no-bad', check: 'file-absent', path: 'bad.txt' }],
    });
    const broke = await mcp.call('write_file', { plan: plan.id, path: 'bad.txt', content: 'x' });
    expect(broke.isError).toBeFalsy();
    expect(textOf(broke)).toMatch(
      /the plan is no longer open: agent\/strict \(\w+\): execute · failed — INVARIANT_VIOLATED: /,
    );
  });

  it('reports progress on a long call to a client that asked for it', async () => {
    const mcp = await session(undefined, { progressEveryMs: 50 });
    const plan = await openPlan(mcp);
    const seen: number[] = [];
    const { CallToolResultSchema } = await import('@modelcontextprotocol/sdk/types.js');
    await mcp.client.request(
      {
        method: 'tools/call',
        params: {
          name: 'run_command',
          arguments: { plan: plan.id, command: 'sleep 0.4' },
          _meta: { progressToken: 'p1' },
        },
      },
      CallToolResultSchema,
      {
        onprogress: (progress) => void seen.push(progress.progress),
      },
    );
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });
});
