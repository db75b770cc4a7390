// What the inspector may see of a context or an event: plan contexts hold
// invariants, subplan groups and results that would make every snapshot
// message large. Scalars (ids, phase, counters) stay; lists and nested
// objects become a short summary.

const MAX_STRING = 200;
const MAX_KEYS = 40;

/**
 * A small copy of an actor's context for the inspector: top-level scalars
 * kept (long strings cut), objects one level deep, lists and anything deeper
 * replaced by a count such as `"[3 items]"`.
 *
 * @example
 * summarizeContext({ planId: '01J…', phase: 'execute', invariants: [a, b] });
 * // → { planId: '01J…', phase: 'execute', invariants: '[2 items]' }
 */
export function summarizeContext(context: unknown): unknown {
  return summarize(context, 2);
}

/**
 * A small copy of an event for the inspector: its type and top-level
 * scalars, nested data (actor outputs, errors) summarised like a context.
 */
export function summarizeEvent<E extends { type: string }>(event: E): E {
  return { ...(summarize(event, 2) as object), type: event.type } as E;
}

function summarize(value: unknown, depth: number): unknown {
  if (value === null || value === undefined) return value;
  switch (typeof value) {
    case 'string':
      return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}… (${value.length} chars)` : value;
    case 'number':
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'object':
      break;
    default:
      return `[${typeof value}]`;
  }
  if (Array.isArray(value)) return `[${value.length} item${value.length === 1 ? '' : 's'}]`;
  // actor refs, dates, maps: their own JSON, or just what they are
  const object = value as Record<string, unknown> & { toJSON?: () => unknown };
  if (typeof object.toJSON === 'function') return summarize(object.toJSON(), depth);
  const keys = Object.keys(object);
  if (depth <= 0) return `{${keys.length} key${keys.length === 1 ? '' : 's'}}`;
  const small: Record<string, unknown> = {};
  for (const key of keys.slice(0, MAX_KEYS)) small[key] = summarize(object[key], depth - 1);
  if (keys.length > MAX_KEYS) small['…'] = `${keys.length - MAX_KEYS} more keys`;
  return small;
}
