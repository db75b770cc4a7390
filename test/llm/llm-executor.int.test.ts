import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scriptedModel, type MockTurn } from '../helpers/mock-model.js';
import { explainedDecisions, planYaml, projectWithRuntime } from '../runtime/fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function project(turns: Parameters<typeof scriptedModel>[0], options: { agent?: Record<string, unknown> } = {}) {
  const mock = scriptedModel(turns);
  const made = await projectWithRuntime(undefined, { models: { languageModels: { 'openai:mock-coder': mock.model }, retryDelayMs: 1 } });
  cleanups.push(made.close);
  const plan = await made.runtime.createPlan(planYaml({ name: 'demo/llm', resourceScopes: ['src/**', 'notes.txt'], agent: { model: 'openai:mock-coder', ...options.agent } }));
  return { ...made, mock, plan };
}


describe('a plan its model drives (mock model)', () => {
  it('writes a file and runs a command as steps with the model’s words as their rationale, then finishes and validates', async () => {
    const turns: MockTurn[] = [
      { text: 'I will write the notes.', calls: [{ name: 'write_file', input: { path: 'notes.txt', content: 'hello\n' } }] },
      { text: 'Now check them.', calls: [{ name: 'run_command', input: { command: 'cat notes.txt' } }] },
      { text: 'Done: notes.txt says hello.' },
    ];
    const { runtime, dir, plan, mock } = await project(turns);
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'validate', status: 'complete', agentDriven: true, error: null });
    expect(readFileSync(join(dir, record.sandbox!.worktree, 'notes.txt'), 'utf8')).toBe('hello\n');
    const all = await explainedDecisions(runtime, plan.id);
    expect(all.filter((decision) => decision.type === 'model_call').map((decision) => [decision.title, decision.rationale, decision.actor])).toEqual([
      ['model call 1: write_file', 'I will write the notes.', 'openai:mock-coder'],
      ['model call 2: run_command', 'Now check them.', 'openai:mock-coder'],
      ['model call 3: done', 'Done: notes.txt says hello.', 'openai:mock-coder'],
    ]);
    expect(all.find((decision) => decision.type === 'step')).toMatchObject({ rationale: 'I will write the notes.', actor: 'openai:mock-coder', payload: { tool: 'fs/write-file', call: 'call-1-1' } });
    // the command changed nothing: a read, not a step
    expect(all.find((decision) => decision.type === 'tool_call')).toMatchObject({ rationale: 'Now check them.', payload: { tool: 'shell/exec', outcome: 'read', call: 'call-2-1' } });
    // the model heard each answer
    const last = JSON.stringify(mock.prompts[2]!.prompt);
    expect(last).toContain('created notes.txt (6 bytes) — step 1, commit');
    expect(last).toContain('exit 0');
    const tree = await runtime.explain(plan.id);
    expect(tree.models).toEqual({ calls: 3, inputTokens: 300, outputTokens: 60, totalTokens: 360, latencyMs: expect.any(Number), models: ['openai:mock-coder'] });
    const journal = await runtime.events(plan.id);
    expect(journal.filter((event) => event.type === 'model.called').map((event) => event.data.tools)).toEqual([['write_file'], ['run_command'], []]);
    expect(journal.filter((event) => event.type === 'model.tool_result').map((event) => event.data.call)).toEqual(['call-1-1', 'call-2-1']);
  });
});
