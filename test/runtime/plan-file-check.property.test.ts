import fc from 'fast-check';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { CheckRegistry, defineCheck } from '../../actors/index.js';
import { TroupeError, type PlanFileInput } from '../../src/domain/index.js';
import { checkPlanFile } from '../../src/runtime/plans/plan-file-check.js';
import { ToolRunner } from '../../src/tools/index.js';

const checks = new CheckRegistry([
  defineCheck({
    name: 'acme/lint-clean',
    description: 'the linter is happy',
    options: z.strictObject({
      maxWarnings: z.number().int().nonnegative().default(0),
      paths: z.array(z.string()).optional(),
    }),
    run: async () => ({ passed: true, message: 'clean' }),
  }),
  defineCheck({ name: 'acme/no-options', description: 'holds', run: async () => ({ passed: true, message: 'ok' }) }),
]);

const checkers = { tools: new ToolRunner(), checks, hasProject: async (name: string) => name === 'docs-site' };
const check = (source: unknown, subject?: string) => checkPlanFile(source, checkers, subject);

// a plan file with arbitrary invariants is either accepted by the schema and
// the registry, or refused with VALIDATION_ERROR: nothing else, ever
async function outcome(invariants: unknown): Promise<'ok' | 'VALIDATION_ERROR'> {
  try {
    await check({ name: 'demo/x', goal: 'g', invariants });
    return 'ok';
  } catch (error) {
    if (
      error instanceof TroupeError &&
      error.code === 'VALIDATION_ERROR' &&
      /invariants/.test(JSON.stringify(error.details ?? {}) + error.message)
    )
      return 'VALIDATION_ERROR';
    throw error;
  }
}

const invariantLike = fc.record(
  {
    id: fc.oneof(fc.constantFrom('a', 'b', 'tests-pass'), fc.string()),
    check: fc.oneof(
      fc.constantFrom(
        'command',
        'file-exists',
        'file-absent',
        'paths-within',
        'no-conflicts',
        'acme/lint-clean',
        'acme/no-options',
        'acme/unknown',
        'Acme/x',
      ),
      fc.string(),
    ),
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
  it('answers every list of invariants with acceptance or a VALIDATION_ERROR naming invariants', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(invariantLike, fc.anything()), { maxLength: 6 }), async (invariants) => {
        const result = await outcome(invariants);
        expect(['ok', 'VALIDATION_ERROR']).toContain(result);
        // a field no check knows is never accepted
        if (invariants.some((invariant) => typeof invariant === 'object' && invariant !== null && 'extra' in invariant))
          expect(result).toBe('VALIDATION_ERROR');
      }),
      { numRuns: 400 },
    );
  });

  it('accepts a registered check with valid options and applies its defaults', async () => {
    const spec = await check({ name: 'demo/x', goal: 'g', invariants: [{ id: 'lint', check: 'acme/lint-clean' }] });
    const [invariant] = spec.invariants;
    expect(checks.withDefaults(invariant!)).toEqual({ id: 'lint', check: 'acme/lint-clean', maxWarnings: 0 });
  });

  it('names each bad option of a registered check, and an unregistered one', async () => {
    const source: PlanFileInput = {
      name: 'demo/x',
      goal: 'g',
      invariants: [
        { id: 'lint', check: 'acme/lint-clean', maxWarnings: -1, colour: 'red' },
        { id: 'plain', check: 'acme/no-options', level: 3 },
        { id: 'who', check: 'acme/unknown' },
      ],
    };
    const error = await check(source, 'plan.yaml').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR' });
    const issues = (error as TroupeError).details?.issues as { path: string; message: string }[];
    expect(issues.map((issue) => issue.path)).toEqual([
      'invariants[0].maxWarnings',
      'invariants[0].colour',
      'invariants[1].level',
      'invariants[2].check',
    ]);
    expect(issues[3]?.message).toBe(
      'no check named "acme/unknown" is registered (registered: acme/lint-clean, acme/no-options)',
    );
    expect((error as TroupeError).message).toMatch(/^plan\.yaml: 4 problems/);
  });
});

