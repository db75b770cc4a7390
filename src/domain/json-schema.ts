import { z } from 'zod';

// zod lists a transform as `{}`: it cannot see which shape the function
// parses with. The domain's transforms that parse with a schema inside (an
// invariant picks its check's shape; a mapping refuses `__proto__` keys)
// register that schema here, so a JSON Schema of the plan file says what
// each field takes.

/** Schemas listed as another: a transform, as the schema it parses with inside. */
const listed = new WeakMap<z.core.$ZodType, () => z.ZodType>();

/**
 * Have {@link inputJsonSchema} list `schema` (a transform zod cannot see
 * into) as `shape`, the schema it parses with.
 *
 * @example
 * const guarded = z.unknown().transform((value) => envSchema.parse(value));
 * listAs(guarded, () => envSchema);
 */
export function listAs(schema: z.ZodType, shape: () => z.ZodType): void {
  listed.set(schema, shape);
}

/**
 * `schema` as a JSON Schema (draft 2020-12, without `$schema`) of what it
 * accepts: defaults optional, a transform listed as what it parses with
 * ({@link listAs}), anything else zod cannot represent as any value.
 *
 * @example
 * const listing = inputJsonSchema(planFileSchema);
 * listing.required; // ['name', 'goal']
 */
export function inputJsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      const shape = listed.get(zodSchema);
      if (!shape) return;
      // the shapes listed here are not recursive: their JSON Schema has no $defs to hoist
      const replacement = inputJsonSchema(shape());
      for (const key of Object.keys(jsonSchema)) delete (jsonSchema as Record<string, unknown>)[key];
      Object.assign(jsonSchema, replacement);
    },
  }) as Record<string, unknown>;
  return json;
}
