import type { LanguageModel, ToolSet } from 'ai';
import {
  TroupeError,
  parseModelRef,
  type AgentSettings,
  type ModelRequest,
  type ModelToolCall,
  type ModelTurn,
  type TokenUsage,
} from '../domain/index.js';
import { callFailure, modelUnavailable } from './model-errors.js';
import { allowedOrigins, endpointOf, keyOf, keyedFetch, refuseKeyDestination } from './model-keys.js';
import { toModelMessages } from './model-messages.js';
import type { ModelCallOptions, ModelOptions, ModelPort } from './types.js';

const DEFAULT_RETRIES = 3;
const DEFAULT_RETRY_DELAY_MS = 2_000;
const MAX_RETRY_DELAY_MS = 60_000;

/**
 * The model port on the AI SDK (v6, which runs on Node 20 like troupe;
 * docs/how-to/agents.md#why-the-ai-sdk): `anthropic:`, `openai:` and
 * `openai-compatible:` models through their provider packages, or the
 * language models the embedder gave by name. The SDK and the providers are
 * loaded on the first call, so commands that call no model never pay for
 * them. The SDK's own retries are off: troupe retries with a backoff it
 * can shorten in tests, and says `MODEL_UNAVAILABLE` when it gives up.
 *
 * @example
 * const models = createModels({ retries: 2 });
 * const turn = await models.call({ system: 'You change code.', messages: [{ role: 'user', text: 'Say hi' }], tools: [] }, { agent });
 */
export function createModels(options: ModelOptions = {}): ModelPort {
  const env = options.env ?? process.env;
  const retries = options.retries ?? DEFAULT_RETRIES;
  const baseDelay = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
  // read when a model is first needed: a bad list stops what calls models, not every command
  let origins: string[] | null = null;
  const destinations = (sharedLoopback: boolean | undefined) => ({
    origins: (origins ??= allowedOrigins(options.endpoints ?? [], env)),
    sharedLoopback: sharedLoopback === true,
  });
  return {
    checkKey(agent, checkOptions = {}) {
      if (options.languageModels?.[agent.model] !== undefined) return;
      refuseKeyDestination(agent, destinations(checkOptions.sharedLoopback), 'VALIDATION_ERROR');
      keyOf(agent, env);
    },
    async call(request, callOptions) {
      const { agent, signal } = callOptions;
      const given = options.languageModels?.[agent.model];
      // checked again as the call is made: the settings may have changed since the plan was created, or it runs elsewhere
      if (given === undefined)
        refuseKeyDestination(agent, destinations(callOptions.sharedLoopback), 'MODEL_UNAVAILABLE');
      const key = given === undefined ? keyOf(agent, env) : null;
      // the embedder's model is the SDK's own type; troupe's API only names its shape
      const model =
        given === undefined ? await providerModel(agent, key, endpointOf(agent, env)) : (given as LanguageModel);
      const secrets = key === null ? [] : [key];
      for (let attempt = 1; ; attempt += 1) {
        const started = performance.now();
        try {
          // a provider that does not heed the signal still lets the call go when it is cancelled
          const answer = await untilAborted(callOnce(model, request, callOptions), signal);
          return {
            ...answer,
            model: agent.model,
            latencyMs: Math.round(performance.now() - started),
            attempts: attempt,
          };
        } catch (error) {
          if (signal?.aborted) throw cancelled(agent.model);
          if (error instanceof TroupeError) throw error;
          const failure = callFailure(error);
          if (!failure.retry || attempt > retries) throw modelUnavailable(agent.model, failure, attempt, secrets);
          const backoff = Math.min(
            MAX_RETRY_DELAY_MS,
            Math.max(baseDelay * 2 ** (attempt - 1), failure.retryAfterMs ?? 0),
          );
          await pause(backoff, signal, agent.model);
        }
      }
    },
  };
}

type Answer = Omit<ModelTurn, 'model' | 'latencyMs' | 'attempts'>;

