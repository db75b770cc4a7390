import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reconciliationPayloadSchema, type InvariantResult } from '../../src/domain/index.js';
import { tempDir } from '../helpers/temp.js';
import { planYaml, step } from './fixtures.js';
import { cleanups, flatten, project, reconciledEvents } from './invariants-fixture.js';

const INVARIANTS = [
  { id: 'readme-present', check: 'command', run: 'test -f README.md' },
  { id: 'has-source', check: 'file-exists', path: 'src/a.ts' },
  { id: 'no-debug-log', check: 'file-absent', path: 'debug.log' },
  { id: 'in-scope', check: 'paths-within' },
  { id: 'merged', check: 'no-conflicts', description: 'nothing left to resolve' },
];

const PASSING = planYaml({
  name: 'demo/passing',
  automation: 'review',
  resourceScopes: ['src/**', 'docs/**'],
  invariants: INVARIANTS,
  validate: [{ run: 'test -f src/b.ts && test -f docs/guide.md' }],
  strategy: {
    steps: [
      step('Add b', 'fs/write-file', { path: 'src/b.ts', content: 'export const b = 2;\n' }),
      step('Extend b', 'shell/run', { command: 'echo "export const c = 3;" >> src/b.ts' }),
      step('Document', 'fs/write-file', { path: 'docs/guide.md', content: '# guide\n' }),
    ],
  },
});

describe.each(['level', 'memory'] as const)('a plan whose invariants hold (%s store)', (store) => {
  it('reconciles after strategize, after each step and after validate, journaled in that order', async () => {
    const { runtime } = await project({ store });
    const plan = await runtime.createPlan(PASSING);
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'validate', status: 'complete', lastCompletedStep: 2, error: null });

    const events = await runtime.events(plan.id);
    expect(events.map((event) => event.type)).toEqual([
      'plan.created',
      'phase.started',
      'invariant.reconciled',
      'phase.completed',
      'checkpoint.created',
      'phase.started',
      'checkpoint.created',
      'step.started',
      'tool.called',
      'step.completed',
      'invariant.reconciled',
      'checkpoint.created',
      'step.started',
      'tool.called',
      'step.completed',
      'invariant.reconciled',
      'checkpoint.created',
      'step.started',
      'tool.called',
      'step.completed',
      'invariant.reconciled',
      'checkpoint.created',
      'phase.completed',
      'checkpoint.created',
      'phase.started',
      'invariant.reconciled',
      'phase.completed',
      'checkpoint.created',
    ]);
    const reconciled = reconciledEvents(events);
    expect(reconciled.map(({ trigger, step: index }) => [trigger, index])).toEqual([
      ['post-strategize', undefined],
      ['post-step', 0],
      ['post-step', 1],
      ['post-step', 2],
      ['post-validate', undefined],
    ]);
    expect(events.filter((event) => event.type.startsWith('invariant.')).map((event) => event.phase)).toEqual([
      'strategize',
      'execute',
      'execute',
      'execute',
      'validate',
    ]);
    for (const { results } of reconciled) {
      expect(results.map((result) => [result.id, result.tier, result.check, result.passed])).toEqual(
        INVARIANTS.map((invariant) => [invariant.id, 'plan', invariant.check, true]),
      );
    }
    // paths-within saw the committed changes grow step by step
    expect(reconciled.map(({ results }) => results.find((result) => result.id === 'in-scope')!.message)).toEqual([
      '0 changed path(s), all within src/**, docs/**',
      '1 changed path(s), all within src/**, docs/**',
      '1 changed path(s), all within src/**, docs/**',
      '2 changed path(s), all within src/**, docs/**',
      '2 changed path(s), all within src/**, docs/**',
    ]);
  });

  it('records each reconciliation as a structured decision under the decision that triggered it', async () => {
    const { runtime } = await project({ store });
    const plan = await runtime.createPlan(PASSING);
    const record = await runtime.run(plan.id);
    const { root } = await runtime.explain(plan.id);
    expect(root).toMatchObject({ id: record.decisionRootId, type: 'strategy' });

    // under the strategy root: after strategize, then after validate
    const rootReconciliations = root!.children.filter((child) => child.type === 'reconciliation');
    expect(rootReconciliations.map((decision) => decision.payload.trigger)).toEqual([
      'post-strategize',
      'post-validate',
    ]);
    // under each step: the reconciliation after it
    const steps = root!.children.filter((child) => child.type === 'step');
    expect(steps.map((child) => child.id)).toEqual(record.strategyDecisionIds);
    expect(
      steps.map((child) =>
        child.children.map((grandchild) => [grandchild.type, grandchild.payload.trigger, grandchild.payload.step]),
      ),
    ).toEqual([
      [['reconciliation', 'post-step', 0]],
      [['reconciliation', 'post-step', 1]],
      [['reconciliation', 'post-step', 2]],
    ]);

    const reconciliations = flatten(root).filter((decision) => decision.type === 'reconciliation');
    expect(reconciliations).toHaveLength(5);
    for (const decision of reconciliations) {
      expect(decision).toMatchObject({ planId: plan.id, actor: 'default', status: 'active' });
      expect(reconciliationPayloadSchema.parse(decision.payload)).toEqual(decision.payload);
      expect(decision.payload).toMatchObject({ enabled: true, outcome: 'reconciled' });
      expect(Object.keys(decision.payload).sort()).toEqual(
        decision.payload.trigger === 'post-step'
          ? ['enabled', 'outcome', 'results', 'step', 'trigger']
          : ['enabled', 'outcome', 'results', 'trigger'],
      );
      const results = decision.payload.results as InvariantResult[];
      expect(results.map((result) => Object.keys(result).sort())).toEqual(
        INVARIANTS.map(() => ['check', 'durationMs', 'id', 'message', 'passed', 'tier']),
      );
      expect(results.map((result) => result.id)).toEqual(INVARIANTS.map((invariant) => invariant.id));
      expect(decision.rationale).toBe(
        `every invariant holds: ${INVARIANTS.map((invariant) => `${invariant.id} (plan)`).join(', ')}`,
      );
    }
    expect(rootReconciliations.map((decision) => decision.title)).toEqual([
      '5 invariants hold after strategize',
      '5 invariants hold after validate',
    ]);
    expect(steps[1]!.children[0]!.title).toBe('5 invariants hold after step 2');

    // the strategist decided to respect each invariant
    const enforcement = root!.children.filter((child) => child.type === 'invariant_enforcement');
    expect(enforcement.map((decision) => decision.payload)).toEqual(
      INVARIANTS.map((invariant) => ({ invariantId: invariant.id, tier: 'plan', check: invariant.check })),
    );
    expect(enforcement.map((decision) => decision.actor)).toEqual(INVARIANTS.map(() => 'scripted'));
    expect(enforcement.find((decision) => decision.payload.invariantId === 'merged')!.rationale).toBe(
      'nothing left to resolve',
    );
  });
});

