import { expect } from 'vitest';
import type { PlanRecord } from '../../src/domain/index.js';
import { textOf, type ToolAnswer } from './mcp-client.js';

/** The files of the project {@link callEveryTool} works in. */
export const EVERY_TOOL_FILES = {
  'README.md': '# project\n',
  'src/a.ts': 'export const a = 1;\n',
  'shared.txt': 'one\ntwo\nthree\n',
};

/** A tool call through some client: its result, an error result included. */
export type CallTool = (name: string, args: Record<string, unknown>) => Promise<ToolAnswer>;

/**
 * One agent session that calls every tool of `troupe mcp` at least once and
 * each call succeeds, through `call` (an SDK client that listed the tools, so
 * it checks each result's structured content against the tool's
 * outputSchema and throws on a mismatch). On the way it checks what an agent
 * reads of a step, a child plan and the plan list (issue 35). Answers the
 * tools called.
 */
export async function callEveryTool(call: CallTool): Promise<Set<string>> {
  const called = new Set<string>();
  const ok = async <T = Record<string, unknown>>(name: string, args: Record<string, unknown>): Promise<T> => {
    const result = await call(name, args);
    if (result.isError) throw new Error(`${name} answered an error: ${textOf(result)}`);
    called.add(name);
    return result.structuredContent as T;
  };

  const { plan } = await ok<{ plan: PlanRecord }>('plan_create', {
    spec: {
      name: 'agent/every',
      goal: 'Call every tool',
      resourceScopes: ['src/**', 'shared.txt'],
      validate: [{ run: 'true' }],
    },
  });
  await ok('plan_status', { plan: plan.id });
  await ok('read_file', { plan: plan.id, path: 'src/a.ts' });
  await ok('list_files', { plan: plan.id, glob: 'src/**' });
  await ok('search_files', { plan: plan.id, pattern: 'const a' });
  await ok('write_file', { plan: plan.id, path: 'src/b.ts', content: 'export const b = 1;\n' });
  await ok('edit_file', { plan: plan.id, path: 'src/b.ts', edits: [{ oldText: 'b = 1', newText: 'b = 2' }] });
  const patched = await ok<{ files: unknown[]; step: number }>('apply_patch', {
    plan: plan.id,
    patch: '--- a/src/b.ts\n+++ b/src/b.ts\n@@ -1 +1 @@\n-export const b = 2;\n+export const b = 3;\n',
  });
  expect(patched.files).toEqual([{ path: 'src/b.ts', action: 'modified', hunks: 1 }]);
  const ran = await ok<{ step: number }>('run_command', { plan: plan.id, command: 'echo ran-it > src/ran.txt' });
  // the step a call answers is the step plan_logs takes: that same command's log
  const logs = await ok<{ logs: { step: number; command: string }[] }>('plan_logs', { plan: plan.id, step: ran.step });
  expect(logs.logs).toMatchObject([{ step: ran.step, command: 'echo ran-it > src/ran.txt' }]);
  // and a command that changed nothing is a read, found by its own number
  const looked = await ok<{ kind: string; read: number }>('run_command', { plan: plan.id, command: 'cat src/ran.txt' });
  expect(looked).toMatchObject({ kind: 'read', step: null });
  expect(await ok('plan_logs', { plan: plan.id, read: looked.read })).toMatchObject({
    logs: [{ kind: 'read', read: looked.read, command: 'cat src/ran.txt' }],
  });
  await ok('call_tool', { plan: plan.id, tool: 'fs/read-file', input: { path: 'src/b.ts' } });
  // a background service that the plan's commands reach on 127.0.0.1 (issue 35 item 4)
  const listen = `exec node -e 'require("net").createServer(c=>c.end("pong")).listen(18890,"127.0.0.1",()=>console.log("listening on 18890"))'`;
  const started = await ok<{ service: { status: string } }>('service_start', {
    plan: plan.id,
    name: 'web',
    command: listen,
    readyPort: 18890,
  });
  expect(started.service.status).toBe('running');
  const pinged = await ok<{ stdout: string }>('run_command', {
    plan: plan.id,
    command: `node -e 'require("net").connect(18890,"127.0.0.1").on("data",d=>process.stdout.write(d))'`,
  });
  expect(pinged.stdout).toBe('pong');
  expect((await ok<{ services: { name: string }[] }>('service_list', { plan: plan.id })).services).toMatchObject([
    { name: 'web' },
  ]);
  expect((await ok<{ text: string }>('service_logs', { plan: plan.id, name: 'web', lines: 5 })).text).toContain(
    'listening on 18890',
  );
  expect(
    (await ok<{ service: { status: string } }>('service_stop', { plan: plan.id, name: 'web' })).service.status,
  ).toBe('stopped');
  await ok('checkpoint_create', { plan: plan.id, label: 'before-c' });
  await ok('write_file', { plan: plan.id, path: 'src/c.ts', content: 'c\n' });
  await ok('checkpoint_list', { plan: plan.id });
  await ok('plan_rollback', { plan: plan.id, to: 'before-c' });
  await ok('plan_rollback', { plan: plan.id, to: 'before-c', confirm: true });
  await ok('delete_file', { plan: plan.id, path: 'src/b.ts' });

  // two children that conflict; a child's finish points at its parent's subplan_wait
  const spawned = await ok<{ step: number; children: { id: string }[] }>('subplan_spawn', {
    plan: plan.id,
    children: [{ goal: 'Left', resourceScopes: ['shared.txt'] }, { goal: 'Right' }],
  });
  expect(spawned.step).toBeGreaterThanOrEqual(1);
  for (const [child, word] of [
    [spawned.children[0]!, 'LEFT'],
    [spawned.children[1]!, 'RIGHT'],
  ] as const) {
    await ok('write_file', { plan: child.id, path: 'shared.txt', content: `one\n${word}\nthree\n` });
    const finished = await call('plan_finish', { plan: child.id });
    expect(textOf(finished)).toContain('subplan_wait on its parent agent/every');
    expect(textOf(finished)).not.toContain('plan_apply brings');
  }
  await ok('subplan_wait', { plan: plan.id });
  await ok('plan_conflicts', { plan: plan.id });
  await ok('plan_tree', { plan: plan.id });
  // each plan's line counts its own conflicts, not its place in the list
  await ok('plan_create', { spec: { name: 'agent/later', goal: 'Be listed after' } });
  const listed = textOf(await call('plan_list', {}));
  called.add('plan_list');
  expect(listed.split('\n').filter((line) => line.includes('conflict'))).toEqual([
    expect.stringMatching(/^agent\/every \(\w+\): execute · waiting — 1 merge conflict waits/),
  ]);
  await ok('plan_resolve', { plan: plan.id, file: 'shared.txt', side: 'theirs' });
  await ok('plan_changes', { plan: plan.id, patch: true });
  await ok('plan_explain', { plan: plan.id });
  await ok('plan_finish', { plan: plan.id });
  await ok('plan_apply', { plan: plan.id });

  // a parent without scopes may write anything, and so may its children that name none
  const { plan: free } = await ok<{ plan: PlanRecord }>('plan_create', {
    spec: { name: 'agent/free', goal: 'Anywhere' },
  });
  const [anywhere] = (
    await ok<{ children: { id: string }[] }>('subplan_spawn', { plan: free.id, children: [{ goal: 'Anywhere too' }] })
  ).children;
  await ok('write_file', { plan: anywhere!.id, path: 'docs/free.md', content: 'free\n' });
  await ok('plan_cancel', { plan: free.id });

  const scriptedYaml =
    'name: demo/scripted\ngoal: Write a file\nstrategy:\n  steps:\n    - title: Write\n      tool: fs/write-file\n      input: { path: w.txt, content: "w\\n" }\n';
  const { plan: scripted } = await ok<{ plan: PlanRecord }>('plan_create', { spec: scriptedYaml });
  await ok('plan_run', { plan: scripted.id, until: 'execute' });
  // a live plan goes on with its edited file: its checks may change, nothing else
  expect(
    await ok('plan_update', { plan: scripted.id, spec: `${scriptedYaml}validate: [{ run: "test -f w.txt" }]\n` }),
  ).toMatchObject({ changed: ['validate'], decisionId: expect.any(String) });
  return called;
}
