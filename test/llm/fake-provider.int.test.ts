import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { JournalEvent } from '../../src/domain/index.js';
import { startFakeOpenAI, type FakeTurn } from '../helpers/fake-openai.js';
import { explainedDecisions, planYaml, projectWithRuntime } from '../runtime/fixtures.js';

// Through the real @ai-sdk/openai-compatible provider, against a fake chat completions server on 127.0.0.1.

const KEY = 'sk-troupe-test-7f3a9c1e5b2d4f6a8c0e';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(
  turns: Parameters<typeof startFakeOpenAI>[0],
  agent: Record<string, unknown> = {},
  plan: Record<string, unknown> = {},
) {
  vi.stubEnv('TROUPE_TEST_LLM_API_KEY', KEY);
  const fake = await startFakeOpenAI(turns);
  cleanups.push(fake.close);
  const made = await projectWithRuntime(undefined, { models: { retryDelayMs: 1 } });
  cleanups.push(made.close);
  const spec = planYaml({
    name: 'demo/fake',
    resourceScopes: ['notes.txt', 'src/**'],
    agent: { model: 'openai-compatible:fake-coder', baseURL: fake.url, apiKeyEnv: 'TROUPE_TEST_LLM_API_KEY', ...agent },
    ...plan,
  });
  return { ...made, fake, plan: await made.runtime.createPlan(spec) };
}

// every file under dir, as bytes, that holds `needle`
function filesHolding(dir: string, needle: string): string[] {
  const found: string[] = [];
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (readFileSync(path).includes(needle)) found.push(path);
    }
  };
  walk(dir);
  return found;
}

