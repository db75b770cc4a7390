// Where a plan's model key may go (docs/how-to/agents.md#keys). A plan file is hostile input, and its
// model is called by troupe's own process, outside every sandbox, with a key from troupe's
// environment: a `baseURL` of the plan file's choosing must not carry that key to a server the
// user did not choose. These are the pure decisions; the model port and plan creation apply them.
import { apiKeyVariable, parseModelRef, type AgentSettings, type ModelProvider } from './plan-file-agent.js';

/**
 * Each provider's own endpoint: where its key goes when the plan names no
 * `baseURL` (an `openai-compatible` model always names one).
 *
 * @example
 * PROVIDER_ENDPOINTS.anthropic; // 'https://api.anthropic.com/v1'
 */
export const PROVIDER_ENDPOINTS: Record<ModelProvider, string | null> = {
  anthropic: 'https://api.anthropic.com/v1',
  openai: 'https://api.openai.com/v1',
  'openai-compatible': null,
};

/** The environment variable troupe's user may point a provider at another endpoint with (the provider packages' own convention). */
export const PROVIDER_BASE_URL_VARIABLES: Record<ModelProvider, string | null> = {
  anthropic: 'ANTHROPIC_BASE_URL',
  openai: 'OPENAI_BASE_URL',
  'openai-compatible': null,
};

/** The environment variable of troupe's process that lists more origins a key may go to, comma-separated. */
export const MODEL_ENDPOINTS_VARIABLE = 'TROUPE_MODEL_ENDPOINTS';

/**
 * Whether a URL leads to this machine's loopback: its host, as the WHATWG
 * URL parser reads it (which is what fetch connects to: lower case, a
 * numeric IPv4 in dotted decimal — `2130706433`, `0x7f.1` and `127.1` are
 * `127.0.0.1` by then — IPv6 compressed), is `localhost`, in 127.0.0.0/8,
 * or `[::1]`. Nothing else — not `0.0.0.0`, not `localhost.` (a name the
 * resolver may ask DNS about), not `[::ffff:127.0.0.1]`, not
 * `127.0.0.1.evil.example`; false for what is no URL.
 *
 * @example
 * isLoopbackUrl('http://2130706433:8000/v1'); // true
 * isLoopbackUrl('http://127.0.0.1.evil.example/v1'); // false
 */
export function isLoopbackUrl(value: string | URL): boolean {
  let hostname: string;
  try {
    hostname = new URL(value).hostname;
  } catch {
    return false;
  }
  if (hostname === 'localhost' || hostname === '[::1]') return true;
  const parts = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(hostname);
  return parts !== null && parts.slice(1).every((part) => Number(part) <= 255);
}

/**
 * What is wrong with an entry of the user's list of endpoints
 * (`models.endpoints`, `TROUPE_MODEL_ENDPOINTS`), or null for an origin:
 * `http(s)://host[:port]`, nothing after it but an optional `/`.
 *
 * @example
 * endpointOriginProblem('https://gateway.internal'); // null
 * endpointOriginProblem('https://gateway.internal/v1'); // 'must be an origin …'
 */
export function endpointOriginProblem(value: string): string | null {
  const origin =
    'must be an origin — http(s)://host[:port], no path, query or credentials — such as https://gateway.internal';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return origin;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return origin;
  if (
    url.username !== '' ||
    url.password !== '' ||
    url.pathname !== '/' ||
    url.search !== '' ||
    url.hash !== '' ||
    value.includes('?') ||
    value.includes('#')
  )
    return origin;
  return null;
}

/**
 * An endpoint list as one text (`TROUPE_MODEL_ENDPOINTS`): its origins, in
 * the URL parser's spelling (`HTTPS://Gateway.Internal:443/` is
 * `https://gateway.internal`), or the problems of the entries that are none.
 *
 * @example
 * parseEndpointList(' https://a.internal, http://10.0.0.5:8000 '); // { origins: ['https://a.internal', 'http://10.0.0.5:8000'], problems: [] }
 */
