import type { z } from 'zod';

// Which fields a mapping may have, read from the zod schema that refused a
// key, so "did you mean `steps`?" works at every level of any schema — the
// plan file's, a tool's input, a check's options, .troupe/config.json —
// without each one listing its fields a second time.

type Schema = z.core.$ZodType;
type Def = { type: string } & Record<string, unknown>;

/** Fields of schemas zod cannot see into (a transform that picks a shape by value): register them here. */
const declared = new WeakMap<Schema, (value: unknown) => readonly string[]>();
/** Transforms that parse with a schema inside: read as that schema. */
const aliases = new WeakMap<Schema, Schema>();

/**
 * Tell {@link knownKeysAt} about a schema zod cannot see into (a transform):
 * the fields it accepts given the value being parsed, or the schema it
 * parses with inside.
 *
 * @example
 * declareKnownKeys(invariantSchema, (value) => keysOfTheCheckNamedIn(value));
 * declareKnownKeys(guarded, envSchema);
 */
export function declareKnownKeys(schema: z.ZodType, keys: ((value: unknown) => readonly string[]) | z.ZodType): void {
  if (typeof keys === 'function') declared.set(schema, keys);
  else aliases.set(schema, keys);
}

/**
 * The fields the mapping at `path` of `input` may have according to
 * `schema`, or an empty list when that cannot be told. Never throws.
 *
 * @example
 * knownKeysAt(planFileSchema, { strategy: { stpes: [] } }, ['strategy']); // ['steps']
 */
export function knownKeysAt(schema: z.ZodType, input: unknown, path: readonly PropertyKey[]): readonly string[] {
  try {
    let current: Schema | null = schema;
    let value = input;
    for (const key of path) {
      current = current === null ? null : childOf(current, value, key);
      if (current === null) return [];
      // an item of a list too: its discriminator picks the branch the fields come from
      value =
        typeof value === 'object' && value !== null && Object.prototype.hasOwnProperty.call(value, key)
          ? (value as Record<PropertyKey, unknown>)[key]
          : undefined;
    }
    return current === null ? [] : keysOf(current, value);
  } catch {
    return [];
  }
}

function defOf(schema: Schema): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

// optional, default, lazy…: the schema that holds the shape
function unwrap(schema: Schema): Schema {
  let current = schema;
  for (let hops = 0; hops < 32; hops += 1) {
    if (declared.has(current)) return current;
    const alias = aliases.get(current);
    if (alias) {
      current = alias;
      continue;
    }
    const def = defOf(current);
    if ('innerType' in def) current = def.innerType as Schema;
    else if (def.type === 'lazy') current = (def.getter as () => Schema)();
    else if (def.type === 'pipe')
      current = defOf(def.in as Schema).type === 'unknown' ? (def.out as Schema) : (def.in as Schema);
    else return current;
  }
  return current;
}

function childOf(schema: Schema, value: unknown, key: PropertyKey): Schema | null {
  const inner = unwrap(schema);
  const def = defOf(inner);
  switch (def.type) {
    case 'object': {
      const shape = def.shape as Record<string, Schema>;
      return (
        (typeof key === 'string' && Object.prototype.hasOwnProperty.call(shape, key)
          ? shape[key]!
          : (def.catchall as Schema | undefined)) ?? null
      );
    }
    case 'array':
      return def.element as Schema;
    case 'record':
      return def.valueType as Schema;
    case 'union': {
      // the branch that has this field and fits the value best
      const options = branchesFor(inner, value).filter((option) => keysOf(option, value).includes(String(key)));
      return options[0] ? childOf(options[0], value, key) : null;
    }
    default:
      return null;
  }
}

function keysOf(schema: Schema, value: unknown): readonly string[] {
  const inner = unwrap(schema);
  const own = declared.get(inner);
  if (own) return own(value);
  const def = defOf(inner);
  if (def.type === 'object') return Object.keys(def.shape as object);
  if (def.type === 'union') return [...new Set(branchesFor(inner, value).flatMap((option) => keysOf(option, value)))];
  return [];
}

// a discriminated union's branch for the value's discriminator, else every branch,
// the ones sharing most fields with the value first
function branchesFor(union: Schema, value: unknown): Schema[] {
  const def = defOf(union);
  const options = def.options as Schema[];
  const discriminator = def.discriminator as string | undefined;
  if (discriminator !== undefined && isObject(value)) {
    const wanted = (value as Record<string, unknown>)[discriminator];
    const matching = options.filter((option) => {
      const field = (defOf(unwrap(option)).shape as Record<string, Schema> | undefined)?.[discriminator];
      return field !== undefined && (defOf(field).values as unknown[] | undefined)?.includes(wanted) === true;
    });
    if (matching.length > 0) return matching;
  }
  if (!isObject(value)) return options;
  const given = Object.keys(value);
  const shared = (option: Schema) => keysOf(option, undefined).filter((key) => given.includes(key)).length;
  return [...options].sort((a, b) => shared(b) - shared(a));
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
