// The invariants of a plan file (SPEC §4): a built-in check's strict shape,
// or a registered (namespaced) check with fields of its own, in a list whose
// ids are unique. Where an invariant came from and what checking it found
// are in invariants.ts.
import { z } from 'zod';
import { unsafePathProblem } from './paths.js';
import { commandText, plainText, timeoutMs } from './plan-file-fields.js';
import { refuseProtoKeys } from './proto-keys.js';
import { listAs } from './json-schema.js';
import { declareKnownKeys } from './schema-keys.js';

// the file a file-exists or file-absent check looks at: relative, and staying in the sandbox
const sandboxPath = z.string().superRefine((value, ctx) => {
  const problem = unsafePathProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/**
 * Names of the invariant checks troupe ships (SPEC §4).
 *
 * @example
 * const builtIn = (BUILT_IN_CHECKS as readonly string[]).includes('file-exists'); // true
 */
export const BUILT_IN_CHECKS = ['command', 'file-exists', 'file-absent', 'paths-within', 'no-conflicts'] as const;
export type BuiltInCheckName = (typeof BUILT_IN_CHECKS)[number];

/** Default time a `command` invariant may run (SPEC §4: 120 s). */
export const DEFAULT_COMMAND_CHECK_TIMEOUT_MS = 120_000;

const invariantId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
  error: 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit',
});

const invariantBase = { id: invariantId, description: plainText.optional() };

/**
 * The built-in invariants, one strict shape per check.
 *
 * @example
 * const invariant = builtInInvariantSchema.parse({ id: 'readme', check: 'file-exists', path: 'README.md' });
 */
export const builtInInvariantSchema = z.discriminatedUnion(
  'check',
  [
    z.strictObject({
      ...invariantBase,
      check: z.literal('command'),
      run: commandText(4096),
      timeoutMs: timeoutMs.optional(),
    }),
    z.strictObject({ ...invariantBase, check: z.literal('file-exists'), path: sandboxPath }),
    z.strictObject({ ...invariantBase, check: z.literal('file-absent'), path: sandboxPath }),
    z.strictObject({ ...invariantBase, check: z.literal('paths-within') }),
    z.strictObject({ ...invariantBase, check: z.literal('no-conflicts') }),
  ],
  { error: `must name a known check: ${BUILT_IN_CHECKS.join(', ')}, or a registered check such as acme/lint-clean` },
);
export type BuiltInInvariant = z.output<typeof builtInInvariantSchema>;

/**
 * Checks an embedding app registers are namespaced (`acme/lint-clean`), so
 * they never collide with a check troupe ships later.
 */
export const customCheckNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]*(\/[a-z][a-z0-9-]*)+$/, { error: 'must be a namespaced check name such as acme/lint-clean' });

/**
 * An invariant of a registered check. Its own fields are checked against the
 * check's options when the plan is created (the registry knows them).
 *
 * @example
 * const invariant = customInvariantSchema.parse({ id: 'lint', check: 'acme/lint-clean', maxWarnings: 0 });
 */
export const customInvariantSchema = refuseProtoKeys(z.looseObject({ ...invariantBase, check: customCheckNameSchema }));
export type CustomInvariant = z.output<typeof customInvariantSchema>;

/**
 * One invariant: a rule that must keep holding while the plan works (SPEC §4).
 *
 * @example
 * const tests: Invariant = { id: 'tests', check: 'command', run: 'npm test', timeoutMs: 300_000 };
 * const lint: Invariant = { id: 'lint', check: 'acme/lint-clean', maxWarnings: 0 };
 */
export type Invariant = BuiltInInvariant | CustomInvariant;

// a namespaced name can only be a registered check; everything else is read
// as a built-in, so a typo in a built-in name says which names exist
function isCustomCheck(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const check = (value as { check?: unknown }).check;
  return typeof check === 'string' && check.includes('/');
}

/**
 * One invariant: a built-in check's strict shape, or a registered (namespaced) check with its own fields.
 *
 * @example
 * const invariant = invariantSchema.parse({ id: 'tests', check: 'command', run: 'npm test' });
 * invariantSchema.safeParse({ id: 'x', check: 'nope' }).success; // false: names the known checks
 */
export const invariantSchema = z.unknown().transform((value, ctx) => {
  const result = isCustomCheck(value)
    ? customInvariantSchema.safeParse(value)
    : builtInInvariantSchema.safeParse(value);
  if (result.success) return result.data as Invariant;
  for (const issue of result.error.issues) ctx.issues.push({ ...issue, input: value } as never);
  return z.NEVER;
}) as unknown as z.ZodType<Invariant, z.input<typeof builtInInvariantSchema> | z.input<typeof customInvariantSchema>>;
// a JSON Schema lists an invariant as what it may be: a built-in check's shape or a registered check's
listAs(invariantSchema, () => z.union([builtInInvariantSchema, customInvariantSchema]));
// the fields of the check the invariant names, for "did you mean"
declareKnownKeys(invariantSchema, (value) => {
  const check = typeof value === 'object' && value !== null ? (value as { check?: unknown }).check : undefined;
  const shapes = builtInInvariantSchema.options.filter(
    (option) => check === undefined || option.shape.check.value === check,
  );
  return [
    ...new Set(
      (shapes.length > 0 ? shapes : builtInInvariantSchema.options).flatMap((option) => Object.keys(option.shape)),
    ),
  ];
});

/**
 * A list of invariants: ids are unique within it.
 *
 * @example
 * const invariants = invariantListSchema.parse([{ id: 'tests', check: 'command', run: 'npm test' }, { id: 'scope', check: 'paths-within' }]);
 * invariantListSchema.safeParse([{ id: 'a', check: 'no-conflicts' }, { id: 'a', check: 'paths-within' }]).success; // false: duplicate id
 */
export const invariantListSchema = z.array(invariantSchema).superRefine(
  (invariants, ctx) => {
    const first = new Map<string, number>();
    // runs even when an invariant is malformed, so every problem is listed at once
    (invariants as unknown[]).forEach((invariant, index) => {
      const id = typeof invariant === 'object' && invariant !== null ? (invariant as { id?: unknown }).id : undefined;
      if (typeof id !== 'string') return;
      const earlier = first.get(id);
      if (earlier === undefined) first.set(id, index);
      else
        ctx.addIssue({
          code: 'custom',
          path: [index, 'id'],
          message: `duplicate id "${id}" (also invariants[${earlier}])`,
        });
    });
  },
  { when: (payload) => Array.isArray(payload.value) },
);
