// The `agent` block of a plan file: the model that drives the plan
// (`<provider>:<model id>`), where it is reached, how far it may go, and the
// environment variable its key is read from. The key itself is never here.
import { z } from 'zod';
import { controlCharacterProblem } from './control-characters.js';

/**
 * The providers troupe reaches a model through (docs/how-to/agents.md#providers).
 *
 * @example
 * MODEL_PROVIDERS.includes('openai-compatible'); // true: Ollama, vLLM and other OpenAI-compatible servers
 */
export const MODEL_PROVIDERS = ['anthropic', 'openai', 'openai-compatible'] as const;
export type ModelProvider = (typeof MODEL_PROVIDERS)[number];

/** The variable a provider's key is read from unless `apiKeyEnv` names another; none for a local OpenAI-compatible server. */
export const DEFAULT_KEY_VARIABLES: Record<ModelProvider, string | null> = {
  anthropic: 'ANTHROPIC_API_KEY',
  openai: 'OPENAI_API_KEY',
  'openai-compatible': null,
};

/** How many model calls a plan's agent may make unless `maxSteps` says otherwise. */
export const DEFAULT_MAX_STEPS = 30;

/**
 * A model reference split in two: `anthropic:claude-sonnet-4-5` is
 * `{provider: 'anthropic', modelId: 'claude-sonnet-4-5'}`; null when the
 * text is not `<known provider>:<model id>` ({@link modelRefProblem} says why).
 *
 * @example
 * parseModelRef('openai-compatible:qwen2.5-coder:7b'); // { provider: 'openai-compatible', modelId: 'qwen2.5-coder:7b' }
 */
export function parseModelRef(ref: string): { provider: ModelProvider; modelId: string } | null {
  const colon = ref.indexOf(':');
  if (colon <= 0) return null;
  const provider = ref.slice(0, colon);
  const modelId = ref.slice(colon + 1);
  if (!(MODEL_PROVIDERS as readonly string[]).includes(provider) || modelId.trim() === '') return null;
  return { provider: provider as ModelProvider, modelId };
}

/** What is wrong with a `model` value, or null when it names a known provider and a model id. */
export function modelRefProblem(ref: string): string | null {
  const colon = ref.indexOf(':');
  if (colon <= 0)
    return `must be <provider>:<model id>, e.g. anthropic:claude-sonnet-4-5 (providers: ${MODEL_PROVIDERS.join(', ')})`;
  const provider = ref.slice(0, colon);
  if (!(MODEL_PROVIDERS as readonly string[]).includes(provider))
    return `unknown provider "${provider}" (providers: ${MODEL_PROVIDERS.join(', ')})`;
  if (ref.slice(colon + 1).trim() === '') return `names no model after "${provider}:"`;
  if (/[\u0000-\u001f\u007f]/.test(ref)) return 'must not contain control characters';
  return null;
}

/** What is wrong with a `baseURL` value, or null for an http(s) URL without credentials, query or fragment. */
export function baseUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an http(s) URL such as http://127.0.0.1:11434/v1';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `must be an http(s) URL (got ${url.protocol.slice(0, -1)}:)`;
  // a key in the URL would be stored with the plan file: keys come from apiKeyEnv only
  if (url.username !== '' || url.password !== '')
    return 'must not hold credentials: the key is read from the environment variable apiKeyEnv names';
  // troupe appends the provider's path (/chat/completions…): a query or a fragment would choose another one
  if (value.includes('?') || value.includes('#'))
    return 'must not have a query or a fragment: the provider’s path (/chat/completions, /messages…) is appended to it';
  return null;
}

/**
 * What `apiKeyEnv` may name: a variable that holds an API key, by the
 * providers' convention. A plan file is hostile input: it must not be able
 * to have troupe send `AWS_SECRET_ACCESS_KEY` or `GITHUB_TOKEN` to a model
 * (docs/how-to/agents.md#keys).
 *
 * @example
 * API_KEY_VARIABLE.test('GROQ_API_KEY'); // true
 * API_KEY_VARIABLE.test('AWS_SECRET_ACCESS_KEY'); // false
 */
export const API_KEY_VARIABLE = /^[A-Z][A-Z0-9_]*_API_KEY$/;

const envVariable = z.string().regex(API_KEY_VARIABLE, {
  error:
    'must name an API key variable: upper-case letters, digits and _, ending in _API_KEY (ANTHROPIC_API_KEY, OPENAI_API_KEY, GROQ_API_KEY, OPENROUTER_API_KEY…)',
});

/**
 * `agent:` of a plan file: the model that drives an agent-driven plan (and,
 * with `strategize: true`, decides its strategy). Every field is checked
 * before anything is written; the key is read from the environment of
 * troupe's own process, from `apiKeyEnv` (default: the provider's usual
 * variable).
 *
 * @example
 * const agent = agentSchema.parse({ model: 'anthropic:claude-sonnet-4-5', maxSteps: 20 });
 * agent.strategize; // false
 */
export const agentSchema = z
  .strictObject({
    model: z
      .string()
      .max(200, { error: 'must be at most 200 characters' })
      .superRefine((value, ctx) => {
        const problem = modelRefProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    baseURL: z
      .string()
      .max(2048, { error: 'must be at most 2048 characters' })
      .superRefine((value, ctx) => {
        const problem = baseUrlProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    maxSteps: z
      .number()
      .int({ error: 'must be a whole number of model calls between 1 and 1000' })
      .min(1, { error: 'must be between 1 and 1000' })
      .max(1000, { error: 'must be between 1 and 1000' })
      .default(DEFAULT_MAX_STEPS),
    temperature: z
      .number()
      .min(0, { error: 'must be between 0 and 2' })
      .max(2, { error: 'must be between 0 and 2' })
      .optional(),
    system: z
      .string()
      .max(20_000, { error: 'must be at most 20000 characters' })
      .superRefine((value, ctx) => {
        const problem = controlCharacterProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    apiKeyEnv: envVariable.optional(),
    strategize: z.boolean({ error: 'must be true or false' }).default(false),
  })
  .superRefine((agent, ctx) => {
    if (agent.model.startsWith('openai-compatible:') && agent.baseURL === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['baseURL'],
        message:
          'an openai-compatible model needs the server’s URL, e.g. http://127.0.0.1:11434/v1 (Ollama) or http://127.0.0.1:8000/v1 (vLLM)',
      });
    }
  });

/**
 * A plan's agent block as validated, defaults filled in.
 *
 * @example
 * const agent: AgentSettings = agentSchema.parse({ model: 'openai:gpt-4.1' });
 * agent.maxSteps; // 30
 */
export type AgentSettings = z.output<typeof agentSchema>;

/** The environment variable a plan's model key is read from, or null when the model needs none (a local server). */
export function apiKeyVariable(agent: Pick<AgentSettings, 'model' | 'apiKeyEnv'>): string | null {
  if (agent.apiKeyEnv !== undefined) return agent.apiKeyEnv;
  const parsed = parseModelRef(agent.model);
  return parsed ? DEFAULT_KEY_VARIABLES[parsed.provider] : null;
}
