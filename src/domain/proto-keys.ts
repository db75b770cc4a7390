import { z } from 'zod';
import { listAs } from './json-schema.js';
import { declareKnownKeys } from './schema-keys.js';

// JSON and YAML read `"__proto__": …` as an ordinary key, but copying it onto
// an object sets the object's prototype instead: zod's records and loose
// objects drop it without a word. A strict object refuses it as an unknown
// field; these say so for the mappings whose keys are free.

/** How many values of a tool's input are looked at for a `__proto__` key: past it, the rest is left to the tool. */
const MAX_VISITED = 100_000;

/** Paths (from `value`) of every own `__proto__` key, nested ones too when `deep`. */
function protoKeyPaths(value: unknown, deep: boolean): PropertyKey[][] {
  const found: PropertyKey[][] = [];
  // iterative: a deeply nested input must not overflow the stack
  const queue: { value: unknown; path: PropertyKey[] }[] = [{ value, path: [] }];
  for (let visited = 0; queue.length > 0 && visited < MAX_VISITED; visited += 1) {
    const { value: current, path } = queue.shift()!;
    if (typeof current !== 'object' || current === null) continue;
    if (!Array.isArray(current) && Object.prototype.hasOwnProperty.call(current, '__proto__'))
      found.push([...path, '__proto__']);
    if (!deep) break;
    for (const [key, child] of Object.entries(current))
      queue.push({ value: child, path: [...path, Array.isArray(current) ? Number(key) : key] });
  }
  return found;
}

/**
 * `schema`, refusing a mapping with a `__proto__` key (anywhere inside it
 * when `deep`) as an unknown field instead of dropping it. Every other
 * problem of `schema` is still reported with it.
 *
 * @example
 * const env = refuseProtoKeys(z.record(z.string(), z.string()));
 * env.safeParse(JSON.parse('{"__proto__": "x"}')).success; // false: "__proto__: is not a known field"
 */
export function refuseProtoKeys<T extends z.ZodType>(schema: T, options: { deep?: boolean } = {}): T {
  const guarded = z.unknown().transform((value, ctx) => {
    for (const path of protoKeyPaths(value, options.deep === true)) {
      ctx.issues.push({
        code: 'custom',
        path,
        message: 'is not a known field (a __proto__ key would be dropped)',
        input: value,
      });
    }
    const result = schema.safeParse(value);
    if (!result.success) for (const issue of result.error.issues) ctx.issues.push({ ...issue, input: value } as never);
    return result.success ? result.data : z.NEVER;
  });
  // "did you mean" looks through to the fields of the schema inside
  declareKnownKeys(guarded, schema);
  // and a JSON Schema lists it as that schema
  listAs(guarded, () => schema);
  return guarded as unknown as T;
}
