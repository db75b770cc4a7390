import { TroupeError } from '../domain/index.js';

/** What a failed call tells: whether trying again may help, the HTTP status, and how long the provider asked to wait. */
export interface CallFailure {
  retry: boolean;
  status: number | null;
  retryAfterMs: number | null;
  message: string;
}

/**
 * What an error thrown by a model call says. The AI SDK's `APICallError`
 * (told by its shape, so the SDK need not be loaded to ask) carries the
 * status and whether the provider may answer next time — 408, 409, 429, a
 * 5xx, or a connection that failed; anything else (a bad key, an unknown
 * model, an answer that could not be read) is final.
 */
export function callFailure(error: unknown): CallFailure {
  const record = (typeof error === 'object' && error !== null ? error : {}) as {
    statusCode?: unknown;
    isRetryable?: unknown;
    responseHeaders?: unknown;
    message?: unknown;
  };
  const status = typeof record.statusCode === 'number' ? record.statusCode : null;
  const message = typeof record.message === 'string' && record.message !== '' ? record.message : String(error);
  return { retry: record.isRetryable === true, status, retryAfterMs: retryAfter(record.responseHeaders), message };
}

// retry-after-ms (OpenAI), or retry-after in seconds or as a date
function retryAfter(headers: unknown): number | null {
  if (typeof headers !== 'object' || headers === null) return null;
  const values = headers as Record<string, unknown>;
  const ms = Number(values['retry-after-ms']);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const after = values['retry-after'];
  if (typeof after !== 'string') return null;
  const seconds = Number(after);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(after);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

/**
 * `MODEL_UNAVAILABLE` for a call that failed for good: the model, the
 * provider's reason (with any key in it masked), how many attempts were
 * made, and what to do for that reason.
 *
 * @example
 * throw modelUnavailable('anthropic:claude-sonnet-4-5', { retry: true, status: 429, retryAfterMs: null, message: 'Too Many Requests' }, 4, []);
 */
export function modelUnavailable(
  model: string,
  failure: CallFailure,
  attempts: number,
  secrets: readonly string[],
): TroupeError {
  const reason = mask(failure.message, secrets);
  const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
  const status = failure.status === null ? '' : ` (HTTP ${failure.status})`;
  return new TroupeError(
    'MODEL_UNAVAILABLE',
    `the model ${model} did not answer${status}${tries}: ${firstLine(reason)}`,
    {
      hint: hintFor(failure.status),
      details: { model, status: failure.status, attempts, reason: reason.slice(0, 2000) },
    },
  );
}

function hintFor(status: number | null): string {
  if (status === 401 || status === 403)
    return 'the provider refused the key: check the variable agent.apiKeyEnv names (docs/how-to/agents.md#keys), then run the plan again';
  if (status === 404)
    return 'the provider does not know the model (or baseURL is wrong): check agent.model and agent.baseURL, then run the plan again';
  if (status === 400 || status === 422)
    return 'the provider refused the request: see the reason; a model without tool calling cannot drive a plan (docs/how-to/agents.md#providers)';
  return 'the provider is busy, failing or out of reach: run the plan again later (troupe plan run <plan>); what was recorded is kept';
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

/** `text` with every secret in it (a key a provider echoed back) replaced by `***`. */
export function mask(text: string, secrets: readonly string[]): string {
  let masked = text;
  for (const secret of secrets) if (secret.length >= 4) masked = masked.split(secret).join('***');
  return masked;
}