describe('a model on an OpenAI-compatible server drives a plan', () => {
  it('writes a file and runs a command, sends the key only in its header, and never stores it or gives it to a command', async () => {
    const { runtime, dir, fake, plan } = await setUp([
      { text: 'Writing the notes.', calls: [{ name: 'write_file', input: { path: 'notes.txt', content: 'hello\n' } }] },
      { text: 'What does a command see?', calls: [{ name: 'run_command', input: { command: 'env; cat notes.txt' } }] },
      { text: 'Done.' },
    ]);
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'validate', status: 'complete', error: null });
    expect(fake.requests).toHaveLength(3);
    expect(
      fake.requests.every(
        (request) => request.headers.authorization === `Bearer ${KEY}` && request.body.stream !== true,
      ),
    ).toBe(true);
    expect(fake.requests[0]!.body.tools!.map((tool) => tool.function.name)).toEqual(
      expect.arrayContaining([
        'read_file',
        'write_file',
        'edit_file',
        'search_files',
        'run_command',
        'subplan_spawn',
        'checkpoint_create',
      ]),
    );
    // the command ran and its output went back to the model, without the key
    const answer = JSON.stringify(fake.requests[2]!.body.messages.at(-1));
    expect(answer).toContain('hello');
    expect(answer).toContain('PATH=');
    expect(JSON.stringify(fake.requests.map((request) => request.body))).not.toContain(KEY);
    // nothing troupe keeps holds it: store, journal, decisions, logs, sandbox
    const decisions = await explainedDecisions(runtime, plan.id);
    const logs = await runtime.logs(plan.id);
    expect(
      JSON.stringify([decisions, await runtime.events(plan.id), logs, await runtime.getPlan(plan.id)]),
    ).not.toContain(KEY);
    expect(logs.some((log) => log.stdout.text.includes('PATH='))).toBe(true);
    expect(filesHolding(join(dir, '.troupe'), KEY)).toEqual([]);
    expect(decisions.filter((decision) => decision.type === 'model_call').map((decision) => decision.payload)).toEqual([
      expect.objectContaining({
        model: 'openai-compatible:fake-coder',
        inputTokens: 50,
        outputTokens: 10,
        totalTokens: 60,
        attempts: 1,
        finishReason: 'tool-calls',
      }),
      expect.objectContaining({ toolCalls: [expect.objectContaining({ name: 'run_command' })] }),
      expect.objectContaining({ toolCalls: [], finishReason: 'stop' }),
    ]);
  });

  it('streams when the plan is followed: the text arrives as model.text events, tool calls whole', async () => {
    const { runtime, fake, plan } = await setUp([
      {
        text: 'Streaming the notes.',
        calls: [{ name: 'write_file', input: { path: 'notes.txt', content: 'streamed\n' } }],
      },
      { text: 'Finished.' },
    ]);
    const heard: JournalEvent[] = [];
    const stop = runtime.subscribe(plan.id, (event) => heard.push(event));
    const record = await runtime.run(plan.id);
    stop();
    expect(record).toMatchObject({ phase: 'validate', status: 'complete', lastCompletedStep: 0 });
    expect(fake.requests.every((request) => request.body.stream === true)).toBe(true);
    const deltas = heard.filter((event) => event.type === 'model.text').map((event) => event.data.delta);
    expect(deltas.length).toBeGreaterThanOrEqual(4);
    expect(deltas.join('')).toBe('Streaming the notes.Finished.');
    expect(heard.filter((event) => event.type === 'model.called').map((event) => event.data.tools)).toEqual([
      ['write_file'],
      [],
    ]);
  });

  it('tries a 429 and a 500 again, then gives up with MODEL_UNAVAILABLE, failing execute for a later run', async () => {
    const busy: FakeTurn[] = [{ status: 429, retryAfter: '0' }, { status: 500 }, { status: 500 }, { status: 500 }];
    const { runtime, fake, plan } = await setUp([
      { status: 429, retryAfter: '0' },
      { status: 500 },
      { text: 'Up again.', calls: [{ name: 'list_files', input: {} }] },
      ...busy,
    ]);
    const failed = await runtime.run(plan.id);
    expect(fake.requests).toHaveLength(7);
    expect(failed).toMatchObject({
      phase: 'execute',
      status: 'failed',
      error: { code: 'MODEL_UNAVAILABLE', retryable: true, details: { status: 500, attempts: 4 } },
    });
    expect(failed.error!.message).toContain('openai-compatible:fake-coder');
  });

  it('tries a server that does not answer at all again, then says it cannot connect', async () => {
    const { runtime, fake, plan } = await setUp([]);
    await fake.close();
    const failed = await runtime.run(plan.id);
    expect(failed).toMatchObject({
      phase: 'execute',
      status: 'failed',
      error: { code: 'MODEL_UNAVAILABLE', retryable: true, details: { status: null, attempts: 4 } },
    });
    expect(failed.error!.message).toMatch(/Cannot connect to API/);
  });

  it('lets the model strategize: its proposal is checked like a plan file’s, refused ones go back to it, and a manual plan stops for review', async () => {
    const good = [
      { title: 'Write the notes', tool: 'fs/write-file', input: { path: 'notes.txt', content: 'planned\n' } },
    ];
    const { runtime, dir, fake, plan } = await setUp(
      [
        { text: 'Look first.', calls: [{ name: 'read_file', input: { path: 'README.md' } }] },
        {
          text: 'Propose.',
          calls: [
            {
              name: 'propose_strategy',
              input: {
                rationale: 'one file',
                steps: [{ title: 'Outside', tool: 'fs/write-file', input: { path: 'README.md', content: 'x' } }],
              },
            },
          ],
        },
        {
          text: 'Fixed.',
          calls: [{ name: 'propose_strategy', input: { rationale: 'the notes are all it takes', steps: good } }],
        },
      ],
      { strategize: true },
      { automation: 'manual' },
    );
    const strategized = await runtime.run(plan.id);
    expect(strategized).toMatchObject({ phase: 'strategize', status: 'complete', agentDriven: false });
    expect(JSON.stringify(fake.requests[1]!.body.messages.at(-1))).toContain('# project');
    expect(JSON.stringify(fake.requests[2]!.body.messages.at(-1))).toContain("outside the plan's resourceScopes");
    const tree = await runtime.explain(plan.id);
    expect(tree.root).toMatchObject({ type: 'strategy', rationale: 'the notes are all it takes', actor: 'llm' });
    const decisions = await explainedDecisions(runtime, plan.id);
    expect(decisions.filter((decision) => decision.type === 'model_call').map((decision) => decision.title)).toEqual([
      'strategy call 1: read_file',
      'strategy call 2: propose_strategy',
      'strategy call 3: propose_strategy',
    ]);
    expect(decisions.filter((decision) => decision.type === 'step').map((decision) => decision.title)).toEqual([
      'Write the notes',
    ]);
    expect(
      (await runtime.events(plan.id)).filter((event) => event.type === 'model.called').map((event) => event.phase),
    ).toEqual(['strategize', 'strategize', 'strategize']);
    const executed = await runtime.run(plan.id);
    expect(executed).toMatchObject({ phase: 'execute', status: 'complete' });
    expect(readFileSync(join(dir, executed.sandbox!.worktree, 'notes.txt'), 'utf8')).toBe('planned\n');
    expect(fake.requests).toHaveLength(3);
  });

  it('records a strategist’s calls even when strategize fails: a model that never proposes stops at maxSteps', async () => {
    const { runtime, fake, plan } = await setUp([{ text: 'Thinking.' }, { text: 'Still thinking.' }], {
      strategize: true,
      maxSteps: 2,
    });
    const failed = await runtime.run(plan.id);
    expect(failed).toMatchObject({
      phase: 'strategize',
      status: 'failed',
      error: { code: 'MODEL_STEP_LIMIT' },
      models: { calls: 2 },
    });
    // it was asked, after an answer with no call, to propose
    expect(JSON.stringify(fake.requests[1]!.body.messages.at(-1))).toContain('Call it now');
    expect((await runtime.explain(plan.id)).models).toMatchObject({ calls: 2, inputTokens: 100 });
  });
});
