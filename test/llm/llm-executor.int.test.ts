import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../src/domain/index.js';
import { createRuntime } from '../../src/runtime/index.js';
import { tempRepo } from '../helpers/temp.js';
import { scriptedModel, type MockCall, type MockTurn } from '../helpers/mock-model.js';
import { explainedDecisions, planYaml, projectWithRuntime } from '../runtime/fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function project(turns: Parameters<typeof scriptedModel>[0], options: { agent?: Record<string, unknown> } = {}) {
  const mock = scriptedModel(turns);
  const made = await projectWithRuntime(undefined, {
    models: { languageModels: { 'openai:mock-coder': mock.model }, retryDelayMs: 1 },
  });
  cleanups.push(made.close);
  const plan = await made.runtime.createPlan(
    planYaml({
      name: 'demo/llm',
      resourceScopes: ['src/**', 'notes.txt'],
      agent: { model: 'openai:mock-coder', ...options.agent },
    }),
  );
  return { ...made, mock, plan };
}

describe('a plan its model drives (mock model)', () => {
  it('writes a file and runs a command as steps with the model’s words as their rationale, then finishes and validates', async () => {
    const turns: MockTurn[] = [
      {
        text: 'I will write the notes.',
        calls: [{ name: 'write_file', input: { path: 'notes.txt', content: 'hello\n' } }],
      },
      { text: 'Now check them.', calls: [{ name: 'run_command', input: { command: 'cat notes.txt' } }] },
      { text: 'Done: notes.txt says hello.' },
    ];
    const { runtime, dir, plan, mock } = await project(turns);
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'validate', status: 'complete', agentDriven: true, error: null });
    expect(readFileSync(join(dir, record.sandbox!.worktree, 'notes.txt'), 'utf8')).toBe('hello\n');
    const all = await explainedDecisions(runtime, plan.id);
    expect(
      all
        .filter((decision) => decision.type === 'model_call')
        .map((decision) => [decision.title, decision.rationale, decision.actor]),
    ).toEqual([
      ['model call 1: write_file', 'I will write the notes.', 'openai:mock-coder'],
      ['model call 2: run_command', 'Now check them.', 'openai:mock-coder'],
      ['model call 3: done', 'Done: notes.txt says hello.', 'openai:mock-coder'],
    ]);
    expect(all.find((decision) => decision.type === 'step')).toMatchObject({
      rationale: 'I will write the notes.',
      actor: 'openai:mock-coder',
      payload: { tool: 'fs/write-file', call: 'call-1-1' },
    });
    // the command changed nothing: a read, not a step
    expect(all.find((decision) => decision.type === 'tool_call')).toMatchObject({
      rationale: 'Now check them.',
      payload: { tool: 'shell/exec', outcome: 'read', call: 'call-2-1' },
    });
    // the model heard each answer
    const last = JSON.stringify(mock.prompts[2]!.prompt);
    expect(last).toContain('created notes.txt (6 bytes) — step 1, commit');
    expect(last).toContain('exit 0');
    const tree = await runtime.explain(plan.id);
    expect(tree.models).toEqual({
      calls: 3,
      inputTokens: 300,
      outputTokens: 60,
      totalTokens: 360,
      latencyMs: expect.any(Number),
      models: ['openai:mock-coder'],
    });
    // the record carries the same totals (plan status --json)
    expect((await runtime.getPlan(plan.id)).models).toEqual(tree.models);
    const journal = await runtime.events(plan.id);
    expect(journal.filter((event) => event.type === 'model.called').map((event) => event.data.tools)).toEqual([
      ['write_file'],
      ['run_command'],
      [],
    ]);
    expect(journal.filter((event) => event.type === 'model.tool_result').map((event) => event.data.call)).toEqual([
      'call-1-1',
      'call-2-1',
    ]);
  });

  it('hands a refused call back to the model as its answer — a path outside the sandbox, a write outside the scopes, a malformed call — and goes on', async () => {
    const turns: MockTurn[] = [
      {
        text: 'Try a few things.',
        calls: [
          { name: 'write_file', input: { path: '../outside.txt', content: 'x' } },
          { name: 'write_file', input: { path: 'README.md', content: 'x' } },
          { name: 'write_file', input: '{"path": "notes.txt", "content": ' },
          { name: 'edit_file', input: { path: 'notes.txt' } },
        ],
      },
      { text: 'Write where I may.', calls: [{ name: 'write_file', input: { path: 'notes.txt', content: 'ok\n' } }] },
      { text: 'Done.' },
    ];
    const { runtime, plan, mock } = await project(turns);
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'validate', status: 'complete', lastCompletedStep: 0 });
    const answers = JSON.stringify(mock.prompts[1]!.prompt.at(-1));
    expect(answers).toContain('error[SANDBOX_ESCAPE]');
    expect(answers).toContain('error[SCOPE_VIOLATION]');
    expect(answers).toMatch(/error\[VALIDATION_ERROR\]: tool call: write_file: .*JSON/);
    expect(answers).toContain('error[VALIDATION_ERROR]: edit_file: edits:');
    // what troupe refused is recorded, and nothing of it reached the sandbox
    const refused = (await explainedDecisions(runtime, plan.id)).filter((decision) => decision.type === 'tool_call');
    expect(refused.map((decision) => (decision.payload as { code?: string }).code)).toEqual([
      'SANDBOX_ESCAPE',
      'SCOPE_VIOLATION',
    ]);
  });

  it('fails the plan with MODEL_STEP_LIMIT at maxSteps, open for a correction, which gives the model that many calls more', async () => {
    const write = (content: string): MockTurn => ({
      text: `write ${content}`,
      calls: [{ name: 'write_file', input: { path: 'notes.txt', content } }],
    });
    const { runtime, plan, mock } = await project([write('1'), write('2'), write('3'), { text: 'done' }], {
      agent: { maxSteps: 2 },
    });
    const failed = await runtime.run(plan.id);
    expect(failed).toMatchObject({
      phase: 'execute',
      status: 'failed',
      error: {
        code: 'MODEL_STEP_LIMIT',
        retryable: false,
        hint: expect.stringContaining('troupe plan correct demo/llm'),
      },
    });
    expect(mock.calls()).toBe(2);
    await expect(runtime.runPhase(plan.id, 'execute')).rejects.toMatchObject({ code: 'PHASE_GUARD' });
    const corrected = await runtime.correct(plan.id, {
      mode: 'append',
      steps: [{ title: 'Note it', tool: 'fs/write-file', input: { path: 'src/fix.ts', content: 'export {};\n' } }],
      reason: 'more room',
    });
    expect(corrected.plan).toMatchObject({ phase: 'validate', status: 'complete' });
    expect(mock.calls()).toBe(4);
  });

  it('retries a provider that answers 429 and 500, then fails the plan with MODEL_UNAVAILABLE; run again, it goes on from its conversation', async () => {
    const { runtime, plan, mock } = await project([
      { text: 'first', calls: [{ name: 'write_file', input: { path: 'notes.txt', content: 'a' } }] },
      { status: 429 },
      { status: 500 },
      { status: 503 },
      { status: 500 },
      { text: 'back, and done' },
    ]);
    const failed = await runtime.run(plan.id);
    expect(failed).toMatchObject({
      phase: 'execute',
      status: 'failed',
      lastCompletedStep: 0,
      error: {
        code: 'MODEL_UNAVAILABLE',
        retryable: true,
        message: expect.stringMatching(/openai:mock-coder.*HTTP 500.*after 4 attempts/),
      },
    });
    const done = await runtime.run(plan.id);
    expect(done).toMatchObject({ phase: 'validate', status: 'complete' });
    // the call after the outage saw the whole conversation, the first call's answer included
    expect(JSON.stringify(mock.prompts[5]!.prompt)).toContain('created notes.txt');
    expect(
      (await explainedDecisions(runtime, plan.id))
        .filter((decision) => decision.type === 'model_call')
        .map((decision) => (decision.payload as { attempts: number }).attempts),
    ).toEqual([1, 1]);
  });

  it('streams the model’s text to whoever follows the plan as model.text events, never stored', async () => {
    const { runtime, plan } = await project([
      { text: 'Writing the notes now.', calls: [{ name: 'write_file', input: { path: 'notes.txt', content: 'n' } }] },
      { text: 'All done.' },
    ]);
    const heard: JournalEvent[] = [];
    const stop = runtime.subscribe(plan.id, (event) => heard.push(event));
    await runtime.run(plan.id);
    stop();
    const texts = heard.filter((event) => event.type === 'model.text');
    expect(texts.map((event) => event.data.delta).join('')).toBe('Writing the notes now.All done.');
    expect(texts.every((event) => event.seq === 0 && event.phase === 'execute')).toBe(true);
    expect((await runtime.events(plan.id)).some((event) => event.type === 'model.text')).toBe(false);
  });

  it('stops asking its model when the plan is cancelled mid-call', async () => {
    let called!: () => void;
    const asked = new Promise<void>((resolve) => (called = resolve));
    const { runtime, plan } = await project([() => (called(), new Promise<MockTurn>(() => {}))]);
    const running = runtime.run(plan.id);
    await asked;
    const cancelled = await runtime.cancel(plan.id);
    expect(cancelled.status).toBe('cancelled');
    expect((await running).status).toBe('cancelled');
  });

  it('resumes its conversation in a new runtime after the old one stopped mid-call, running nothing recorded again', async () => {
    const repo = await tempRepo({ 'README.md': '# project\n' });
    cleanups.push(repo.cleanup);
    let called!: () => void;
    const asked = new Promise<void>((resolve) => (called = resolve));
    const first = scriptedModel([
      {
        text: 'Write it.',
        calls: [
          { name: 'write_file', input: { path: 'notes.txt', content: 'once\n' } },
          { name: 'run_command', input: { command: 'echo ran >> log.txt' } },
        ],
      },
      () => (called(), new Promise<MockTurn>(() => {})),
    ]);
    const before = await createRuntime({
      dir: repo.dir,
      report: () => {},
      models: { languageModels: { 'openai:mock-coder': first.model } },
    });
    const plan = await before.createPlan(planYaml({ name: 'demo/resume', agent: { model: 'openai:mock-coder' } }));
    const running = before.run(plan.id);
    await asked;
    await before.close();
    await running.catch(() => undefined);

    const second = scriptedModel([{ text: 'Both ran; done.' }]);
    const after = await createRuntime({
      dir: repo.dir,
      report: () => {},
      models: { languageModels: { 'openai:mock-coder': second.model } },
    });
    try {
      const done = await after.run(plan.id);
      // the call the stopped runtime never got an answer to cost nothing; the count goes on from the stored record
      expect(done).toMatchObject({ phase: 'validate', status: 'complete', lastCompletedStep: 1, models: { calls: 2 } });
      expect(readFileSync(join(repo.dir, done.sandbox!.worktree, 'log.txt'), 'utf8')).toBe('ran\n');
      // the new model call got the whole conversation back, both answers included
      const prompt = second.prompts[0]!.prompt;
      expect(prompt.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'tool']);
      expect(JSON.stringify(prompt[3])).toContain('created notes.txt');
      expect(JSON.stringify(prompt[3])).toContain('step 2');
      const steps = (await explainedDecisions(after, plan.id)).filter((decision) => decision.type === 'step');
      expect(steps.map((decision) => decision.title)).toEqual([
        'fs/write-file notes.txt',
        'shell/exec echo ran >> log.txt',
      ]);
    } finally {
      await after.close();
    }
  });
});

