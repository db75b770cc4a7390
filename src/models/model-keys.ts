import {
  MODEL_ENDPOINTS_VARIABLE,
  PROVIDER_BASE_URL_VARIABLES,
  PROVIDER_ENDPOINTS,
  TroupeError,
  ValidationError,
  apiKeyVariable,
  baseUrlProblem,
  keyDestinationProblem,
  parseEndpointList,
  parseModelRef,
  type AgentSettings,
  type KeyDestinations,
} from '../domain/index.js';

/**
 * The key a plan's model is called with: the value of the variable
 * `agent.apiKeyEnv` names (default: the provider's usual one) in `env`,
 * troupe's own environment; null for a model that needs none (a local
 * OpenAI-compatible server). A key that is needed and not set is
 * `MODEL_UNAVAILABLE` naming the variable. The key is never stored,
 * journaled, or given to a plan's commands (their environment is an
 * allowlist: docs/explanation/sandbox.md).
 *
 * @example
 * keyOf({ model: 'anthropic:claude-sonnet-4-5' }, process.env); // the value of ANTHROPIC_API_KEY, or MODEL_UNAVAILABLE
 */
export function keyOf(
  agent: Pick<AgentSettings, 'model' | 'apiKeyEnv'>,
  env: Readonly<Record<string, string | undefined>>,
): string | null {
  const variable = apiKeyVariable(agent);
  if (variable === null) return null;
  const value = env[variable];
  if (value !== undefined && value.trim() !== '') return value;
  const named =
    agent.apiKeyEnv === undefined
      ? ` (the default for ${agent.model.split(':')[0]}; agent.apiKeyEnv names another)`
      : ' (agent.apiKeyEnv)';
  return missingKey(agent.model, variable, named);
}

function missingKey(model: string, variable: string, named: string): never {
  throw new TroupeError(
    'MODEL_UNAVAILABLE',
    `the model ${model} needs a key in the environment variable ${variable}${named}, which is not set`,
    {
      hint: `set ${variable} in the environment of the troupe process that runs the plan (export ${variable}=…), never in the plan file — docs/how-to/agents.md#keys`,
      details: { model, variable },
    },
  );
}

/**
 * The origins the user allows keys to go to besides the providers' own and
 * the loopback: `given` (the project config's `models.endpoints`, an
 * embedder's `models.endpoints`) and `TROUPE_MODEL_ENDPOINTS` of `env`,
 * each in the URL parser's spelling. An entry that is no origin is a
 * `VALIDATION_ERROR` naming where it came from.
 *
 * @example
 * allowedOrigins(['https://gateway.internal'], { TROUPE_MODEL_ENDPOINTS: 'http://10.0.0.5:8000' }); // ['https://gateway.internal', 'http://10.0.0.5:8000']
 */
export function allowedOrigins(given: readonly string[], env: Readonly<Record<string, string | undefined>>): string[] {
  const listed = parseEndpointList(given.join(','));
  const fromEnv = parseEndpointList(env[MODEL_ENDPOINTS_VARIABLE] ?? '');
  const issues = [
    ...listed.problems.map((message) => ({ path: 'models.endpoints', message })),
    ...fromEnv.problems.map((message) => ({ path: MODEL_ENDPOINTS_VARIABLE, message })),
  ];
  if (issues.length > 0)
    throw new ValidationError(issues, {
      subject: 'model endpoints',
      hint: 'list origins only, e.g. https://gateway.internal — docs/how-to/agents.md#keys',
    });
  return [...listed.origins, ...fromEnv.origins];
}

/**
 * Refuse a key that would go where the user did not allow (docs/how-to/agents.md#keys):
 * `VALIDATION_ERROR` naming `agent.baseURL` when a plan is created,
 * `MODEL_UNAVAILABLE` with the same words when its model is called (the
 * settings changed since, or the plan runs elsewhere: running it again once
 * the origin is listed goes on).
 *
 * @example
 * refuseKeyDestination({ model: 'openai:gpt-5', baseURL: 'https://evil.example/v1' }, { origins: [], sharedLoopback: false }, 'VALIDATION_ERROR'); // throws
 */
export function refuseKeyDestination(
  agent: Pick<AgentSettings, 'model' | 'apiKeyEnv' | 'baseURL'>,
  where: KeyDestinations,
  code: 'VALIDATION_ERROR' | 'MODEL_UNAVAILABLE',
): void {
  const refused = keyDestinationProblem(agent, where);
  if (refused === null) return;
  if (code === 'VALIDATION_ERROR')
    throw new ValidationError([{ path: 'agent.baseURL', message: refused.message }], { hint: refused.hint });
  throw new TroupeError('MODEL_UNAVAILABLE', `agent.baseURL: ${refused.message}`, {
    hint: refused.hint,
    details: { model: agent.model, origin: refused.origin, variable: refused.variable },
  });
}

/**
 * Where a plan's model is reached: its `baseURL`, else the provider's
 * `*_BASE_URL` in troupe's own environment, else the provider's own
 * endpoint — given to the provider package as it is, so that it reads no
 * other setting and the key's destination is the one checked.
 *
 * @example
 * endpointOf({ model: 'anthropic:claude-sonnet-4-5' }, {}); // 'https://api.anthropic.com/v1'
 */
export function endpointOf(
  agent: Pick<AgentSettings, 'model' | 'baseURL'>,
  env: Readonly<Record<string, string | undefined>>,
): string {
  if (agent.baseURL !== undefined) return agent.baseURL;
  const provider = parseModelRef(agent.model)?.provider ?? 'openai-compatible';
  const variable = PROVIDER_BASE_URL_VARIABLES[provider];
  const fromEnv = variable === null ? undefined : env[variable]?.trim();
  if (variable !== null && fromEnv !== undefined && fromEnv !== '') {
    const problem = baseUrlProblem(fromEnv);
    if (problem)
      throw new TroupeError('VALIDATION_ERROR', `${variable}: ${problem}`, {
        hint: `fix or unset ${variable} in the environment of troupe`,
      });
    return fromEnv;
  }
  return PROVIDER_ENDPOINTS[provider] ?? '';
}

/**
 * The fetch a keyed call goes through: it sends only to `origin` (the one
 * checked) and follows no redirect, so the key's header can never be
 * carried on to another server (fetch keeps custom headers such as
 * `x-api-key` across origins).
 *
 * @example
 * createAnthropic({ apiKey, baseURL, fetch: keyedFetch(new URL(baseURL).origin) });
 */
export function keyedFetch(origin: string): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    if (url.origin !== origin)
      throw new TroupeError(
        'MODEL_UNAVAILABLE',
        `the model's key would leave troupe for ${url.origin}, not ${origin}, the endpoint it was checked for`,
        { details: { origin: url.origin } },
      );
    // a redirect comes back as the 3xx it is: a final MODEL_UNAVAILABLE naming the status
    return fetch(input, { ...init, redirect: 'manual' });
  };
}
