import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { parsePlanFile, parsePlanText, planFileSchema, type PlanRecord } from '../../src/domain/index.js';
import { callEveryTool, EVERY_TOOL_FILES } from './every-tool.js';
import { inProcessMcp, type InProcessMcp } from './in-process.js';

// What `tools/list` promises of each tool — its outputSchema, plan_create's
// spec as the plan file's own schema, its annotations — held against what
// the tools do (issue 35).

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function session(files?: Record<string, string>): Promise<InProcessMcp> {
  const mcp = await inProcessMcp(files);
  cleanups.push(mcp.close);
  return mcp;
}

// what a client compiles a tool's schema with: the SDK's own validator
const validator = new AjvJsonSchemaValidator();
const valid = (schema: unknown, value: unknown) =>
  validator.getValidator(schema as Record<string, unknown>)(value).valid;

// every hint of every tool: readOnly, destructive, idempotent, openWorld
const ANNOTATIONS: Record<string, [boolean, boolean, boolean, boolean]> = {
  plan_create: [false, false, false, true],
  plan_list: [true, false, true, false],
  plan_status: [true, false, true, false],
  plan_explain: [true, false, true, false],
  plan_changes: [true, false, true, false],
  plan_run: [false, false, false, true],
  plan_finish: [false, false, false, true],
  plan_apply: [false, true, false, false],
  plan_cancel: [false, true, true, false],
  plan_update: [false, true, true, false],
  plan_tree: [true, false, true, false],
  plan_logs: [true, false, true, false],
  read_file: [true, false, true, false],
  list_files: [true, false, true, false],
  search_files: [true, false, true, false],
  write_file: [false, true, true, true],
  edit_file: [false, true, false, true],
  apply_patch: [false, true, false, true],
  delete_file: [false, true, true, true],
  run_command: [false, true, false, true],
  call_tool: [false, true, false, true],
  service_start: [false, true, false, true],
  service_stop: [false, true, false, true],
  service_list: [true, false, true, false],
  service_logs: [true, false, true, false],
  subplan_spawn: [false, false, false, true],
  subplan_wait: [true, false, true, false],
  checkpoint_create: [false, false, false, false],
  checkpoint_list: [true, false, true, false],
  plan_rollback: [false, true, false, false],
  plan_conflicts: [true, false, true, false],
  plan_resolve: [false, true, false, true],
};

// a plan file with every field the plan file has, each kind of invariant and both kinds of step
const EVERY_FEATURE = {
  name: 'team/everything',
  goal: 'Use every field',
  definitionOfDone: 'Every field is read',
  automation: 'auto',
  resourceScopes: ['src/**', 'docs/*.md'],
  reconciliation: true,
  maxReversions: 5,
  invariants: [
    { id: 'Tests', description: 'the tests pass', check: 'command', run: 'npm test', timeoutMs: 300_000 },
    { id: 'readme', check: 'file-exists', path: 'README.md' },
    { id: 'no-tmp', check: 'file-absent', path: 'tmp.txt' },
    { id: 'scope', check: 'paths-within' },
    { id: 'merged', check: 'no-conflicts' },
    { id: 'lint', check: 'acme/lint-clean', maxWarnings: 0 },
  ],
  validate: [{ run: 'npm test', timeoutMs: 600_000 }],
  env: { CI: '1', NODE_ENV: 'test' },
  network: true,
  sandbox: { limits: { processes: 256, memoryMB: 2048, fileSizeMB: 100 } },
  strategy: {
    steps: [
      { title: 'Write', tool: 'fs/write-file', input: { path: 'src/a.ts', content: 'a\n' } },
      {
        title: 'Split',
        subplans: {
          mode: 'dependency-ordered',
          maxParallel: 2,
          mergeStrategy: 'three-way',
          failurePolicy: 'continue',
          retries: 1,
          timeoutMs: 60_000,
          contextView: 'full',
          overlap: 'serialize',
          entries: [
            {
              name: 'team/parser',
              goal: 'Parse',
              definitionOfDone: 'It parses',
              resourceScopes: ['src/parser/**'],
              invariants: [{ id: 'p', check: 'paths-within' }],
              validate: [{ run: 'true' }],
            },
            {
              name: 'team/docs',
              goal: 'Document',
              project: 'docs-site',
              dependsOn: ['team/parser'],
              strategy: {
                steps: [{ title: 'Docs', tool: 'fs/write-file', input: { path: 'docs/a.md', content: 'a\n' } }],
              },
            },
          ],
        },
      },
    ],
  },
};