// A plan file with any set of independent mistakes, each in its own place:
// one pass reports every one of them, each under its own field, and nothing
// else; no set of them makes the check throw anything but a coded error.
interface Fault {
  /** What it breaks, and every field it is reported at. */
  paths: string[];
  code: 'VALIDATION_ERROR' | 'SANDBOX_ESCAPE' | 'SCOPE_VIOLATION';
  // a fault reaches anywhere into the plan file: any, as JSON.parse gives it
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  apply: (plan: Record<string, any>) => void;
}

const writeStep = (path: string) => ({
  title: `Write ${path}`,
  tool: 'fs/write-file',
  input: { path, content: 'x\n' },
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see Fault.apply
function cleanPlan(): Record<string, any> {
  return {
    name: 'demo/faults',
    goal: 'Every mistake at once',
    resourceScopes: ['src/**'],
    invariants: [
      { id: 'lint', check: 'acme/lint-clean', maxWarnings: 0 },
      { id: 'readme', check: 'file-exists', path: 'README.md' },
    ],
    validate: [{ run: 'npm test' }],
    env: { A: 'a' },
    strategy: {
      steps: [
        writeStep('src/0.txt'),
        writeStep('src/1.txt'),
        writeStep('src/2.txt'),
        writeStep('src/3.txt'),
        {
          title: 'Fan out',
          subplans: {
            maxParallel: 2,
            entries: [
              { goal: 'In c', resourceScopes: ['src/c/**'], strategy: { steps: [writeStep('src/c/x.txt')] } },
              { goal: 'In the docs site', project: 'docs-site' },
              { goal: 'Deep', resourceScopes: ['src/d/**'] },
            ],
          },
        },
        writeStep('src/5.txt'),
        { title: 'Test', tool: 'shell/run', input: { command: 'npm test' } },
      ],
    },
  };
}

// a chain of children `depth` levels deep, as the strategy of a child
function deepStrategy(depth: number): Record<string, unknown> {
  let strategy: Record<string, unknown> = { steps: [] };
  for (let level = 0; level < depth; level += 1)
    strategy = {
      steps: [{ title: 'Deeper', subplans: { entries: [{ goal: 'g', resourceScopes: ['**'], strategy }] } }],
    };
  return strategy;
}

const FAULTS: Fault[] = [
  { paths: ['automation'], code: 'VALIDATION_ERROR', apply: (plan) => (plan.automation = 'fast') },
  { paths: ['definitonOfDone'], code: 'VALIDATION_ERROR', apply: (plan) => (plan.definitonOfDone = 'done') },
  {
    paths: ['strategy.steps[0].input.content', 'strategy.steps[0].input.contnet'],
    code: 'VALIDATION_ERROR',
    apply: (plan) => (plan.strategy.steps[0].input = { path: 'src/0.txt', contnet: 'x' }),
  },
  {
    paths: ['strategy.steps[1].input.path'],
    code: 'SANDBOX_ESCAPE',
    apply: (plan) => (plan.strategy.steps[1].input.path = '../outside.txt'),
  },
  {
    paths: ['strategy.steps[2].input.path'],
    code: 'SCOPE_VIOLATION',
    apply: (plan) => (plan.strategy.steps[2].input.path = 'docs/2.txt'),
  },
  {
    paths: ['strategy.steps[3].title'],
    code: 'VALIDATION_ERROR',
    apply: (plan) => (plan.strategy.steps[3].title = 'Write\u0000'),
  },
  {
    paths: ['strategy.steps[3].input.__proto__'],
    code: 'VALIDATION_ERROR',
    apply: (plan) =>
      (plan.strategy.steps[3].input = JSON.parse('{"path":"src/3.txt","content":"x","__proto__":{"polluted":true}}')),
  },
  {
    paths: ['invariants[0].maxWarnings'],
    code: 'VALIDATION_ERROR',
    apply: (plan) => (plan.invariants[0].maxWarnings = -1),
  },
  {
    paths: ['invariants[1].check'],
    code: 'VALIDATION_ERROR',
    apply: (plan) => (plan.invariants[1].check = 'file-exist'),
  },
  {
    paths: ['strategy.steps[4].subplans.maxParallel'],
    code: 'VALIDATION_ERROR',
    apply: (plan) => (plan.strategy.steps[4].subplans.maxParallel = 99),
  },
  {
    paths: ['strategy.steps[4].subplans.entries[0].strategy.steps[0].input.path'],
    code: 'SCOPE_VIOLATION',
    apply: (plan) => (plan.strategy.steps[4].subplans.entries[0].strategy.steps[0].input.path = 'src/x.txt'),
  },
  {
    paths: ['strategy.steps[4].subplans.entries[1].project'],
    code: 'VALIDATION_ERROR',
    apply: (plan) => (plan.strategy.steps[4].subplans.entries[1].project = 'nope-site'),
  },
  {
    paths: [
      `strategy.steps[4].subplans.entries[2].strategy${'.steps[0].subplans.entries[0].strategy'.repeat(15)}.steps[0].subplans`,
    ],
    code: 'VALIDATION_ERROR',
    apply: (plan) => (plan.strategy.steps[4].subplans.entries[2].strategy = deepStrategy(30)),
  },
  {
    paths: ['strategy.steps[5].tool'],
    code: 'VALIDATION_ERROR',
    apply: (plan) => (plan.strategy.steps[5].tool = 'fs/write-fil'),
  },
  {
    paths: ['validate[0].rn', 'validate[0].run'],
    code: 'VALIDATION_ERROR',
    apply: (plan) => (plan.validate[0] = { rn: 'npm test' }),
  },
  {
    paths: ['strategy.steps[6].input.command'],
    code: 'VALIDATION_ERROR',
    apply: (plan) => (plan.strategy.steps[6].input.command = 'npm test\u0000'),
  },
  { paths: ['env.A'], code: 'VALIDATION_ERROR', apply: (plan) => (plan.env.A = 'a\u0000') },
];

describe('plan file check in one pass (property)', () => {
  it('reports every mistake of a plan file at once, each where it is, under the code they share', async () => {
    await fc.assert(
      fc.asyncProperty(fc.subarray(FAULTS.map((_, index) => index)), fc.boolean(), async (chosen, asText) => {
        const plan = cleanPlan();
        for (const index of chosen) FAULTS[index]!.apply(plan);
        // as YAML text the __proto__ key stays an own key too
        const source = asText ? JSON.stringify(plan) : plan;
        const outcome = await check(source).then(
          () => null,
          (error: unknown) => error,
        );
        if (chosen.length === 0) {
          expect(outcome).toBeNull();
          return;
        }
        expect(outcome).toBeInstanceOf(TroupeError);
        const error = outcome as TroupeError;
        const reported = ((error.details?.issues ?? []) as { path: string }[]).map((issue) => issue.path);
        const expected = chosen.flatMap((index) => FAULTS[index]!.paths);
        expect([...reported].sort()).toEqual([...expected].sort());
        const codes = new Set(chosen.map((index) => FAULTS[index]!.code));
        expect(error.code).toBe(codes.size === 1 ? [...codes][0] : 'VALIDATION_ERROR');
      }),
      { numRuns: 150 },
    );
  });

  it('answers any value with a plan or a coded error, never a throw of anything else', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.anything({ withBigInt: true, withSparseArray: true }), fc.string({ maxLength: 300 })),
        async (value) => {
          const outcome = await check(value).then(
            () => 'ok',
            (error: unknown) => error,
          );
          if (outcome !== 'ok') expect(outcome).toBeInstanceOf(TroupeError);
        },
      ),
      { numRuns: 300 },
    );
  });
});