// a project whose mock model answers each plan by its name and how far its conversation got (parents and children talk at once)
async function routedProject(script: Record<string, MockTurn[]>, calls: number) {
  const router = scriptedModel(
    Array.from({ length: calls }, () => (options: MockCall) => {
      const opening = JSON.stringify(options.prompt.find((message) => message.role === 'user'));
      const name = Object.keys(script)
        .sort((a, b) => b.length - a.length)
        .find((plan) => opening.includes(`Plan: ${plan}\\n`))!;
      return script[name]![options.prompt.filter((message) => message.role === 'assistant').length]!;
    }),
  );
  const made = await projectWithRuntime(undefined, {
    models: { languageModels: { 'openai:mock-coder': router.model } },
  });
  cleanups.push(made.close);
  return { router, made };
}

describe('child plans of a model-driven plan', () => {
  it('are driven by the same model, each from its own goal, and merged back when the parent waits for them', async () => {
    const script: Record<string, MockTurn[]> = {
      'demo/fan': [
        {
          text: 'Split it.',
          calls: [
            {
              name: 'subplan_spawn',
              input: {
                children: [
                  { goal: 'Write a', resourceScopes: ['a.txt'] },
                  { goal: 'Write b', resourceScopes: ['b.txt'] },
                ],
              },
            },
          ],
        },
        { text: 'Wait for them.', calls: [{ name: 'subplan_wait', input: {} }] },
        { text: 'Both merged.' },
      ],
      'demo/fan-1': [
        { text: 'a', calls: [{ name: 'write_file', input: { path: 'a.txt', content: 'a\n' } }] },
        { text: 'a done' },
      ],
      'demo/fan-2': [
        { text: 'b', calls: [{ name: 'write_file', input: { path: 'b.txt', content: 'b\n' } }] },
        { text: 'b done' },
      ],
    };
    const { router, made } = await routedProject(script, 7);
    const plan = await made.runtime.createPlan(planYaml({ name: 'demo/fan', agent: { model: 'openai:mock-coder' } }));
    const record = await made.runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'validate', status: 'complete' });
    const worktree = join(made.dir, record.sandbox!.worktree);
    expect([readFileSync(join(worktree, 'a.txt'), 'utf8'), readFileSync(join(worktree, 'b.txt'), 'utf8')]).toEqual([
      'a\n',
      'b\n',
    ]);
    expect(router.calls()).toBe(7);
    const children = Object.values(record.subplanStatuses).map((status) => [status.name, status.status]);
    expect(children.sort()).toEqual([
      ['demo/fan-1', 'complete'],
      ['demo/fan-2', 'complete'],
    ]);
  });

  it('are proposed by the model as a subplans step when it strategizes, and each is driven by the model from its entry’s goal', async () => {
    const proposal = {
      rationale: 'one child per file',
      steps: [
        {
          title: 'Split',
          subplans: {
            mode: 'parallel',
            entries: [{ name: 'demo/split-a', goal: 'Write a', resourceScopes: ['a.txt'] }],
          },
        },
      ],
    };
    const script: Record<string, MockTurn[]> = {
      'demo/split': [{ text: 'Propose.', calls: [{ name: 'propose_strategy', input: proposal }] }],
      'demo/split-a': [
        { text: 'a', calls: [{ name: 'write_file', input: { path: 'a.txt', content: 'a\n' } }] },
        { text: 'a done' },
      ],
    };
    const { router, made } = await routedProject(script, 3);
    const plan = await made.runtime.createPlan(
      planYaml({
        name: 'demo/split',
        agent: { model: 'openai:mock-coder', strategize: true, temperature: 0.2, system: 'Prefer small children.' },
      }),
    );
    const record = await made.runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'validate', status: 'complete', agentDriven: false });
    expect(readFileSync(join(made.dir, record.sandbox!.worktree, 'a.txt'), 'utf8')).toBe('a\n');
    const decisions = await explainedDecisions(made.runtime, plan.id);
    expect(decisions.map((decision) => decision.type)).toEqual(
      expect.arrayContaining(['strategy', 'model_call', 'step', 'subplan_parallel_spawn']),
    );
    // the plan file's temperature and instructions went to the model
    expect(router.prompts[0]!.temperature).toBe(0.2);
    expect(JSON.stringify(router.prompts[0]!.prompt[0])).toContain('Prefer small children.');
    // the child inherits the model, not the strategizing
    expect((await made.runtime.getPlan('demo/split-a')).agentDriven).toBe(true);
  });
});
