import type { z } from 'zod';
import { ValidationError, type FieldIssue } from './errors.js';
import { knownKeysAt } from './schema-keys.js';
import { didYouMean } from './suggest.js';

type Issue = z.core.$ZodIssue;
type PathKey = PropertyKey;

/**
 * A field path as users write it: `strategy.steps[1].subplans.maxParallel`.
 * `prefix` is joined in front (`input.path` under `strategy.steps[0]`).
 */
export function formatPath(path: readonly PathKey[], prefix = ''): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/**
 * Turn zod issues into messages that name the field and say what is wrong in
 * the user's words. `input` is the value that was parsed: it lets a message
 * say "is required" for a missing field, what was given instead of an
 * allowed value, and pick the intended branch of a union. `schema`, the one
 * that parsed it, lets an unknown field name the known one it is close to
 * ("did you mean `steps`?").
 */
export function toFieldIssues(issues: readonly Issue[], input: unknown, prefix = '', schema?: z.ZodType): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const issue of issues) collect(issue, [], { input, prefix, schema }, out);
  // zod reports some problems twice through different branches; show each once.
  const seen = new Set<string>();
  return out.filter((issue) => {
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Parse `input` with `schema`; on failure throw one {@link ValidationError}
 * listing every problem by field path. Never throws anything else.
 */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  input: unknown,
  options: { prefix?: string; subject?: string; hint?: string } = {},
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(toFieldIssues(result.error.issues, input, options.prefix, schema), {
    ...(options.subject === undefined ? {} : { subject: options.subject }),
    ...(options.hint === undefined ? {} : { hint: options.hint }),
  });
}

interface Parsed {
  input: unknown;
  prefix: string;
  schema: z.ZodType | undefined;
}

function collect(issue: Issue, base: readonly PathKey[], parsed: Parsed, out: FieldIssue[]): void {
  const { input, prefix } = parsed;
  const path = [...base, ...issue.path];
  const at = valueAt(input, path);
  switch (issue.code) {
    case 'invalid_union': {
      const branches = issue.errors;
      if (branches.length === 0) {
        // a discriminated union: the discriminator names no branch
        const options = ((issue as { options?: unknown[] }).options ?? []).map(String);
        out.push({
          path: formatPath(path, prefix),
          message: `${customOr(issue.message, 'has an invalid value')}${gotAndSuggestion(at, options)}`,
        });
        return;
      }
      const best = pickBranch(branches, path, input);
      for (const inner of best) collect(inner, path, parsed, out);
      return;
    }
    case 'invalid_key':
    case 'invalid_element':
      // a record key or map element: its own issues say what is wrong, at this path
      for (const inner of issue.issues) {
        out.push({ path: formatPath(path, prefix), message: customOr(inner.message, 'is not valid') });
      }
      return;
    case 'unrecognized_keys': {
      // a field already given is not what a typo meant
      const known = parsed.schema ? knownKeysAt(parsed.schema, input, path) : [];
      const candidates = known.filter(
        (key) => !(typeof at === 'object' && at !== null && Object.prototype.hasOwnProperty.call(at, key)),
      );
      for (const key of issue.keys)
        out.push({
          path: formatPath([...path, key], prefix),
          message: `is not a known field${didYouMean(key, candidates)}`,
        });
      return;
    }
    case 'invalid_type':
      out.push({
        path: formatPath(path, prefix),
        message:
          at === undefined
            ? 'is required'
            : customOr(issue.message, `must be ${article(issue.expected)}, got ${describe(at)}`),
      });
      return;
    case 'invalid_value': {
      const values = issue.values.map((value) => String(value));
      out.push({
        path: formatPath(path, prefix),
        message:
          at === undefined
            ? 'is required'
            : `${customOr(issue.message, `must be ${oneOf(values)}`)}${gotAndSuggestion(at, values)}`,
      });
      return;
    }
    case 'too_small':
      // .positive() is `> 0`: an exclusive bound reads "greater than", not "at least"
      out.push({
        path: formatPath(path, prefix),
        message: customOr(
          issue.message,
          sizeMessage(issue.inclusive === false ? 'greater than' : 'at least', issue.origin, issue.minimum),
        ),
      });
      return;
    case 'too_big':
      out.push({
        path: formatPath(path, prefix),
        message: customOr(
          issue.message,
          sizeMessage(issue.inclusive === false ? 'less than' : 'at most', issue.origin, issue.maximum),
        ),
      });
      return;
    default:
      out.push({ path: formatPath(path, prefix), message: customOr(issue.message, 'is not valid') });
  }
}

// a union branch that fails on its own shape (unknown or missing keys at the
// union's level) is not the one the user meant; prefer the branch that gets
// furthest, then the one with fewest problems.
function pickBranch(
  branches: readonly (readonly Issue[])[],
  path: readonly PathKey[],
  input: unknown,
): readonly Issue[] {
  let best = branches[0]!;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const branch of branches) {
    let score = 0;
    for (const issue of branch) {
      const atRoot =
        issue.path.length === 0 || (issue.path.length === 1 && valueAt(input, [...path, ...issue.path]) === undefined);
      score += atRoot && (issue.code === 'unrecognized_keys' || issue.code === 'invalid_type') ? 1000 : 1;
    }
    if (score < bestScore) {
      best = branch;
      bestScore = score;
    }
  }
  return best;
}

const DEFAULT_MESSAGE = /^(Invalid|Too (small|big)|Unrecognized key|Expected)/;

function customOr(message: string, fallback: string): string {
  return message && !DEFAULT_MESSAGE.test(message) ? message : fallback;
}

function sizeMessage(
  bound: 'at least' | 'at most' | 'greater than' | 'less than',
  origin: string,
  limit: number | bigint,
): string {
  const n = Number(limit);
  switch (origin) {
    case 'string':
      return bound === 'at least' && n === 1 ? 'must not be empty' : `must be ${bound} ${n} characters`;
    case 'array':
    case 'set':
      return bound === 'at least' && n === 1 ? 'must have at least one item' : `must have ${bound} ${n} items`;
    default:
      return `must be ${bound} ${n}`;
  }
}

// `manual, review or auto`
function oneOf(values: readonly string[]): string {
  return values.length <= 1 ? (values[0] ?? 'nothing') : `${values.slice(0, -1).join(', ')} or ${values.at(-1)!}`;
}

// ` (got "fast")`, and the allowed value it is close to
function gotAndSuggestion(at: unknown, values: readonly string[]): string {
  if (at === undefined) return '';
  return ` (got ${given(at)})${typeof at === 'string' ? didYouMean(at, values) : ''}`;
}

function given(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : typeof value;
}

function article(expected: string): string {
  if (expected === 'object' || expected === 'record' || expected === 'map') return 'a mapping';
  if (expected === 'array') return 'a list';
  if (expected === 'int') return 'a whole number';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

function valueAt(input: unknown, path: readonly PathKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(value, key)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
