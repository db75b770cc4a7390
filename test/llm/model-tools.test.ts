import { describe, expect, it } from 'vitest';
import {
  MODEL_RESULT_CHARS,
  boundedResult,
  parsePlanFile,
  planBrief,
  type PlanRecord,
  type TieredInvariant,
} from '../../src/domain/index.js';
import { callFailure } from '../../src/models/model-errors.js';
import type { ModelToolHost } from '../../src/runtime/llm/model-tools.js';
import { modelTools } from '../../src/runtime/llm/model-tools.js';

// The model's tools and words, without a runtime: what each answers the model (issue 40).

const plan = { id: 'P', name: 'demo/x', phase: 'execute', status: 'waiting', error: null } as unknown as PlanRecord;
const asked: unknown[] = [];
const host: ModelToolHost = {
  agents: {
    callTool: async (ref, call) => (
      asked.push(call),
      {
        ok: false,
        planId: ref,
        tool: call.tool,
        error: { code: 'SCOPE_VIOLATION', message: 'README.md is outside', hint: 'write under src/' },
        step: null,
        plan,
      }
    ),
    spawnSubplans: async () => ({
      planId: 'P',
      step: 2,
      children: [{ id: 'C1', name: 'demo/x-1', goal: 'a', status: 'running' }],
      overlap: null,
    }),
    waitSubplans: async (_, options) =>
      options?.timeoutMs === 0
        ? {
            done: false,
            plan,
            children: [{ id: 'C1', name: 'demo/x-1', status: 'running', attempt: 1 }],
            conflicts: [],
          }
        : {
            done: true,
            plan,
            children: [{ id: 'C1', name: 'demo/x-1', status: 'complete', attempt: 1 }],
            conflicts: [{ file: 'a.txt', child: 'C1', childName: 'demo/x-1', kind: 'content', hunks: [] } as never],
          },
  },
  createCheckpoint: async (_, label) => ({ id: 'K1', label }),
};
const tools = modelTools(host, 'P', 'openai:x');
const run = (name: string, input: unknown, extra: { invalid?: string } = {}) =>
  tools.run({ id: 'c', name, input, ...extra }, 'because');