describe('typed results', () => {
  it('lists an outputSchema for every tool that its results must meet: not any object, and an error result too', async () => {
    const mcp = await session();
    const { tools } = await mcp.client.listTools();
    for (const tool of tools) {
      expect(tool.outputSchema, tool.name).toMatchObject({ type: 'object' });
      expect(valid(tool.outputSchema, {}), tool.name).toBe(false);
      expect(
        valid(tool.outputSchema, {
          error: { code: 'NOT_FOUND', message: 'no plan matches "x"', hint: 'plan_list lists them' },
        }),
        tool.name,
      ).toBe(true);
      expect(valid(tool.outputSchema, { error: { code: 'NO_SUCH_CODE', message: 'x' } }), tool.name).toBe(false);
    }
  });

  it('answers every tool in structured content its outputSchema allows, as the SDK client checks it', async () => {
    const mcp = await session(EVERY_TOOL_FILES);
    const { tools } = await mcp.client.listTools();
    expect([...(await callEveryTool(mcp.call))].sort()).toEqual(tools.map((tool) => tool.name).sort());
  });

  it('lists plan_create’s spec as the plan file’s own schema, generated from the domain’s', async () => {
    const mcp = await session();
    const { tools } = await mcp.client.listTools();
    const create = tools.find((tool) => tool.name === 'plan_create')!;
    const spec = create.inputSchema.properties!['spec'] as {
      anyOf: { properties?: Record<string, unknown>; type: string }[];
    };
    expect(Object.keys(spec.anyOf[0]!.properties!)).toEqual(Object.keys(planFileSchema.shape));
    expect(spec.anyOf[1]).toMatchObject({ type: 'string' });
    // a plan file with every feature is one, for the domain and for the listed schema
    expect(() => parsePlanFile(EVERY_FEATURE)).not.toThrow();
    expect(valid(create.inputSchema, { spec: EVERY_FEATURE })).toBe(true);
    for (const example of [
      'quickstart',
      'parallel-subplans',
      'rollback',
      'merge-conflict',
      'multi-project',
      'overlapping-children',
    ]) {
      const file = parsePlanText(
        readFileSync(join(import.meta.dirname, '../../examples', example, 'plan.yaml'), 'utf8'),
      );
      expect(valid(create.inputSchema, { spec: file }), example).toBe(true);
    }
    expect(valid(create.inputSchema, { spec: 'name: demo/x\ngoal: From text\n' })).toBe(true);
    // what the plan file refuses, the schema refuses too
    expect(valid(create.inputSchema, { spec: { ...EVERY_FEATURE, stategy: {} } })).toBe(false);
    expect(valid(create.inputSchema, { spec: { name: 'demo/x' } })).toBe(false);
    expect(
      valid(create.inputSchema, {
        spec: { name: 'demo/x', goal: 'g', invariants: [{ id: 'x', check: 'file-exists' }] },
      }),
    ).toBe(false);
    expect(valid(create.inputSchema, { spec: { name: 'demo/x', goal: 'g', env: { 'NOT A NAME': 'x' } } })).toBe(false);
  });

  it('states all four annotations of every tool, true to what it does', async () => {
    const mcp = await session();
    const { tools } = await mcp.client.listTools();
    const listed = Object.fromEntries(
      tools.map((tool) => {
        const { readOnlyHint, destructiveHint, idempotentHint, openWorldHint } = tool.annotations ?? {};
        return [tool.name, [readOnlyHint, destructiveHint, idempotentHint, openWorldHint]];
      }),
    );
    expect(listed).toEqual(ANNOTATIONS);
  });

  it('runs the plan’s command checks on create, after a write, in a spawned child and once the last conflict is settled: each reaches as far as a command', async () => {
    const mcp = await session({ 'README.md': '# project\n', 'shared.txt': 'one\ntwo\nthree\n' });
    const invariants = [{ id: 'probe', check: 'command', run: 'echo probed' }];
    const checks = async (plan: string) =>
      (await mcp.ok<{ logs: { kind: string; command: string }[] }>('plan_logs', { plan, limit: 500 })).logs.filter(
        (log) => log.kind === 'check' && log.command === 'echo probed',
      ).length;
    const { plan } = await mcp.ok<{ plan: PlanRecord }>('plan_create', {
      spec: { name: 'agent/checked', goal: 'Write', invariants },
    });
    expect(await checks(plan.id)).toBe(1);
    await mcp.ok('write_file', { plan: plan.id, path: 'a.txt', content: 'a\n' });
    expect(await checks(plan.id)).toBe(2);
    const { children } = await mcp.ok<{ children: { id: string }[] }>('subplan_spawn', {
      plan: plan.id,
      children: [{ goal: 'Left' }, { goal: 'Right' }],
    });
    expect(await checks(children[0]!.id)).toBe(1);
    for (const [child, word] of [
      [children[0]!, 'LEFT'],
      [children[1]!, 'RIGHT'],
    ] as const) {
      await mcp.ok('write_file', { plan: child.id, path: 'shared.txt', content: `one\n${word}\nthree\n` });
      await mcp.ok('plan_finish', { plan: child.id });
    }
    await mcp.ok('subplan_wait', { plan: plan.id });
    const beforeResolve = await checks(plan.id);
    await mcp.ok('plan_resolve', { plan: plan.id, file: 'shared.txt', side: 'ours' });
    expect(await checks(plan.id)).toBe(beforeResolve + 1);
    // a rollback puts the plan back: it checks nothing
    await mcp.ok('checkpoint_create', { plan: plan.id, label: 'before-b' });
    await mcp.ok('write_file', { plan: plan.id, path: 'b.txt', content: 'b\n' });
    const beforeRollback = await checks(plan.id);
    await mcp.ok('plan_rollback', { plan: plan.id, to: 'before-b', confirm: true });
    expect(await checks(plan.id)).toBe(beforeRollback);
  });
});
