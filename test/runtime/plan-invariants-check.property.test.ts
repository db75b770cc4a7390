import fc from 'fast-check';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { CheckRegistry, defineCheck } from '../../actors/index.js';
import { parsePlanFile, TroupeError } from '../../src/domain/index.js';
import { checkPlanInvariants } from '../../src/runtime/plan-invariants-check.js';

const checks = new CheckRegistry([
  defineCheck({
    name: 'acme/lint-clean',
    description: 'the linter is happy',
    options: z.strictObject({ maxWarnings: z.number().int().nonnegative().default(0), paths: z.array(z.string()).optional() }),
    run: async () => ({ passed: true, message: 'clean' }),
  }),
  defineCheck({ name: 'acme/no-options', description: 'holds', run: async () => ({ passed: true, message: 'ok' }) }),
]);

// a plan file with arbitrary invariants is either accepted by the schema and
// the registry, or refused with VALIDATION_ERROR: nothing else, ever
function outcome(invariants: unknown): 'ok' | 'VALIDATION_ERROR' {
  try {
    const spec = parsePlanFile({ name: 'demo/x', goal: 'g', invariants });
    checkPlanInvariants(checks, spec, 'plan file');
    return 'ok';
  } catch (error) {
    if (error instanceof TroupeError && error.code === 'VALIDATION_ERROR' && /invariants/.test(JSON.stringify(error.details ?? {}) + error.message)) return 'VALIDATION_ERROR';
    throw error;
  }
}

const invariantLike = fc.record(
  {
    id: fc.oneof(fc.constantFrom('a', 'b', 'tests-pass'), fc.string()),
    check: fc.oneof(fc.constantFrom('command', 'file-exists', 'file-absent', 'paths-within', 'no-conflicts', 'acme/lint-clean', 'acme/no-options', 'acme/unknown', 'Acme/x'), fc.string()),
    run: fc.oneof(fc.string(), fc.integer()),
    path: fc.oneof(fc.constantFrom('README.md', '../x', '/etc/passwd', '.git/config', ''), fc.string()),
    timeoutMs: fc.oneof(fc.integer({ min: -10, max: 200_000 }), fc.double()),
    maxWarnings: fc.oneof(fc.integer({ min: -3, max: 5 }), fc.string()),
    paths: fc.anything(),
    extra: fc.anything(),
  },
  { requiredKeys: ['id', 'check'] },
);

describe('invariant validation (property)', () => {
  it('answers every list of invariants with acceptance or a VALIDATION_ERROR naming invariants', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(invariantLike, fc.anything()), { maxLength: 6 }), (invariants) => {
        const result = outcome(invariants);
        expect(['ok', 'VALIDATION_ERROR']).toContain(result);
        // a field no check knows is never accepted
        if (invariants.some((invariant) => typeof invariant === 'object' && invariant !== null && 'extra' in invariant)) expect(result).toBe('VALIDATION_ERROR');
      }),
      { numRuns: 400 },
    );
  });

  it('accepts a registered check with valid options and applies its defaults', () => {
    const spec = parsePlanFile({ name: 'demo/x', goal: 'g', invariants: [{ id: 'lint', check: 'acme/lint-clean' }] });
    expect(() => checkPlanInvariants(checks, spec, 'plan file')).not.toThrow();
    const [invariant] = spec.invariants;
    expect(checks.withDefaults(invariant!)).toEqual({ id: 'lint', check: 'acme/lint-clean', maxWarnings: 0 });
  });

  it('names each bad option of a registered check, and an unregistered one', () => {
    const spec = parsePlanFile({
      name: 'demo/x',
      goal: 'g',
      invariants: [
        { id: 'lint', check: 'acme/lint-clean', maxWarnings: -1, colour: 'red' },
        { id: 'plain', check: 'acme/no-options', level: 3 },
        { id: 'who', check: 'acme/unknown' },
      ],
    });
    let error: unknown;
    try {
      checkPlanInvariants(checks, spec, 'plan.yaml');
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR' });
    const issues = (error as TroupeError).details?.issues as { path: string; message: string }[];
    expect(issues.map((issue) => issue.path)).toEqual(['invariants[0].maxWarnings', 'invariants[0].colour', 'invariants[1].level', 'invariants[2].check']);
    expect(issues[3]?.message).toBe('no check named "acme/unknown" is registered (registered: acme/lint-clean, acme/no-options)');
    expect((error as TroupeError).message).toMatch(/^plan\.yaml: 4 problems/);
  });
});
