import type { FieldIssue } from './errors.js';
import type { PlanSpec } from './plan-file.js';

/**
 * The fields of a plan file that `plan update` changes in a live plan: what
 * the plan reads again each time it runs a command or checks its
 * invariants, and never decided anything with. Everything else (its name,
 * goal, strategy, scopes, automation…) made the plan what it is.
 *
 * @example
 * UPDATABLE_FIELDS.includes('validate'); // true
 */
export const UPDATABLE_FIELDS = ['validate', 'env', 'invariants', 'sandbox.limits', 'network'] as const;
/**
 * One field `plan update` changes: `validate`, `env`, `invariants`,
 * `sandbox.limits` or `network`.
 *
 * @example
 * const field: UpdatableField = 'sandbox.limits';
 */
export type UpdatableField = (typeof UPDATABLE_FIELDS)[number];

/** What an edited plan file changes in a live plan: the fields it may change, and the others, refused. */
export interface PlanUpdateChanges {
  /** The updatable fields that differ, in {@link UPDATABLE_FIELDS} order. */
  changed: UpdatableField[];
  /** One issue per other field that differs: `name: cannot change in a live plan (was demo/x)`. */
  refused: FieldIssue[];
  /** The changed fields as they were and as they are now (`sandbox.limits` under that key), for the decision. */
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

/**
 * Compare the plan file a live plan goes on with (`before`, as stored) with
 * an edited one (`after`, parsed with its defaults): which updatable fields
 * changed, and which other fields differ — each refused by name, with its
 * value when that reads on one line. Both are whole plan files, so a field
 * left out reads as its default, as it does when the plan is created.
 *
 * @example
 * const { changed, refused } = planUpdateChanges(stored, edited);
 * if (refused.length > 0) throw new ValidationError(refused, { subject: 'plan file' });
 */
export function planUpdateChanges(before: PlanSpec, after: PlanSpec): PlanUpdateChanges {
  const result: PlanUpdateChanges = { changed: [], refused: [], before: {}, after: {} };
  const was = before as Record<string, unknown>;
  const now = after as Record<string, unknown>;
  for (const key of new Set([...Object.keys(was), ...Object.keys(now)])) {
    if (key === 'sandbox') continue;
    if (same(was[key], now[key])) continue;
    if ((UPDATABLE_FIELDS as readonly string[]).includes(key)) note(result, key as UpdatableField, was[key], now[key]);
    else result.refused.push(refusal(key, was[key]));
  }
  // sandbox holds one updatable field (its limits): any other of its keys is the plan's own
  const sandboxWas = { ...before.sandbox } as Record<string, unknown>;
  const sandboxNow = { ...after.sandbox } as Record<string, unknown>;
  for (const key of new Set([...Object.keys(sandboxWas), ...Object.keys(sandboxNow)])) {
    if (same(sandboxWas[key], sandboxNow[key])) continue;
    if (key === 'limits') note(result, 'sandbox.limits', sandboxWas[key] ?? null, sandboxNow[key] ?? null);
    else result.refused.push(refusal(`sandbox.${key}`, sandboxWas[key]));
  }
  result.changed.sort((a, b) => UPDATABLE_FIELDS.indexOf(a) - UPDATABLE_FIELDS.indexOf(b));
  return result;
}

function note(result: PlanUpdateChanges, field: UpdatableField, was: unknown, now: unknown): void {
  result.changed.push(field);
  result.before[field] = was ?? null;
  result.after[field] = now ?? null;
}

// a value said on one line when it is short and plain (a name, a number), else only that it differs
function refusal(path: string, was: unknown): FieldIssue {
  const plain = typeof was === 'string' || typeof was === 'number' || typeof was === 'boolean';
  const text = plain ? String(was) : was === undefined ? 'not set' : null;
  const shown = text !== null && text.length <= 80 && !/[\r\n]/.test(text) ? ` (was ${text})` : '';
  return { path, message: `cannot change in a live plan${shown}` };
}

// the same JSON value, whatever the order of keys
function same(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(
          Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : inner,
  );
}
