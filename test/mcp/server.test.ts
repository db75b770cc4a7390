import { realpathSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CompleteResultSchema, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { PlanRecord } from '../../src/domain/index.js';
import { HostRetryError, type Runtime } from '../../src/runtime/index.js';
import { planYaml, step } from '../runtime/fixtures.js';
import { inProcessMcp, type InProcessMcp } from './in-process.js';
import { textOf } from './mcp-client.js';

// The MCP server of `troupe mcp` in this process, on a real runtime (real
// git, LevelDB), through the SDK's client: what each tool, resource,
// prompt and completion answers, text and structure.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function session(...args: Parameters<typeof inProcessMcp>): Promise<InProcessMcp> {
  const mcp = await inProcessMcp(...args);
  cleanups.push(mcp.close);
  return mcp;
}

async function openPlan(mcp: InProcessMcp, name = 'agent/x', extra: Record<string, unknown> = {}): Promise<PlanRecord> {
  return (await mcp.ok<{ plan: PlanRecord }>('plan_create', { spec: { name, goal: 'Work', resourceScopes: ['**'], ...extra } })).plan;
}

describe('the tool list', () => {
  it('states every annotation of every tool, true to what it does (issue 35)', async () => {
    const mcp = await session();
    const { tools } = await mcp.client.listTools();
    expect(tools.length).toBeGreaterThan(20);
    for (const tool of tools) {
      expect(tool.annotations, tool.name).toEqual({ title: tool.title, readOnlyHint: expect.any(Boolean), destructiveHint: expect.any(Boolean), idempotentHint: expect.any(Boolean), openWorldHint: expect.any(Boolean) });
      // a tool that only reads destroys nothing
      if (tool.annotations!.readOnlyHint) expect(tool.annotations!.destructiveHint, tool.name).toBe(false);
    }
    const hints = Object.fromEntries(tools.map((tool) => [tool.name, tool.annotations]));
    expect(hints['plan_apply']).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(hints['write_file']).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(hints['run_command']).toMatchObject({ readOnlyHint: false, destructiveHint: true, openWorldHint: true });
    expect(hints['plan_status']).toMatchObject({ readOnlyHint: true, openWorldHint: false });
    expect(hints['plan_create']).toMatchObject({ readOnlyHint: false, destructiveHint: false });
    // services run plan commands: open world, like run_command; their listing and output only read
    expect(hints['service_start']).toMatchObject({ readOnlyHint: false, destructiveHint: true, openWorldHint: true });
    expect(hints['service_stop']).toMatchObject({ readOnlyHint: false, destructiveHint: true, openWorldHint: true });
    expect(hints['service_list']).toMatchObject({ readOnlyHint: true, openWorldHint: false });
    expect(hints['service_logs']).toMatchObject({ readOnlyHint: true, openWorldHint: false });
  });
});

describe('the service tools (issue 35)', () => {
  it('refuse bad arguments, a running name, an unknown service and a plan not in execute, with a coded error and the next step', async () => {
    const mcp = await session();
    const plan = await openPlan(mcp);
    const refused = async (name: string, args: Record<string, unknown>) => {
      const result = await mcp.call(name, args);
      expect(result.isError, textOf(result)).toBe(true);
      return result.structuredContent as { error: { code: string; message: string; hint?: string } };
    };
    expect((await refused('service_start', { plan: plan.id, name: 'web', command: 'true', readyPort: 0 })).error).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('readyPort') });
    expect((await refused('service_start', { plan: plan.id, name: 'web' })).error).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('command') });
    expect((await refused('service_start', { plan: plan.id, name: '9lives', command: 'true' })).error).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('name') });
    expect((await refused('service_logs', { plan: plan.id, name: 'web', lines: 5, offset: 0 })).error).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('offset') });
    expect((await refused('service_stop', { plan: plan.id, name: 'web', extra: 1 })).error).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('extra') });
    // nothing was started or recorded by any of them
    expect(textOf(await mcp.call('service_list', { plan: plan.id }))).toBe('no services');

    await mcp.ok('service_start', { plan: plan.id, name: 'web', command: 'echo up; exec sleep 600', readyLine: 'up' });
    expect((await refused('service_start', { plan: plan.id, name: 'web', command: 'sleep 1' })).error).toMatchObject({ code: 'VALIDATION_ERROR', hint: expect.stringContaining('service_stop') });
    expect((await refused('service_stop', { plan: plan.id, name: 'db' })).error).toMatchObject({ code: 'NOT_FOUND', hint: expect.stringContaining('web') });
    expect(textOf(await mcp.call('service_list', { plan: plan.id }))).toBe('web: running — echo up; exec sleep 600');
    await mcp.ok('plan_finish', { plan: plan.id });
    expect(textOf(await mcp.call('service_list', { plan: plan.id }))).toMatch(/^web: stopped/);
    expect((await refused('service_start', { plan: plan.id, name: 'web', command: 'sleep 1' })).error).toMatchObject({ code: 'PHASE_GUARD', hint: expect.any(String) });
    expect((await refused('service_stop', { plan: plan.id, name: 'web' })).error).toMatchObject({ code: 'NOT_FOUND' });
    expect(textOf(await mcp.call('service_logs', { plan: plan.id, name: 'web' }))).toMatch(/^up\n\[web: ended/);
  });
});

