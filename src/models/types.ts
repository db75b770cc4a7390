import type { AgentSettings, ModelRequest, ModelTurn } from '../domain/index.js';

/**
 * An AI SDK language model (a `LanguageModelV3`: what `createAnthropic()(id)`,
 * `createOpenAICompatible(…)(id)` or `ai/test`'s `MockLanguageModelV3`
 * make), as troupe's API takes it without naming the SDK's types — so a
 * program that never passes one needs none of them to typecheck.
 *
 * @example
 * const model: LanguageModelLike = new MockLanguageModelV3({ doGenerate });
 */
export interface LanguageModelLike {
  readonly specificationVersion: string;
  readonly provider: string;
  readonly modelId: string;
}

/**
 * How one model call runs: the plan's agent settings, a cancel signal, and where its text goes as it comes.
 *
 * @example
 * const options: ModelCallOptions = { agent: agentSchema.parse({ model: 'openai:gpt-4.1' }), onText: (delta) => process.stdout.write(delta) };
 */
export interface ModelCallOptions {
  agent: AgentSettings;
  signal?: AbortSignal;
  /** Called with each piece of the model's text as it arrives; given, the call streams (the answer is the same). */
  onText?: (delta: string) => void;
  /**
   * The plan's commands share the host's network (`network: true`, or the
   * sandbox off), so a server on the loopback may be theirs: the key goes
   * to a loopback `baseURL` only when its origin is listed (default false).
   */
  sharedLoopback?: boolean;
}

/**
 * The model port: one call of a plan's model, whatever its
 * provider — retried on a 429, a 5xx or a lost connection with backoff,
 * then `MODEL_UNAVAILABLE`. It keeps no conversation: every call gets the
 * whole of it, which is what lets a plan resume after a crash from what it
 * recorded.
 *
 * @example
 * const turn = await models.call({ system, messages, tools }, { agent: spec.agent!, signal });
 * for (const call of turn.toolCalls) console.log(call.name, call.input);
 */
export interface ModelPort {
  call(request: ModelRequest, options: ModelCallOptions): Promise<ModelTurn>;
  /**
   * Whether the agent's key may be used as its plan file says: a
   * `VALIDATION_ERROR` naming `agent.baseURL` when the key would go to an
   * origin the user did not allow (docs/how-to/agents.md#keys), `MODEL_UNAVAILABLE`
   * naming the environment variable when the key is needed and not set.
   */
  checkKey(
    agent: Pick<AgentSettings, 'model' | 'apiKeyEnv' | 'baseURL'>,
    options?: Pick<ModelCallOptions, 'sharedLoopback'>,
  ): void;
}

/**
 * How `createRuntime` reaches models (docs/reference/embedding.md#models): language
 * models of your own by the `model` a plan names (a test's mock, a provider
 * troupe does not ship), and how a failing call is retried.
 *
 * @example
 * import { MockLanguageModelV3 } from 'ai/test';
 * const runtime = await createRuntime({ dir, models: { languageModels: { 'openai:gpt-4.1': new MockLanguageModelV3({ doGenerate }) }, retryDelayMs: 1 } });
 */
export interface ModelOptions {
  /** AI SDK language models by model reference (`anthropic:claude-sonnet-4-5`): used instead of the provider troupe would build, with no key needed. */
  languageModels?: Record<string, LanguageModelLike>;
  /** Times a call that failed with 408, 409, 429, a 5xx or a lost connection is tried again (default 3). */
  retries?: number;
  /** The wait before the first retry, doubled before each next one, at most 60 s; a `retry-after` the provider sends wins when longer (default 2000). */
  retryDelayMs?: number;
  /** Where keys, `TROUPE_MODEL_ENDPOINTS` and the providers' `*_BASE_URL` are read from (default: troupe's own process environment). */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * Origins (`https://gateway.internal`) a plan's key may be sent to besides
   * its provider's own endpoint and the loopback, with those of
   * `TROUPE_MODEL_ENDPOINTS`; `createRuntime` adds the project config's
   * `models.endpoints` (docs/how-to/agents.md#keys).
   */
  endpoints?: readonly string[];
}
