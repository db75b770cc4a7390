import { describe, expect, it } from 'vitest';
import { agentSchema, type ModelRequest } from '../../src/domain/index.js';
import { createModels, keyOf } from '../../src/models/index.js';
import { scriptedModel } from '../helpers/mock-model.js';

const agent = agentSchema.parse({ model: 'anthropic:mock-coder' });
const request: ModelRequest = {
  system: 'You change code.',
  messages: [
    { role: 'user', text: 'Goal: write a.txt' },
    {
      role: 'assistant',
      text: 'writing',
      toolCalls: [{ id: 'c1', name: 'write_file', input: { path: 'a.txt', content: 'a' } }],
    },
    { role: 'tool', results: [{ id: 'c1', name: 'write_file', text: 'error[SANDBOX_ESCAPE]: no', isError: true }] },
  ],
  tools: [
    {
      name: 'write_file',
      description: 'Write a file',
      inputSchema: { type: 'object', properties: { path: { type: 'string' } } },
    },
  ],
};

describe('the model port (AI SDK)', () => {
  it('answers a call with the text, the tool calls, the tokens and the attempts, and hands the model the whole conversation', async () => {
    const { model, prompts } = scriptedModel([
      {
        text: 'next',
        calls: [{ name: 'write_file', input: { path: 'b.txt', content: 'b' } }],
        inputTokens: 12,
        outputTokens: 3,
      },
    ]);
    const turn = await createModels({ languageModels: { [agent.model]: model } }).call(request, { agent });
    expect(turn).toMatchObject({
      model: 'anthropic:mock-coder',
      text: 'next',
      toolCalls: [{ id: 'call-1-1', name: 'write_file', input: { path: 'b.txt', content: 'b' } }],
      usage: { inputTokens: 12, outputTokens: 3, totalTokens: 15 },
      attempts: 1,
      finishReason: 'tool-calls',
    });
    expect(turn.latencyMs).toBeGreaterThanOrEqual(0);
    const prompt = prompts[0]!.prompt;
    expect(prompt.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(prompt[3]).toMatchObject({
      content: [
        { type: 'tool-result', toolCallId: 'c1', output: { type: 'error-text', value: 'error[SANDBOX_ESCAPE]: no' } },
      ],
    });
    expect(prompts[0]!.tools).toMatchObject([
      { type: 'function', name: 'write_file', inputSchema: { type: 'object' } },
    ]);
  });

  it('streams the text to onText piece by piece, with the same answer', async () => {
    const { model } = scriptedModel([{ text: 'hello there', calls: [] }]);
    const pieces: string[] = [];
    const turn = await createModels({ languageModels: { [agent.model]: model } }).call(request, {
      agent,
      onText: (delta) => pieces.push(delta),
    });
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe('hello there');
    expect(turn).toMatchObject({ text: 'hello there', toolCalls: [], finishReason: 'stop' });
  });

  it('marks a malformed tool call invalid with the reason, rather than failing the call', async () => {
    const { model } = scriptedModel([
      {
        calls: [
          { name: 'write_file', input: '{"path": "a.txt", "content": ' },
          { name: 'launch_rockets', input: {} },
        ],
      },
    ]);
    const turn = await createModels({ languageModels: { [agent.model]: model } }).call(request, { agent });
    expect(turn.toolCalls).toEqual([
      expect.objectContaining({ name: 'write_file', invalid: expect.stringMatching(/JSON|parse/i) }),
      expect.objectContaining({ name: 'launch_rockets', invalid: expect.stringContaining('launch_rockets') }),
    ]);
  });

  it.each([
    ['streamed', true],
    ['not streamed', false],
  ])('tries a 429 and a 500 again with backoff, then answers (%s)', async (_, stream) => {
    const { model, calls } = scriptedModel([{ status: 429 }, { status: 500 }, { text: 'at last' }]);
    const turn = await createModels({ languageModels: { [agent.model]: model }, retryDelayMs: 1 }).call(request, {
      agent,
      ...(stream ? { onText: () => {} } : {}),
    });
    expect(turn).toMatchObject({ text: 'at last', attempts: 3 });
    expect(calls()).toBe(3);
  });

  it('gives up after its retries with MODEL_UNAVAILABLE naming the model, the status and the attempts', async () => {
    const { model, calls } = scriptedModel([{ status: 503 }, { status: 503 }, { status: 503 }]);
    const failing = createModels({ languageModels: { [agent.model]: model }, retries: 2, retryDelayMs: 1 }).call(
      request,
      { agent },
    );
    await expect(failing).rejects.toMatchObject({
      code: 'MODEL_UNAVAILABLE',
      message: expect.stringMatching(/anthropic:mock-coder.*HTTP 503.*after 3 attempts/),
      details: { status: 503, attempts: 3 },
    });
    expect(calls()).toBe(3);
  });

  it('does not try a refused key again, and says to check it', async () => {
    const { model, calls } = scriptedModel([{ status: 401, message: 'invalid x-api-key' }]);
    await expect(
      createModels({ languageModels: { [agent.model]: model }, retryDelayMs: 1 }).call(request, { agent }),
    ).rejects.toMatchObject({ code: 'MODEL_UNAVAILABLE', hint: expect.stringContaining('apiKeyEnv') });
    expect(calls()).toBe(1);
  });

  it('stops waiting between attempts when the call is cancelled', async () => {
    const { model } = scriptedModel([{ status: 429 }, { text: 'never' }]);
    const abort = new AbortController();
    const call = createModels({ languageModels: { [agent.model]: model }, retryDelayMs: 60_000 }).call(request, {
      agent,
      signal: abort.signal,
    });
    setTimeout(() => abort.abort(), 20);
    await expect(call).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('reads the key from the variable apiKeyEnv names, or the provider’s own, and names the variable when it is missing', () => {
    expect(keyOf({ model: 'anthropic:x' }, { ANTHROPIC_API_KEY: 'sk-1' })).toBe('sk-1');
    expect(keyOf({ model: 'openai:x', apiKeyEnv: 'MY_KEY' }, { MY_KEY: 'sk-2', OPENAI_API_KEY: 'other' })).toBe('sk-2');
    // a local server needs none
    expect(keyOf({ model: 'openai-compatible:qwen' }, {})).toBeNull();
    expect(() => keyOf({ model: 'openai:gpt-4.1' }, { OPENAI_API_KEY: ' ' })).toThrow(
      expect.objectContaining({ code: 'MODEL_UNAVAILABLE', message: expect.stringContaining('OPENAI_API_KEY') }),
    );
    expect(() => createModels({ env: {} }).checkKey({ model: 'anthropic:x', apiKeyEnv: 'TEAM_KEY' })).toThrow(
      expect.objectContaining({ message: expect.stringContaining('TEAM_KEY (agent.apiKeyEnv)') }),
    );
  });
});
