import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { declareKnownKeys, knownKeysAt } from '../../src/domain/schema-keys.js';

// The fields "did you mean" offers, read from the schema at any depth: through records,
// arrays, lazy and piped schemas, discriminated and plain unions, and schemas registered by hand.

const step = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('run'), command: z.string(), cwd: z.string().optional() }),
  z.object({ kind: z.literal('write'), path: z.string(), content: z.string() }),
]);
const tree: z.ZodType = z.lazy(() => z.object({ name: z.string(), children: z.array(tree).optional() }));
const schema = z.object({
  steps: z.array(step),
  byName: z.record(z.string(), z.object({ value: z.number() })),
  trimmed: z.string().pipe(z.string()),
  piped: z.unknown().pipe(z.object({ inner: z.boolean() })),
  tree,
  loose: z.object({ known: z.string() }).catchall(z.object({ extra: z.number() })),
  either: z.union([z.object({ a: z.string(), shared: z.string() }), z.object({ b: z.string(), shared: z.string() })]),
  count: z.number().default(1),
});

describe('knownKeysAt', () => {
  it('reads a discriminated union’s branch by the value’s discriminator', () => {
    const input = { steps: [{ kind: 'write', paht: 'x' }] };
    expect(knownKeysAt(schema, input, ['steps', 0])).toEqual(['kind', 'path', 'content']);
    // no branch with that discriminator: every branch's fields
    expect(knownKeysAt(schema, { steps: [{ kind: 'other' }] }, ['steps', 0])).toEqual([
      'kind',
      'command',
      'cwd',
      'path',
      'content',
    ]);
  });

  it('reads through records, lazy schemas, pipes and a catchall', () => {
    expect(knownKeysAt(schema, { byName: { x: {} } }, ['byName', 'x'])).toEqual(['value']);
    expect(knownKeysAt(schema, { tree: { children: [{}] } }, ['tree', 'children', 0])).toEqual(['name', 'children']);
    expect(knownKeysAt(schema, {}, ['piped'])).toEqual(['inner']);
    expect(knownKeysAt(schema, { loose: { other: {} } }, ['loose', 'other'])).toEqual(['extra']);
  });

  it('follows the union branch that has the field, the one sharing most fields with the value first', () => {
    expect(knownKeysAt(schema, { either: { b: 'x' } }, ['either'])).toEqual(['b', 'shared', 'a']);
    expect(knownKeysAt(schema, { either: 'text' }, ['either'])).toEqual(['a', 'shared', 'b']);
  });

  it('answers nothing where a schema has no fields or no such child', () => {
    expect(knownKeysAt(schema, {}, ['count'])).toEqual([]);
    expect(knownKeysAt(schema, {}, ['count', 'deeper'])).toEqual([]);
    expect(knownKeysAt(schema, {}, ['trimmed'])).toEqual([]);
    expect(knownKeysAt(schema, {}, ['nowhere', 'else'])).toEqual([]);
  });

  it('asks a schema registered by hand, by value or as another schema, and never throws', () => {
    const picked = z.unknown().transform((value) => value);
    declareKnownKeys(picked, (value) =>
      (value as { mode?: string } | undefined)?.mode === 'a' ? ['mode', 'alpha'] : ['mode'],
    );
    const guarded = z.unknown().transform((value) => value);
    declareKnownKeys(guarded, z.object({ name: z.string() }));
    const failing = z.unknown().transform((value) => value);
    declareKnownKeys(failing, () => {
      throw new Error('a registered reader that fails');
    });
    const outer = z.object({ picked, guarded, failing });
    expect(knownKeysAt(outer, { picked: { mode: 'a' } }, ['picked'])).toEqual(['mode', 'alpha']);
    expect(knownKeysAt(outer, {}, ['picked'])).toEqual(['mode']);
    expect(knownKeysAt(outer, {}, ['guarded'])).toEqual(['name']);
    expect(knownKeysAt(outer, {}, ['failing'])).toEqual([]);
  });
});
