import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePlanFile, TroupeError } from '../../src/domain/index.js';

// whatever arrives as a plan file, the validator answers with a parsed plan
// or a VALIDATION_ERROR naming fields: it never throws anything else
function outcome(source: unknown): 'ok' | 'VALIDATION_ERROR' {
  try {
    parsePlanFile(source);
    return 'ok';
  } catch (error) {
    if (error instanceof TroupeError && error.code === 'VALIDATION_ERROR' && error.message.length > 0)
      return 'VALIDATION_ERROR';
    throw error;
  }
}

const planLike = fc.record(
  {
    name: fc.oneof(fc.string(), fc.constantFrom('demo/x', 'a/b', 'Demo/x', 'demo', 'demo/x/y')),
    goal: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
    automation: fc.oneof(fc.constantFrom('manual', 'review', 'auto'), fc.string()),
    resourceScopes: fc.array(fc.oneof(fc.string(), fc.constantFrom('src/**', '/etc', '../x', ''))),
    maxReversions: fc.oneof(fc.integer({ min: -5, max: 200 }), fc.double()),
    invariants: fc.array(
      fc.record(
        {
          id: fc.string(),
          check: fc.oneof(fc.string(), fc.constantFrom('command', 'file-exists', 'paths-within')),
          run: fc.string(),
          path: fc.string(),
        },
        { requiredKeys: [] },
      ),
    ),
    strategy: fc.record(
      {
        steps: fc.array(
          fc.oneof(
            fc.record({ title: fc.string(), tool: fc.string(), input: fc.anything() }, { requiredKeys: [] }),
            fc.anything(),
          ),
        ),
      },
      { requiredKeys: [] },
    ),
    extra: fc.anything(),
  },
  { requiredKeys: [] },
);

describe('plan file validation (property)', () => {
  it('never throws anything but VALIDATION_ERROR for arbitrary values', () => {
    fc.assert(
      fc.property(
        fc.anything({
          withBigInt: true,
          withDate: true,
          withMap: true,
          withSet: true,
          withTypedArray: true,
          withSparseArray: true,
        }),
        (value) => {
          expect(['ok', 'VALIDATION_ERROR']).toContain(outcome(value));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never throws anything but VALIDATION_ERROR for arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
        expect(['ok', 'VALIDATION_ERROR']).toContain(outcome(text));
      }),
      { numRuns: 500 },
    );
  });

  it('answers VALIDATION_ERROR for plan-shaped objects with wrong fields, and accepts the valid ones', () => {
    fc.assert(
      fc.property(planLike, (value) => {
        const result = outcome(value);
        expect(['ok', 'VALIDATION_ERROR']).toContain(result);
        if ('extra' in value) expect(result).toBe('VALIDATION_ERROR');
      }),
      { numRuns: 500 },
    );
  });

  it('judges a plan-shaped object and its YAML text alike', async () => {
    const { stringify } = await import('yaml');
    fc.assert(
      fc.property(planLike, (value) => {
        const plain = JSON.parse(JSON.stringify(value)) as unknown;
        expect(outcome(stringify(plain))).toBe(outcome(plain));
      }),
      { numRuns: 200 },
    );
  });
});