describe('reconciliation: false', () => {
  it('checks nothing, records one reconciliation decision saying so, and the plan runs through', async () => {
    const { dir, runtime } = await project();
    const outside = await tempDir('troupe-marker-');
    cleanups.push(outside.cleanup);
    const marker = join(outside.dir, 'checked');
    const plan = await runtime.createPlan(
      planYaml({
        automation: 'auto',
        reconciliation: false,
        invariants: [
          { id: 'licensed', check: 'file-exists', path: 'LICENSE' },
          { id: 'never-run', check: 'command', run: `touch ${marker}; exit 1` },
        ],
        strategy: { steps: [step('Write', 'fs/write-file', { path: 'src/b.ts', content: 'b\n' })] },
      }),
    );
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'apply', status: 'done', error: null });
    expect(existsSync(join(dir, 'src', 'b.ts'))).toBe(true);
    expect(existsSync(marker)).toBe(false);
    expect((await runtime.events(plan.id)).some((event) => event.type.startsWith('invariant.'))).toBe(false);

    const decisions = flatten((await runtime.explain(plan.id)).root);
    const reconciliations = decisions.filter((decision) => decision.type === 'reconciliation');
    expect(reconciliations).toHaveLength(1);
    expect(reconciliations[0]).toMatchObject({
      parentId: record.decisionRootId,
      actor: 'runtime',
      payload: { enabled: false, trigger: null, outcome: null, results: [] },
      rationale: expect.stringContaining('licensed, never-run'),
    });
    expect(decisions.some((decision) => decision.type === 'invariant_enforcement')).toBe(false);
  });
});