describe('the plan tools', () => {
  it('list, create from YAML text, run, explain, tree, status and cancel, each with a line of text that says what to do', async () => {
    const mcp = await session();
    expect(textOf(await mcp.call('plan_list', {}))).toBe('no plans');
    // a plan file with steps is only created: plan_run drives it
    const scripted = await mcp.ok<{ plan: PlanRecord }>('plan_create', { spec: planYaml({ name: 'demo/scripted', strategy: { steps: [step('Write', 'fs/write-file', { path: 'w.txt', content: 'w\n' })] } }) });
    expect(scripted.plan).toMatchObject({ phase: 'strategize', status: 'queued', agentDriven: false });
    expect(textOf(await mcp.call('plan_explain', { plan: 'demo/scripted' }))).toBe('no decisions yet (the plan has not strategized)');
    const ran = await mcp.call('plan_run', { plan: 'demo/scripted', until: 'execute' });
    expect(ran.structuredContent).toMatchObject({ plan: { phase: 'execute', status: 'complete' } });
    const validated = await mcp.call('plan_run', { plan: 'demo/scripted' });
    expect(textOf(validated)).toMatch(/^demo\/scripted \(\w+\): validate · complete — validated: plan_apply brings it into the project$/);
    expect(textOf(await mcp.call('plan_explain', { plan: 'demo/scripted' }))).toMatch(/^strategy Change the project — the 1 step\(s\) listed in the plan file's strategy\n {2}step Write — call fs\/write-file/);

    const open = await openPlan(mcp);
    expect(textOf(await mcp.call('plan_status', { plan: open.id }))).toContain('open: call read_file, write_file, run_command… then plan_finish');
    const listed = await mcp.ok<{ plans: { name: string; agentDriven: boolean }[] }>('plan_list', {});
    expect(listed.plans).toEqual([expect.objectContaining({ name: 'demo/scripted', agentDriven: false }), expect.objectContaining({ name: 'agent/x', agentDriven: true })]);
    expect(textOf(await mcp.call('plan_tree', { plan: open.id }))).toBe(`agent/x (${open.id}): execute · waiting`);

    const cancelled = await mcp.ok<{ plan: PlanRecord }>('plan_cancel', { plan: open.id, reason: 'not needed' });
    expect(cancelled.plan.status).toBe('cancelled');
    expect((await mcp.ok<{ plans: unknown[] }>('plan_list', {})).plans).toHaveLength(1);
    expect((await mcp.ok<{ plans: unknown[] }>('plan_list', { all: true })).plans).toHaveLength(2);
    expect(await mcp.call('plan_cancel', { plan: open.id })).toMatchObject({ isError: true, structuredContent: { error: { code: 'PHASE_GUARD' } } });
  });

  it('names the project root and the closest plan when a plan is not found (issue 36)', async () => {
    const mcp = await session();
    await openPlan(mcp, 'agent/hello');
    const root = realpathSync(mcp.dir);
    const missed = await mcp.call('plan_status', { plan: 'agent/helo' });
    expect(missed).toMatchObject({ isError: true, structuredContent: { error: { code: 'NOT_FOUND', details: { ref: 'agent/helo', projectRoot: root, suggestion: 'agent/hello' } } } });
    expect(textOf(missed)).toBe(`error[NOT_FOUND]: no plan matches "agent/helo" in ${root}\nhint: did you mean agent/hello? troupe plan list --all shows the plans`);
    // embedding: the runtime's own error carries the same
    await expect(mcp.runtime.getPlan('agent/helo')).rejects.toMatchObject({ code: 'NOT_FOUND', message: `no plan matches "agent/helo" in ${root}`, details: { projectRoot: root } });
  });

  it('shows changes as a listing and, with patch, a bounded unified diff', async () => {
    const mcp = await session();
    const plan = await openPlan(mcp);
    expect(textOf(await mcp.call('plan_changes', { plan: plan.id }))).toBe('no changes');
    await mcp.ok('write_file', { plan: plan.id, path: 'src/b.ts', content: 'export const b = 2;\n' });
    expect(textOf(await mcp.call('plan_changes', { plan: plan.id }))).toBe('added    src/b.ts (+1 -0)');
    const patched = await mcp.call('plan_changes', { plan: plan.id, patch: true });
    expect(patched.structuredContent).toMatchObject({ truncated: false, patch: expect.stringContaining('+export const b = 2;') });
    expect((patched.structuredContent as { patch: string }).patch).toMatch(/^diff --git a\/src\/b.ts b\/src\/b.ts/);
    const cut = await mcp.call('plan_changes', { plan: plan.id, patch: true, maxBytes: 20 });
    expect(cut.structuredContent).toMatchObject({ truncated: true });
    expect((cut.structuredContent as { patch: string }).patch.length).toBeLessThanOrEqual(20);
    expect(textOf(cut)).toContain('… (truncated: ask for a larger maxBytes)');
  });

  it('applies a validated plan as one commit, and says so', async () => {
    const mcp = await session();
    const plan = await openPlan(mcp);
    await mcp.ok('write_file', { plan: plan.id, path: 'NOTES.md', content: 'notes\n' });
    await mcp.ok('plan_finish', { plan: plan.id });
    const applied = await mcp.call('plan_apply', { plan: plan.id, strategy: 'theirs' });
    expect(textOf(applied)).toMatch(/apply · done — applied as [0-9a-f]{7}$/);
  });
});

describe('the sandbox tools', () => {
  it('list, read (text and binary), delete, call any tool, and run commands that fail or time out', async () => {
    const mcp = await session();
    const plan = await openPlan(mcp);
    expect(textOf(await mcp.call('list_files', { plan: plan.id, path: 'src' }))).toBe('src/a.ts');
    expect(textOf(await mcp.call('list_files', { plan: plan.id, glob: '**/*.md', rationale: 'docs?' }))).toBe('README.md');
    expect(textOf(await mcp.call('list_files', { plan: plan.id, glob: 'nothing/**' }))).toBe('no files');
    expect(textOf(await mcp.call('read_file', { plan: plan.id, path: 'src/a.ts' }))).toBe('export const a = 1;\n');

    await mcp.ok('call_tool', { plan: plan.id, tool: 'shell/exec', input: { command: "printf '\\000\\001\\002' > blob.bin" } });
    const binary = await mcp.call('read_file', { plan: plan.id, path: 'blob.bin' });
    expect(textOf(binary)).toBe('(binary, 3 bytes, base64)\nAAEC');
    const read = await mcp.call('call_tool', { plan: plan.id, tool: 'fs/read-file', input: { path: 'src/a.ts' } });
    expect(textOf(read)).toContain('read (no step)');

    const deleted = await mcp.call('delete_file', { plan: plan.id, path: 'src/a.ts', rationale: 'not needed' });
    expect(textOf(deleted)).toMatch(/^deleted src\/a.ts — step 2, commit [0-9a-f]{7}$/);

    const failing = await mcp.call('run_command', { plan: plan.id, command: 'echo out; echo err >&2; exit 4' });
    // it changed nothing: a read, no step
    expect(textOf(failing)).toMatch(/^exit 4 \(\d+ ms\) — read 1 \(nothing changed: no step\)\n--- stdout\nout\n\n--- stderr\nerr\n$/);
    const slow = await mcp.call('run_command', { plan: plan.id, command: 'sleep 5', timeoutMs: 100 });
    expect(textOf(slow)).toMatch(/^timed out after \d+ ms/);
    const killed = await mcp.call('run_command', { plan: plan.id, command: 'kill -KILL $$' });
    expect(textOf(killed)).toMatch(/^killed by SIGKILL/);
    expect(await mcp.call('call_tool', { plan: plan.id, tool: 'builtin/plan-subplan', input: {} })).toMatchObject({
      isError: true,
      structuredContent: { error: { code: 'VALIDATION_ERROR', message: expect.stringContaining('spawned with subplan_spawn') } },
    });
  });

  it('shows what a plan’s commands printed, by step or phase, cut to a bound, and follows on from a seq', async () => {
    const mcp = await session();
    const plan = await openPlan(mcp, 'agent/logs', { validate: [{ run: 'echo checked' }] });
    expect(textOf(await mcp.call('plan_logs', { plan: plan.id }))).toBe('agent/logs ran no commands yet');
    await mcp.call('run_command', { plan: plan.id, command: 'echo one; echo two; echo 1 > one.txt' });
    await mcp.call('run_command', { plan: plan.id, command: 'echo ok; echo "not ok 2 - adds" >&2; exit 1' });
    const all = await mcp.call('plan_logs', { plan: plan.id });
    expect(textOf(all)).toMatch(/^── seq 1 · step 1 · shell\/exec · exit 0 · \d+ ms\n\$ echo one; echo two; echo 1 > one.txt\none\ntwo\n── seq 2 · read 1 · shell\/exec · exit 1 · \d+ ms\n\$ echo ok; .*\nok\n── stderr\nnot ok 2 - adds$/);
    expect(all.structuredContent).toMatchObject({
      planId: plan.id,
      name: 'agent/logs',
      skipped: 0,
      logs: [{ seq: 1, kind: 'step', step: 1, exitCode: 0 }, { seq: 2, kind: 'read', step: null, read: 1, exitCode: 1, stderr: { text: 'not ok 2 - adds\n' } }],
    });
    // step counts from 1, as write_file and run_command answers say; a read has its own number
    expect(await mcp.ok('plan_logs', { plan: plan.id, step: 1 })).toMatchObject({ logs: [{ seq: 1 }] });
    expect(await mcp.ok('plan_logs', { plan: plan.id, read: 1 })).toMatchObject({ logs: [{ seq: 2 }] });
    expect(await mcp.call('plan_logs', { plan: plan.id, step: 2 })).toMatchObject({ isError: true, structuredContent: { error: { code: 'NOT_FOUND', message: expect.stringContaining('has no step 2') } } });
    expect(await mcp.call('plan_logs', { plan: plan.id, read: 2 })).toMatchObject({ isError: true, structuredContent: { error: { code: 'NOT_FOUND', message: expect.stringContaining('has no read 2') } } });
    expect(await mcp.call('plan_logs', { plan: plan.id, read: 1, step: 1 })).toMatchObject({ isError: true, structuredContent: { error: { code: 'VALIDATION_ERROR', message: expect.stringContaining('read') } } });
    expect(await mcp.call('plan_logs', { plan: plan.id, step: 1, phase: 'validate' })).toMatchObject({ isError: true, structuredContent: { error: { code: 'VALIDATION_ERROR', message: expect.stringContaining('step') } } });
    // each stream keeps its last maxBytes, and says how much was cut
    const cut = await mcp.ok<{ logs: { stdout: { text: string; bytes: number; cut: number } }[] }>('plan_logs', { plan: plan.id, step: 1, maxBytes: 4 });
    expect(cut.logs[0]!.stdout).toEqual({ text: 'two\n', bytes: 8, cut: 4 });
    expect(textOf(await mcp.call('plan_logs', { plan: plan.id, step: 1, maxBytes: 4 }))).toContain('(stdout: the first 4 of 8 bytes cut)\ntwo');
    // the latest by default; after a seq, the next ones in order with where to go on from
    expect(textOf(await mcp.call('plan_logs', { plan: plan.id, limit: 1 }))).toMatch(/^\(1 earlier log not shown: ask with a larger limit, or by step or phase\)\n── seq 2/);
    const next = await mcp.call('plan_logs', { plan: plan.id, afterSeq: 0, limit: 1 });
    expect(next.structuredContent).toMatchObject({ logs: [{ seq: 1 }], skipped: 1 });
    expect(textOf(next)).toMatch(/\(1 later log: ask again with afterSeq 1\)$/);
    await mcp.ok('plan_finish', { plan: plan.id });
    expect(await mcp.ok('plan_logs', { plan: plan.id, phase: 'validate' })).toMatchObject({ logs: [{ kind: 'validate', stdout: { text: 'checked\n' } }] });
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
    const read = await mcp.ok<{ step: number | null; kind: string }>('call_tool', { plan: plan.id, tool: 'fs/read-file', input: { path: 'README.md' } });
    expect(read).toMatchObject({ step: null, kind: 'read', read: null });
    // the structured read, handed back to plan_logs, finds that call's own command
    const logs = await mcp.ok<{ logs: { step: number | null; read: number; stdout: { text: string } }[] }>('plan_logs', { plan: plan.id, read: (ran.structuredContent as { read: number }).read });
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
    const plan = await openPlan(mcp, 'agent/strict', { invariants: [{ id: 'no-bad', check: 'file-absent', path: 'bad.txt' }] });
    const broke = await mcp.call('write_file', { plan: plan.id, path: 'bad.txt', content: 'x' });
    expect(broke.isError).toBeFalsy();
    expect(textOf(broke)).toMatch(/the plan is no longer open: agent\/strict \(\w+\): execute · failed — INVARIANT_VIOLATED: /);
  });

  it('reports progress on a long call to a client that asked for it', async () => {
    const mcp = await session(undefined, { progressEveryMs: 50 });
    const plan = await openPlan(mcp);
    const seen: number[] = [];
    const { CallToolResultSchema } = await import('@modelcontextprotocol/sdk/types.js');
    await mcp.client.request({ method: 'tools/call', params: { name: 'run_command', arguments: { plan: plan.id, command: 'sleep 0.4' }, _meta: { progressToken: 'p1' } } }, CallToolResultSchema, {
      onprogress: (progress) => void seen.push(progress.progress),
    });
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });
});

describe('the subplan, checkpoint and conflict tools', () => {
  it('spawn children, wait with a timeout, finish them, and settle their conflict with a side', async () => {
    const mcp = await session({ 'README.md': '# project\n', 'shared.txt': 'one\ntwo\nthree\n' });
    const plan = await openPlan(mcp, 'agent/parent', { resourceScopes: ['shared.txt'] });
    const spawned = await mcp.call('subplan_spawn', { plan: plan.id, children: [{ goal: 'Left' }, { goal: 'Right' }], rationale: 'two ways' });
    expect(textOf(spawned)).toMatch(/^step 1 spawned 2 child plan\(s\); work on each by its id, plan_finish it, then subplan_wait:\nagent\/parent-1 \(\w+\): running — Left\nagent\/parent-2 \(\w+\): running — Right\nmay write the same files: agent\/parent-1 and agent\/parent-2 \(shared\.txt \/ shared\.txt\)$/);
    const [left, right] = (spawned.structuredContent as { children: { id: string }[] }).children;
    const early = await mcp.call('subplan_wait', { plan: plan.id, timeoutMs: 0 });
    expect(early.structuredContent).toMatchObject({ done: false });
    expect(textOf(early)).toMatch(/^still running: .* — call subplan_wait again/);
    await mcp.ok('write_file', { plan: left!.id, path: 'shared.txt', content: 'one\nLEFT\nthree\n' });
    await mcp.ok('write_file', { plan: right!.id, path: 'shared.txt', content: 'one\nRIGHT\nthree\n' });
    await mcp.ok('plan_finish', { plan: left!.id });
    await mcp.ok('plan_finish', { plan: right!.id });
    const waited = await mcp.call('subplan_wait', { plan: plan.id });
    expect(textOf(waited)).toContain('1 merge conflict waits: plan_conflicts shows them, plan_resolve settles each');
    expect(textOf(waited)).toContain('conflict: shared.txt (content, from');
    const conflicts = await mcp.call('plan_conflicts', { plan: plan.id });
    expect(textOf(conflicts)).toContain('  <<<<<<< ours\nLEFT\n  ||||||| base\ntwo\n  =======\nRIGHT\n  >>>>>>> theirs');
    expect(textOf(await mcp.call('plan_status', { plan: plan.id }))).toContain('1 merge conflict waits');
    const resolved = await mcp.call('plan_resolve', { plan: plan.id, file: 'shared.txt', side: 'theirs' });
    expect(textOf(resolved)).toMatch(/^resolved shared.txt with theirs — all settled: merge commit [0-9a-f]{7}\n/);
    expect(textOf(await mcp.call('plan_conflicts', { plan: plan.id }))).toBe('no open conflicts (execute · waiting)');
    expect(textOf(await mcp.call('read_file', { plan: plan.id, path: 'shared.txt' }))).toBe('one\nRIGHT\nthree\n');
  });

  it('tells a finished child plan to wait for its parent’s subplan_wait, not plan_apply (issue 35)', async () => {
    const mcp = await session();
    const plan = await openPlan(mcp, 'agent/parent');
    const [child] = (await mcp.ok<{ children: { id: string }[] }>('subplan_spawn', { plan: plan.id, children: [{ goal: 'Child' }] })).children;
    await mcp.ok('write_file', { plan: child!.id, path: 'child.txt', content: 'c\n' });
    const finished = textOf(await mcp.call('plan_finish', { plan: child!.id }));
    expect(finished).toMatch(/^agent\/parent-1 \(\w+\): validate · complete — validated: subplan_wait on its parent agent\/parent merges it back/);
    expect(finished).not.toContain('plan_apply brings');
    expect(textOf(await mcp.call('plan_status', { plan: child!.id }))).toContain('subplan_wait on its parent agent/parent');
    expect(textOf(await mcp.call('plan_list', {}))).toContain('subplan_wait on its parent agent/parent');
  });

  it('gives children the parent’s scopes by default, and none to the children of a parent without scopes (issue 35)', async () => {
    const mcp = await session();
    const scoped = await openPlan(mcp, 'agent/scoped', { resourceScopes: ['src/**'] });
    const [inherits] = (await mcp.ok<{ children: { id: string }[] }>('subplan_spawn', { plan: scoped.id, children: [{ goal: 'Inherit' }] })).children;
    await mcp.ok('write_file', { plan: inherits!.id, path: 'src/in.ts', content: 'in\n' });
    expect(await mcp.call('write_file', { plan: inherits!.id, path: 'out.txt', content: 'out\n' })).toMatchObject({ isError: true, structuredContent: { error: { code: 'SCOPE_VIOLATION' } } });

    const open = (await mcp.ok<{ plan: PlanRecord }>('plan_create', { spec: { name: 'agent/anything', goal: 'Work anywhere' } })).plan;
    const spawned = await mcp.call('subplan_spawn', { plan: open.id, children: [{ goal: 'Anywhere' }] });
    expect(spawned.isError, textOf(spawned)).toBeFalsy();
    const [free] = (spawned.structuredContent as { children: { id: string }[] }).children;
    await mcp.ok('write_file', { plan: free!.id, path: 'anywhere.txt', content: 'a\n' });
    await mcp.ok('write_file', { plan: free!.id, path: 'src/deep/file.ts', content: 'b\n' });
  });

  it('lists plans each with its own conflict count, not its place in the list (issue 35)', async () => {
    const mcp = await session({ 'README.md': '# project\n', 'shared.txt': 'one\ntwo\nthree\n' });
    await openPlan(mcp, 'agent/first');
    await openPlan(mcp, 'agent/second');
    const plan = await openPlan(mcp, 'agent/parent', { resourceScopes: ['shared.txt'] });
    const spawned = await mcp.ok<{ children: { id: string }[] }>('subplan_spawn', { plan: plan.id, children: [{ goal: 'Left' }, { goal: 'Right' }] });
    for (const [child, word] of [[spawned.children[0]!, 'LEFT'], [spawned.children[1]!, 'RIGHT']] as const) {
      await mcp.ok('write_file', { plan: child.id, path: 'shared.txt', content: `one\n${word}\nthree\n` });
      await mcp.ok('plan_finish', { plan: child.id });
    }
    await mcp.ok('subplan_wait', { plan: plan.id });
    const lines = textOf(await mcp.call('plan_list', {})).split('\n');
    expect(lines.filter((line) => line.includes('conflict'))).toEqual([expect.stringMatching(/^agent\/parent \(\w+\): execute · waiting — 1 merge conflict waits: plan_conflicts shows them/)]);
    expect(lines.find((line) => line.startsWith('agent/first'))).toMatch(/— open: call read_file/);
    expect(lines.find((line) => line.startsWith('agent/second'))).toMatch(/— open: call read_file/);
  });

  it('show a rename/rename between children with both paths, and settle it by the old path', async () => {
    const notes = 'one\ntwo\nthree\nfour\n';
    const mcp = await session({ 'README.md': '# project\n', 'notes.txt': notes });
    const plan = await openPlan(mcp, 'agent/parent');
    const spawned = await mcp.call('subplan_spawn', { plan: plan.id, children: [{ goal: 'Left' }, { goal: 'Right' }], rationale: 'two names' });
    const [left, right] = (spawned.structuredContent as { children: { id: string }[] }).children;
    for (const [child, path] of [[left!, 'left.txt'], [right!, 'right.txt']] as const) {
      await mcp.ok('delete_file', { plan: child.id, path: 'notes.txt' });
      await mcp.ok('write_file', { plan: child.id, path, content: notes });
      await mcp.ok('plan_finish', { plan: child.id });
    }
    expect(textOf(await mcp.call('subplan_wait', { plan: plan.id }))).toContain('conflict: left.txt (rename-rename, from');
    const conflicts = await mcp.call('plan_conflicts', { plan: plan.id });
    expect(textOf(conflicts)).toMatch(/^left\.txt \(rename-rename, from agent\/parent-2\)\n {2}renamed: notes\.txt → ours left\.txt, theirs right\.txt\n/);
    expect(conflicts.structuredContent).toMatchObject({ conflicts: [{ file: 'left.txt', kind: 'rename-rename', paths: { base: 'notes.txt', ours: 'left.txt', theirs: 'right.txt' } }] });
    await mcp.ok('plan_resolve', { plan: plan.id, file: 'notes.txt', side: 'theirs' });
    const files = textOf(await mcp.call('list_files', { plan: plan.id }));
    expect(files).toContain('right.txt');
    expect(files).not.toMatch(/notes\.txt|left\.txt/);
    expect(textOf(await mcp.call('read_file', { plan: plan.id, path: 'right.txt' }))).toBe(notes);
  });

  it('list checkpoints, preview a rollback, and roll back with confirm: true', async () => {
    const mcp = await session();
    const plan = await openPlan(mcp);
    const created = await mcp.call('checkpoint_create', { plan: plan.id, label: 'before' });
    // a checkpoint holds no work in flight: taken while the plan is open, it restores (execute, queued), which opens it again
    expect(textOf(created)).toMatch(/^checkpoint \w+ "before" manual at execute · queued, 0 write\(s\) — /);
    await mcp.ok('write_file', { plan: plan.id, path: 'a.txt', content: 'a\n' });
    const listed = await mcp.call('checkpoint_list', { plan: plan.id });
    expect(textOf(listed).split('\n')).toHaveLength(4);
    const preview = await mcp.call('plan_rollback', { plan: plan.id, to: 'before' });
    expect(textOf(preview)).toMatch(/^rolling agent\/x back to \w+ "before" manual .* would restore \(execute, waiting\):\n {2}deleted a.txt\n {2}discard step fs\/write-file a.txt/);
    const done = await mcp.call('plan_rollback', { plan: plan.id, to: 'before', confirm: true });
    expect(textOf(done)).toMatch(/^rolled back to \w+ "before": 1 file\(s\) reverted, \d+ decision\(s\) discarded — agent\/x .*\nundo: plan_rollback to \w+$/);
  });

  it('falls back to the preview when a client that said it can elicit fails to answer', async () => {
    const mcp = await session(undefined, { capabilities: { elicitation: {} } });
    mcp.client.setRequestHandler(ElicitRequestSchema, () => {
      throw new Error('no user here');
    });
    const plan = await openPlan(mcp);
    await mcp.ok('checkpoint_create', { plan: plan.id, label: 'before' });
    await mcp.ok('write_file', { plan: plan.id, path: 'a.txt', content: 'a\n' });
    expect(await mcp.ok('plan_rollback', { plan: plan.id, to: 'before' })).toMatchObject({ rolledBack: false });
  });
});

describe('prompts, completion and resources', () => {
  it('offers two prompts and fills them in', async () => {
    const mcp = await session();
    const { prompts } = await mcp.client.listPrompts();
    expect(prompts.map((prompt) => [prompt.name, prompt.arguments?.map((argument) => `${argument.name}${argument.required ? '' : '?'}`)])).toEqual([
      ['work_in_plan', ['goal', 'scopes?']],
      ['review_plan', ['plan']],
    ]);
    const work = await mcp.client.getPrompt({ name: 'work_in_plan', arguments: { goal: 'Add a greeting', scopes: 'src/**, docs/*.md' } });
    const text = (work.messages[0]!.content as { text: string }).text;
    expect(text).toContain('resourceScopes: ["src/**","docs/*.md"]');
    expect(text).toContain('Do not plan_apply until I say so.');
    const everything = await mcp.client.getPrompt({ name: 'work_in_plan', arguments: { goal: 'Anything' } });
    expect((everything.messages[0]!.content as { text: string }).text).toContain('resourceScopes: ["**"]');
    const review = await mcp.client.getPrompt({ name: 'review_plan', arguments: { plan: 'agent/x' } });
    expect((review.messages[0]!.content as { text: string }).text).toMatch(/^Review the troupe plan agent\/x:/);
    await expect(mcp.client.getPrompt({ name: 'nope' })).rejects.toThrow(/Unknown prompt: nope/);
    await expect(mcp.client.getPrompt({ name: 'review_plan', arguments: {} })).rejects.toThrow(/needs plan/);
  });

  it('completes plan names and ids, and nothing else', async () => {
    const mcp = await session();
    const plan = await openPlan(mcp, 'agent/complete-me');
    const complete = (params: Record<string, unknown>) => mcp.client.request({ method: 'completion/complete', params }, CompleteResultSchema);
    const names = await complete({ ref: { type: 'ref/prompt', name: 'review_plan' }, argument: { name: 'plan', value: 'agent/c' } });
    expect(names.completion).toEqual({ values: ['agent/complete-me'], total: 1, hasMore: false });
    const ids = await complete({ ref: { type: 'ref/resource', uri: 'troupe://plans/{id}' }, argument: { name: 'id', value: plan.id.slice(0, 8).toLowerCase() } });
    expect(ids.completion.values).toEqual([plan.id]);
    const goal = await complete({ ref: { type: 'ref/prompt', name: 'work_in_plan' }, argument: { name: 'goal', value: 'a' } });
    expect(goal.completion.values).toEqual([]);
    await expect(complete({ ref: { type: 'ref/prompt', name: 'test_prompt_with_arguments' }, argument: { name: 'arg1', value: 'x' } })).rejects.toThrow(/Nothing to complete/);
  });

  it('reads a plan’s record, decisions and journal by id or encoded name, page by page, and refuses what it does not serve', async () => {
    const mcp = await session();
    const plan = await openPlan(mcp);
    const { resources } = await mcp.client.listResources();
    expect(resources).toEqual([{ uri: `troupe://plans/${plan.id}`, name: 'agent/x', title: 'agent/x (execute · waiting)', description: 'Work', mimeType: 'application/json' }]);
    const text = async (uri: string) => JSON.parse(((await mcp.client.readResource({ uri })).contents[0] as { text: string }).text);
    expect(await text(`troupe://plans/${encodeURIComponent('agent/x')}`)).toMatchObject({ id: plan.id });
    const events = await text(`troupe://plans/${plan.id}/events`);
    expect(events).toMatchObject({ more: false });
    const later = await text(`troupe://plans/${plan.id}/events?afterSeq=${events.events.at(-1).seq - 1}`);
    expect(later.events).toHaveLength(1);
    await expect(mcp.client.readResource({ uri: 'troupe://projects/x' })).rejects.toThrow(/Resource not found: troupe:\/\/projects\/x/);
    await expect(mcp.client.readResource({ uri: `troupe://plans/${plan.id}/decisions?afterSeq=3` })).rejects.toThrow(/Resource not found/);
    await expect(mcp.client.readResource({ uri: 'troupe://plans/agent%2Fnobody' })).rejects.toThrow(/Resource not found: no plan/);
    await mcp.client.unsubscribeResource({ uri: `troupe://plans/${plan.id}` });
    await mcp.client.setLoggingLevel('warning');
  });
});

describe('the backend', () => {
  it('asks the next owner again when the one it asked was shutting down, and reconnects when the owner goes away', async () => {
    let reopened = 0;
    let lose: () => void = () => {};
    const mcp = await session(undefined, {
      access: (runtime) => {
        let refusals = 1;
        // the first owner refuses once, as a host closing down does; the next one is the runtime itself
        const closing = new Proxy(runtime, {
          get(target, key) {
            const value = Reflect.get(target, key, target);
            if (key === 'listPlans' && refusals > 0) {
              refusals -= 1;
              return () => Promise.reject(new HostRetryError('STORE_LOCKED', 'the troupe host is shutting down'));
            }
            return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
          },
        }) as unknown as Runtime;
        return {
          runtime: async () => closing,
          reopen: async () => {
            reopened += 1;
            return runtime;
          },
          lost: () => new Promise<void>((resolve) => (lose = resolve)),
        };
      },
    });
    expect(textOf(await mcp.call('plan_list', {}))).toBe('no plans');
    expect(reopened).toBe(1);
    lose();
    await expect.poll(() => reopened).toBe(2);
    expect(textOf(await mcp.call('plan_list', {}))).toBe('no plans');
  });
});
