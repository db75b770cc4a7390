import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseStepPayload, quickStepPayload, stepPayloadSchema } from '../../src/domain/index.js';

// every step reads its payload through parseStepPayload: the quick check must
// never accept what the schema refuses, and must give back what the schema would

const key = fc.oneof(fc.string(), fc.constantFrom('__proto__', 'path', 'index'));
const record = fc.dictionary(key, fc.jsonValue(), { maxKeys: 4 });
const toolName = fc.oneof(
  fc.constantFrom('fs/read-file', 'shell/exec', 'a/b-c/d9'),
  fc.string(),
  fc.stringMatching(/^[a-zA-Z/-]{1,12}$/),
);
const anything = fc.oneof(fc.jsonValue(), record, fc.constant(undefined));

const payload = fc.record(
  {
    index: fc.oneof(
      fc.nat(),
      fc.integer({ min: -3, max: 3 }),
      fc.double(),
      fc.constant(-0),
      fc.string(),
      fc.constant(Number.MAX_SAFE_INTEGER + 2),
    ),
    tool: fc.oneof(toolName, anything),
    input: fc.oneof(record, anything),
    subplans: fc.oneof(record, anything),
    extra: anything,
  },
  { requiredKeys: [] },
);
// through JSON as the store gives it back (an own __proto__ key included), or as built in memory
const stored = fc.oneof(
  payload.map((value) => JSON.parse(JSON.stringify(value)) as unknown),
  payload,
  fc.jsonValue(),
);

describe('quickStepPayload', () => {
  it('vouches for the payloads a strategy records, as the schema reads them', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.constantFrom('fs/read-file', 'fs/write-file', 'shell/exec'),
        fc.dictionary(
          fc.string().filter((text) => text !== '__proto__'),
          fc.jsonValue(),
        ),
        (index, tool, input) => {
          const value = JSON.parse(JSON.stringify({ index, tool, input })) as unknown;
          expect(quickStepPayload(value)).toBeDefined();
          expect(quickStepPayload(value)).toEqual(stepPayloadSchema.parse(value));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never vouches for a payload the schema refuses, and agrees with it on what it accepts', () => {
    fc.assert(
      fc.property(stored, (value) => {
        const quick = quickStepPayload(value);
        const checked = stepPayloadSchema.safeParse(value);
        if (!checked.success) expect(quick).toBeUndefined();
        if (quick !== undefined) expect(quick).toEqual(checked.data);
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves to the schema what it cannot tell, so a damaged payload still fails naming its field', () => {
    expect(quickStepPayload(JSON.parse('{"index":0,"input":{"__proto__":{"x":1}}}'))).toBeUndefined();
    expect(quickStepPayload({ index: 0, input: [] })).toBeUndefined();
    expect(() => parseStepPayload({ index: -1, tool: 'fs/read-file' })).toThrow(/index/);
    expect(() => parseStepPayload({ index: 0, tool: 'Read' })).toThrow(/namespaced tool name/);
    expect(parseStepPayload({ index: 2, tool: 'fs/read-file', input: { path: 'a' } })).toEqual({
      index: 2,
      tool: 'fs/read-file',
      input: { path: 'a' },
    });
  });
});
