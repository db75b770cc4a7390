import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AUTOMATIONS,
  CONFLICT_KINDS,
  ERROR_CODES,
  PHASES,
  PLAN_STATUSES,
  STORED_PLAN_RECORD_KEYS,
  planRecordSchema,
  quickStoredPlanRecord,
} from '../../src/domain/index.js';

// the store reads plan records through quickStoredPlanRecord and falls back to the schema:
// it must never accept what the schema refuses, and must give back exactly what the schema would

const storedSchema = planRecordSchema.omit({ strategyDecisionIds: true });

// a __proto__ key is left to the schema (the last test): valid records here have none
const key = fc.string().filter((text) => text !== '__proto__');

const planError = fc.record(
  {
    code: fc.constantFrom(...ERROR_CODES),
    message: fc.string(),
    phase: fc.constantFrom(...PHASES),
    step: fc.integer({ min: -3, max: 40 }),
    details: fc.dictionary(key, fc.jsonValue()),
    hint: fc.string(),
    retryable: fc.boolean(),
  },
  { requiredKeys: ['code', 'message', 'phase', 'retryable'] },
);

const nullableString = fc.option(fc.string(), { nil: null });

const storedRecord = fc.record(
  {
    id: fc.string(),
    name: fc.string(),
    goal: fc.string(),
    parentId: nullableString,
    rootId: fc.string(),
    project: fc.string(),
    phase: fc.constantFrom(...PHASES),
    status: fc.constantFrom(...PLAN_STATUSES),
    automation: fc.constantFrom(...AUTOMATIONS),
    decisionRootId: nullableString,
    changesetId: nullableString,
    toolCalls: fc.nat(),
    sandbox: fc.option(
      fc.record(
        {
          worktree: fc.string(),
          branch: fc.string(),
          baseCommit: fc.string(),
          headCommit: fc.string(),
          repo: fc.string(),
        },
        { requiredKeys: ['worktree', 'branch', 'baseCommit', 'headCommit'] },
      ),
      { nil: null },
    ),
    lastCompletedStep: fc.option(fc.integer({ min: -1, max: 1000 }), { nil: null }),
    lastCheckpointId: nullableString,
    reversionCount: fc.nat(),
    subplanConfig: fc.option(fc.dictionary(key, fc.jsonValue()), { nil: null }),
    subplanStatuses: fc.dictionary(
      key,
      fc.record({
        name: fc.string(),
        status: fc.constantFrom('pending', 'running', 'retrying', 'complete', 'failed', 'cancelled', 'invalidated'),
        attempt: fc.nat(),
        error: fc.option(planError, { nil: null }),
      }),
    ),
    predictedConflicts: fc.array(
      fc.record({
        step: fc.nat(),
        children: fc.tuple(fc.string(), fc.string()),
        names: fc.tuple(fc.string(), fc.string()),
        files: fc.array(fc.string()),
        kinds: fc.array(fc.constantFrom(...CONFLICT_KINDS)),
      }),
    ),
    appliedCommit: nullableString,
    agentDriven: fc.boolean(),
    models: fc.record({
      calls: fc.nat(),
      inputTokens: fc.nat(),
      outputTokens: fc.nat(),
      totalTokens: fc.nat(),
      latencyMs: fc.oneof(fc.nat(), fc.double({ min: 0, max: 1e9, noNaN: true })),
      models: fc.array(fc.string()),
    }),
    error: fc.option(planError, { nil: null }),
    createdAt: fc.string(),
    updatedAt: fc.string(),
  },
  // records written before agent-driven plans have no agentDriven, before predictions no predictedConflicts; a plan that called no model has no models
  {
    requiredKeys: STORED_PLAN_RECORD_KEYS.filter(
      (key) => key !== 'agentDriven' && key !== 'predictedConflicts' && key !== 'models',
    ),
  },
);

// a record damaged somewhere: a field (at any depth) given another value or removed, or a field added
const damaged = fc
  .tuple(storedRecord, fc.nat(), fc.oneof(fc.jsonValue(), fc.constant(undefined)), fc.string())
  .map(([record, pick, value, key]) => {
    const copy = JSON.parse(JSON.stringify(record)) as Record<string, unknown>;
    const objects: Record<string, unknown>[] = [];
    const walk = (node: unknown) => {
      if (typeof node !== 'object' || node === null) return;
      if (!Array.isArray(node)) objects.push(node as Record<string, unknown>);
      Object.values(node).forEach(walk);
    };
    walk(copy);
    const target = objects[pick % objects.length]!;
    const keys = Object.keys(target);
    const field = pick % 3 === 0 || keys.length === 0 ? key : keys[pick % keys.length]!;
    if (value === undefined) delete target[field];
    else target[field] = value;
    return JSON.parse(JSON.stringify(copy)) as unknown;
  });

describe('reading a stored plan record without the schema', () => {
  it('knows the fields of the schema, in its order', () => {
    expect([...STORED_PLAN_RECORD_KEYS]).toEqual(Object.keys(storedSchema.shape));
  });

  it('gives back exactly what the schema gives for every valid record, fields in the same order', () => {
    fc.assert(
      fc.property(storedRecord, (record) => {
        const value = JSON.parse(JSON.stringify({ ...record, unknownField: 1 })) as unknown;
        const quick = quickStoredPlanRecord(value);
        expect(quick).toBeDefined();
        expect(JSON.stringify(quick)).toBe(JSON.stringify(storedSchema.parse(value)));
      }),
      { numRuns: 300 },
    );
  });

  it('never vouches for a record the schema refuses, and agrees with it on what it accepts', () => {
    fc.assert(
      fc.property(damaged, (value) => {
        const quick = quickStoredPlanRecord(value);
        const checked = storedSchema.safeParse(value);
        if (!checked.success) expect(quick).toBeUndefined();
        if (quick !== undefined) expect(JSON.stringify(quick)).toBe(JSON.stringify(checked.data));
      }),
      { numRuns: 1000 },
    );
    // some seeds draw large damaged records: a thousand of them took 72 s on a busy 2-core machine
  }, 180_000);

  it('leaves what it cannot tell to the schema: not an object, an array, a __proto__ key', () => {
    const valid = fc.sample(storedRecord, { numRuns: 1, seed: 7 })[0]!;
    expect(quickStoredPlanRecord(null)).toBeUndefined();
    expect(quickStoredPlanRecord([valid])).toBeUndefined();
    expect(
      quickStoredPlanRecord(JSON.parse(JSON.stringify(valid).replace('{', '{"__proto__":{"x":1},'))),
    ).toBeUndefined();
    expect(
      quickStoredPlanRecord({ ...valid, subplanConfig: JSON.parse('{"__proto__":1}') as unknown }),
    ).toBeUndefined();
  });
});
