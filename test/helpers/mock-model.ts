import { APICallError } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import type {
  LanguageModelV3CallOptions,
  LanguageModelV3GenerateResult,
  LanguageModelV3StreamPart,
} from '@ai-sdk/provider';

/** What the mock model was called with: the prompt (system, user, assistant and tool messages) and the tools. */
export type MockCall = LanguageModelV3CallOptions;

/** One scripted answer of a mock model: text, tool calls (input as an object, or raw text for a malformed call), or an HTTP failure. */
export type MockTurn =
  | {
      text?: string;
      calls?: { name: string; input: unknown; id?: string }[];
      inputTokens?: number;
      outputTokens?: number;
    }
  | { status: number; message?: string };

/**
 * A mock language model (the AI SDK's `MockLanguageModelV3`) that answers
 * each call with the next scripted turn, non-streamed or streamed, and keeps
 * every call's prompt. A function turn sees the prompt first (a test that
 * waits, or answers from what it was told).
 */
export function scriptedModel(
  turns: (MockTurn | ((options: LanguageModelV3CallOptions) => MockTurn | Promise<MockTurn>))[],
  modelId = 'mock-coder',
) {
  let next = 0;
  const prompts: LanguageModelV3CallOptions[] = [];
  const take = async (options: LanguageModelV3CallOptions): Promise<MockTurn> => {
    prompts.push(options);
    const turn = turns[next++];
    if (turn === undefined) throw new Error(`the mock model has no turn ${next} scripted`);
    return typeof turn === 'function' ? turn(options) : turn;
  };
  const model = new MockLanguageModelV3({
    provider: 'mock',
    modelId,
    doGenerate: async (options) => generated(await take(options), next),
    doStream: async (options) => ({ stream: streamed(generated(await take(options), next)) }),
  });
  return { model, prompts, calls: () => next };
}

function generated(turn: MockTurn, number: number): LanguageModelV3GenerateResult {
  if ('status' in turn) {
    throw new APICallError({
      message: turn.message ?? `HTTP ${turn.status}`,
      url: 'http://mock.invalid/v1',
      requestBodyValues: {},
      statusCode: turn.status,
      isRetryable: turn.status === 429 || turn.status >= 500,
    });
  }
  const calls = turn.calls ?? [];
  return {
    content: [
      ...(turn.text ? [{ type: 'text' as const, text: turn.text }] : []),
      ...calls.map((call, index) => ({
        type: 'tool-call' as const,
        toolCallId: call.id ?? `call-${number}-${index + 1}`,
        toolName: call.name,
        input: typeof call.input === 'string' ? call.input : JSON.stringify(call.input),
      })),
    ],
    finishReason: { unified: calls.length > 0 ? 'tool-calls' : 'stop', raw: undefined },
    usage: {
      inputTokens: { total: turn.inputTokens ?? 100, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
      outputTokens: { total: turn.outputTokens ?? 20, text: undefined, reasoning: undefined },
    },
    warnings: [],
  };
}

function streamed(result: LanguageModelV3GenerateResult): ReadableStream<LanguageModelV3StreamPart> {
  const parts: LanguageModelV3StreamPart[] = [{ type: 'stream-start', warnings: [] }];
  for (const content of result.content) {
    if (content.type === 'text') {
      parts.push({ type: 'text-start', id: 't' });
      // two pieces: a reader sees the text as it comes
      const half = Math.ceil(content.text.length / 2);
      parts.push(
        { type: 'text-delta', id: 't', delta: content.text.slice(0, half) },
        { type: 'text-delta', id: 't', delta: content.text.slice(half) },
      );
      parts.push({ type: 'text-end', id: 't' });
    } else if (content.type === 'tool-call') parts.push(content);
  }
  parts.push({ type: 'finish', finishReason: result.finishReason, usage: result.usage });
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(part);
      controller.close();
    },
  });
}