describe('the tools of a plan’s model', () => {
  it('offers the MCP sandbox tools without plan or rationale, and the plan’s own', () => {
    expect(tools.specs.map((spec) => spec.name)).toEqual([
      'read_file',
      'list_files',
      'search_files',
      'write_file',
      'edit_file',
      'apply_patch',
      'delete_file',
      'run_command',
      'subplan_spawn',
      'subplan_wait',
      'checkpoint_create',
    ]);
    const write = tools.specs.find((spec) => spec.name === 'write_file')!.inputSchema as {
      properties: Record<string, unknown>;
      type: string;
    };
    expect(write.type).toBe('object');
    expect(Object.keys(write.properties)).toEqual(['path', 'content']);
  });

  it('answers a refused call with the error and its hint, passing the call’s id and the model’s words on', async () => {
    expect(await run('write_file', { path: 'README.md', content: '' })).toEqual({
      id: 'c',
      name: 'write_file',
      text: 'error[SCOPE_VIOLATION]: README.md is outside\nhint: write under src/',
      isError: true,
    });
    expect(asked.at(-1)).toMatchObject({ tool: 'fs/write-file', callId: 'c', rationale: 'because', actor: 'openai:x' });
  });

  it('answers bad input, a malformed call and an unknown tool with VALIDATION_ERROR naming what is wrong', async () => {
    expect((await run('write_file', { path: 'a' })).text).toMatch(/^error\[VALIDATION_ERROR\]: write_file: content: /);
    expect((await run('write_file', '{', { invalid: 'JSON parsing failed' })).text).toMatch(
      /^error\[VALIDATION_ERROR\]: tool call: write_file: JSON parsing failed/,
    );
    expect((await run('launch', {})).text).toMatch(/unknown tool "launch" \(tools: read_file, .*checkpoint_create\)/);
  });

  it('spawns children, waits on them, and takes a checkpoint', async () => {
    expect((await run('subplan_spawn', { children: [{ goal: 'a', resourceScopes: ['a.txt'] }] })).text).toMatch(
      /^step 3 spawned 1 child plan\(s\), each driven by this model[\s\S]*demo\/x-1 \(C1\): running — a/,
    );
    expect((await run('subplan_wait', { timeoutMs: 0 })).text).toBe(
      'still running: call subplan_wait again\n  demo/x-1: running',
    );
    expect((await run('subplan_wait', {})).text).toMatch(
      /^the merge has conflicts: the user settles them[\s\S]*conflict: a.txt \(from C1\)/,
    );
    expect(await run('checkpoint_create', { label: 'before' })).toMatchObject({
      text: 'checkpoint K1 "before" taken',
      isError: false,
    });
  });

  it('cuts an answer longer than a model should read, saying how to read less', () => {
    expect(boundedResult('short')).toBe('short');
    const cut = boundedResult('x'.repeat(MODEL_RESULT_CHARS + 10));
    expect(cut.length).toBeLessThan(MODEL_RESULT_CHARS + 200);
    expect(cut).toMatch(/\[cut: 10 more characters — read a smaller part/);
  });
});

describe('what the model is told of its plan', () => {
  it('names the goal, where it may write, the invariants, validate and a child’s parent', () => {
    const spec = parsePlanFile({
      name: 'demo/x',
      goal: 'Fix it',
      definitionOfDone: 'tests pass',
      resourceScopes: ['src/**'],
      validate: [{ run: 'npm test' }],
    });
    const invariants: TieredInvariant[] = [
      { id: 'tests', check: 'command', run: 'npm test', tier: 'plan', description: 'the suite passes' },
      { id: 'licence', check: 'file-exists', path: 'LICENSE', tier: 'project' },
      { id: 'scoped', check: 'paths-within', tier: 'plan' },
    ];
    const brief = planBrief(spec, invariants, {
      parent: { name: 'demo/p', goal: 'Big fix', decisions: [{ type: 'step', title: 'Split' }] },
      files: ['a', 'b'],
      totalFiles: 5,
    });
    expect(brief.split('\n')).toEqual([
      'Plan: demo/x',
      'Goal: Fix it',
      'Definition of done: tests pass',
      'It may write only files matching: src/** (resourceScopes; a write elsewhere is refused).',
      'troupe checks these invariants after every step; a step that breaks one fails the plan:',
      '- tests (command: npm test): the suite passes',
      '- licence (file-exists: LICENSE)',
      '- scoped (paths-within)',
      'When you are done, validate runs: npm test',
      'It is a child plan of demo/p, whose goal is: Big fix',
      'Its parent decided: Split',
      'Files of the project (the first 2 of 5):',
      'a',
      'b',
    ]);
    expect(planBrief(parsePlanFile({ name: 'demo/y', goal: 'g', resourceScopes: [] }), [], { files: [] })).toBe(
      'Plan: demo/y\nGoal: g\nIt may not write any file (resourceScopes is empty).\nThe project has no files yet.',
    );
  });
});

describe('how long a provider asked to wait', () => {
  it('reads retry-after-ms, retry-after in seconds or as a date, and nothing else', () => {
    const failure = (headers: Record<string, string>) =>
      callFailure({ statusCode: 429, isRetryable: true, responseHeaders: headers, message: 'slow down' });
    expect(failure({ 'retry-after-ms': '1500' })).toEqual({
      retry: true,
      status: 429,
      retryAfterMs: 1500,
      message: 'slow down',
    });
    expect(failure({ 'retry-after': '2' }).retryAfterMs).toBe(2000);
    expect(failure({ 'retry-after': new Date(Date.now() + 60_000).toUTCString() }).retryAfterMs).toBeGreaterThan(
      50_000,
    );
    expect(failure({ 'retry-after': 'soon' }).retryAfterMs).toBeNull();
    expect(callFailure(new Error('fetch failed'))).toEqual({
      retry: false,
      status: null,
      retryAfterMs: null,
      message: 'fetch failed',
    });
  });
});
