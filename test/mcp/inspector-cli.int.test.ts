import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GIT_ENV, tempRepo } from '../helpers/temp.js';
import { TROUPE } from './mcp-client.js';

// @modelcontextprotocol/inspector-cli, a client nobody here wrote, against `troupe mcp` over stdio.

const ROOT = join(import.meta.dirname, '../..');
const INSPECTOR = join(ROOT, 'node_modules/@modelcontextprotocol/inspector-cli/build/index.js');

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// one inspector run: the server command, the method and its options, then (after --) the command's arguments
function inspect(dir: string, options: string[]): { status: number | null; json: unknown; output: string } {
  // it reads its own package.json as ../package.json of its working directory: any folder one level into this repository
  const [command, ...args] = TROUPE;
  const run = spawnSync(process.execPath, [INSPECTOR, command, ...options, '--', ...args, '-C', dir, 'mcp'], {
    cwd: join(ROOT, 'test'),
    env: GIT_ENV,
    encoding: 'utf8',
    timeout: 120_000,
  });
  let json: unknown = null;
  try {
    json = JSON.parse(run.stdout);
  } catch {
    // left null: the assertion prints the output
  }
  return { status: run.status, json, output: `${run.stdout}\n${run.stderr}` };
}

describe('the MCP inspector CLI', () => {
  it('lists troupe’s tools, creates an agent-driven plan, writes in it and reads the plan back as a resource', async () => {
    const repo = await tempRepo({ 'README.md': '# project\n' });
    cleanups.push(repo.cleanup);

    const listed = inspect(repo.dir, ['--method', 'tools/list']);
    expect(listed.status, listed.output).toBe(0);
    const tools = (listed.json as { tools: { name: string; inputSchema: { properties: Record<string, unknown> } }[] })
      .tools;
    expect(tools.map((tool) => tool.name)).toEqual(
      expect.arrayContaining(['plan_create', 'write_file', 'run_command', 'plan_rollback', 'plan_resolve']),
    );
    expect(Object.keys(tools.find((tool) => tool.name === 'run_command')!.inputSchema.properties)).toEqual([
      'plan',
      'command',
      'timeoutMs',
      'rationale',
    ]);

    const spec = JSON.stringify({ name: 'agent/inspected', goal: 'Seen by the inspector', resourceScopes: ['**'] });
    const created = inspect(repo.dir, [
      '--method',
      'tools/call',
      '--tool-name',
      'plan_create',
      '--tool-arg',
      `spec=${spec}`,
    ]);
    expect(created.status, created.output).toBe(0);
    expect(created.json).toMatchObject({
      structuredContent: { plan: { name: 'agent/inspected', phase: 'execute', status: 'waiting' } },
    });
    const planId = (created.json as { structuredContent: { plan: { id: string } } }).structuredContent.plan.id;

    // each inspector run is a new troupe mcp process: the plan lives on in the store
    const ran = inspect(repo.dir, [
      '--method',
      'tools/call',
      '--tool-name',
      'run_command',
      '--tool-arg',
      'plan=agent/inspected',
      '--tool-arg',
      'command=echo hello > hello.txt; cat hello.txt',
    ]);
    expect(ran.status, ran.output).toBe(0);
    expect(ran.json).toMatchObject({ structuredContent: { exitCode: 0, stdout: 'hello\n', step: 1, wrote: true } });
    const refused = inspect(repo.dir, [
      '--method',
      'tools/call',
      '--tool-name',
      'write_file',
      '--tool-arg',
      'plan=agent/inspected',
      '--tool-arg',
      'path=../escape.txt',
      '--tool-arg',
      'content=x',
    ]);
    expect(refused.status, refused.output).toBe(0);
    expect(refused.json).toMatchObject({ isError: true, structuredContent: { error: { code: 'SANDBOX_ESCAPE' } } });

    const read = inspect(repo.dir, ['--method', 'resources/read', '--uri', `troupe://plans/${planId}`]);
    expect(read.status, read.output).toBe(0);
    const record = JSON.parse((read.json as { contents: { text: string }[] }).contents[0]!.text);
    expect(record).toMatchObject({ id: planId, lastCompletedStep: 0, toolCalls: 1 });
    const prompts = inspect(repo.dir, ['--method', 'prompts/list']);
    expect((prompts.json as { prompts: { name: string }[] }).prompts.map((prompt) => prompt.name)).toEqual([
      'work_in_plan',
      'review_plan',
    ]);
  });
});