export function parseEndpointList(text: string): { origins: string[]; problems: string[] } {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const problems = entries.flatMap((entry) => {
    const problem = endpointOriginProblem(entry);
    return problem === null ? [] : [`"${entry}" ${problem}`];
  });
  return { origins: problems.length > 0 ? [] : entries.map((entry) => new URL(entry).origin), problems };
}

/** Where a key may go besides its provider's own endpoint: the origins the user listed, and whether the loopback is the user's alone. */
export interface KeyDestinations {
  /** The user's own origins (`models.endpoints` of their own config, `TROUPE_MODEL_ENDPOINTS`), as {@link parseEndpointList} spells them. */
  origins: readonly string[];
  /**
   * The plan's commands share the host's network (`network: true`, or the
   * sandbox off): a server on the loopback may be one of theirs, so a key
   * goes there only when its origin is listed.
   */
  sharedLoopback: boolean;
}

/**
 * Whether a plan's commands share the host's network — and so its loopback,
 * where they could listen for a key — as its sandbox policy says: with
 * `network: true` (the plan's or the project's), or with the sandbox off.
 *
 * @example
 * sharesHostLoopback({ mode: 'contained', network: true }); // true
 */
export function sharesHostLoopback(policy: { mode: string; network: boolean }): boolean {
  return policy.network || policy.mode === 'off';
}

/** Why a plan's key may not go where its `baseURL` points: the origin, the variable, the reason and how to allow it. */
export interface KeyDestinationRefusal {
  origin: string;
  variable: string;
  message: string;
  hint: string;
}

/**
 * Whether the key of a plan's model may be sent where its `baseURL` points
 * (docs/how-to/agents.md#keys): null when it may — the model needs no key, there
 * is no `baseURL` (the provider's own endpoint, or the one troupe's user set
 * in its environment), the `baseURL` is on the provider's own origin, on
 * this machine's loopback (unless the plan's commands share it), or on an
 * origin the user listed — else why not, naming the origin and the two ways
 * to allow it. A `baseURL` with credentials is never a destination.
 *
 * @example
 * keyDestinationProblem({ model: 'openai:gpt-5', baseURL: 'https://evil.example/v1' }, { origins: [], sharedLoopback: false });
 * // { origin: 'https://evil.example', variable: 'OPENAI_API_KEY', message: 'the key in OPENAI_API_KEY would leave troupe for https://evil.example, …', hint: '…' }
 */
export function keyDestinationProblem(
  agent: Pick<AgentSettings, 'model' | 'apiKeyEnv' | 'baseURL'>,
  where: KeyDestinations,
): KeyDestinationRefusal | null {
  const variable = apiKeyVariable(agent);
  if (variable === null || agent.baseURL === undefined) return null;
  let url: URL;
  try {
    url = new URL(agent.baseURL);
  } catch {
    return refusal(agent.baseURL, variable, 'which is not a URL');
  }
  const { origin } = url;
  if (url.username !== '' || url.password !== '') return refusal(origin, variable, 'with credentials in the URL');
  const provider = parseModelRef(agent.model)?.provider;
  const own = provider === undefined ? null : PROVIDER_ENDPOINTS[provider];
  if (own !== null && new URL(own).origin === origin) return null;
  if (where.origins.includes(origin)) return null;
  if (isLoopbackUrl(url)) {
    if (!where.sharedLoopback) return null;
    return refusal(
      origin,
      variable,
      'a loopback address the plan’s own commands can listen on (they share the host’s network: network: true, or the sandbox is off)',
    );
  }
  return refusal(
    origin,
    variable,
    `which is not ${own === null ? 'a' : `${provider}’s own endpoint (${new URL(own).origin}), a`} loopback address or an origin you allowed`,
  );
}

function refusal(origin: string, variable: string, why: string): KeyDestinationRefusal {
  return {
    origin,
    variable,
    message: `the key in ${variable} would leave troupe for ${origin}, ${why}`,
    hint: `if you trust ${origin} with that key, list it in your own .troupe/config.json ("models": {"endpoints": ["${origin}"]}) or in ${MODEL_ENDPOINTS_VARIABLE}=${origin} of the troupe process; otherwise remove agent.baseURL (or, for a server that takes no key, agent.apiKeyEnv) — docs/how-to/agents.md#keys`,
  };
}