// one request to the model: streamed when someone reads the text as it comes
async function callOnce(
  model: LanguageModel,
  request: ModelRequest,
  { agent, signal, onText }: ModelCallOptions,
): Promise<Answer> {
  const { generateText, streamText, jsonSchema } = await import('ai');
  const tools: ToolSet = Object.fromEntries(
    request.tools.map((tool) => [
      tool.name,
      { description: tool.description, inputSchema: jsonSchema(tool.inputSchema) },
    ]),
  );
  const settings = {
    model,
    system: request.system,
    messages: toModelMessages(request.messages),
    ...(request.tools.length > 0 ? { tools } : {}),
    maxRetries: 0,
    ...(signal ? { abortSignal: signal } : {}),
    ...(agent.temperature === undefined ? {} : { temperature: agent.temperature }),
  };
  if (!onText) {
    const result = await generateText(settings);
    return answerOf(result.text, result.toolCalls, result.usage, result.finishReason);
  }
  const result = streamText({ ...settings, onError: () => {} });
  let failed: { error: unknown } | null = null;
  for await (const part of result.fullStream) {
    if (part.type === 'text-delta') onText(part.text);
    else if (part.type === 'error') failed ??= { error: part.error };
  }
  if (failed) throw failed.error;
  const [text, toolCalls, usage, finishReason] = await Promise.all([
    result.text,
    result.toolCalls,
    result.usage,
    result.finishReason,
  ]);
  return answerOf(text, toolCalls, usage, finishReason);
}

interface SdkToolCall {
  toolCallId: string;
  toolName: string;
  input: unknown;
  invalid?: boolean;
  error?: unknown;
}

function answerOf(
  text: string,
  toolCalls: readonly SdkToolCall[],
  usage: { inputTokens?: number | undefined; outputTokens?: number | undefined; totalTokens?: number | undefined },
  finishReason: string,
): Answer {
  const tokens: TokenUsage = {
    inputTokens: usage.inputTokens ?? 0,
    outputTokens: usage.outputTokens ?? 0,
    totalTokens: usage.totalTokens ?? (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0),
  };
  const calls: ModelToolCall[] = toolCalls.map((call) => ({
    id: call.toolCallId,
    name: call.toolName,
    input: call.input,
    // not JSON, or a tool nobody offered: the model hears why, nothing runs
    ...(call.invalid
      ? { invalid: call.error instanceof Error ? call.error.message : String(call.error ?? 'malformed tool call') }
      : {}),
  }));
  return { text, toolCalls: calls, usage: tokens, finishReason };
}

// the provider's model for `<provider>:<model id>` at `baseURL`, its package loaded now; a key goes to that origin only
async function providerModel(agent: AgentSettings, key: string | null, baseURL: string): Promise<LanguageModel> {
  const ref = parseModelRef(agent.model);
  if (!ref) throw new TroupeError('VALIDATION_ERROR', `agent.model: "${agent.model}" is not <provider>:<model id>`);
  const reach = { baseURL, ...(key === null ? {} : { apiKey: key, fetch: keyedFetch(new URL(baseURL).origin) }) };
  if (ref.provider === 'anthropic') return (await import('@ai-sdk/anthropic')).createAnthropic(reach)(ref.modelId);
  if (ref.provider === 'openai') return (await import('@ai-sdk/openai')).createOpenAI(reach)(ref.modelId);
  const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
  return createOpenAICompatible({ name: 'openai-compatible', ...reach, includeUsage: true })(ref.modelId);
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const aborted = () => reject(signal.reason);
    if (signal.aborted) aborted();
    signal.addEventListener('abort', aborted, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', aborted));
  });
}

function pause(ms: number, signal: AbortSignal | undefined, model: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', aborted);
      resolve();
    }, ms);
    const aborted = () => {
      clearTimeout(timer);
      reject(cancelled(model));
    };
    signal?.addEventListener('abort', aborted, { once: true });
  });
}

function cancelled(model: string): TroupeError {
  return new TroupeError('CANCELLED', `the call of the model ${model} was cancelled`);
}
