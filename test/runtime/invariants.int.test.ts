import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineCheck, type Reconciler } from '../../actors/index.js';
import { reconciliationPayloadSchema, type DecisionNode, type InvariantResult, type JournalEvent } from '../../src/domain/index.js';
import { createRuntime, type RuntimeOptions } from '../../src/runtime/index.js';
import type { LocalRuntime } from '../../src/runtime/local-runtime.js';
import { LevelStore, defaultStorePath } from '../../src/store/index.js';
import { processesRunning, processesWith } from '../helpers/processes.js';
import { startCallCounter } from '../helpers/call-counter.js';
import { rejection } from '../helpers/rejection.js';
import { git, tempDir, tempRepo, visibleTempDir } from '../helpers/temp.js';
import { planYaml, step } from './fixtures.js';

// Invariant reconciliation end to end: createRuntime on a temp git repo,
// real worktrees, LevelDB (or the memory store), the real checks.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const FILES = { 'README.md': '# project\n', 'src/a.ts': 'export const a = 1;\n' };

/** A temp git project (with `.troupe/config.json` when given); its real path. Removed after the test. */
async function projectDir(config?: unknown): Promise<string> {
  const repo = await tempRepo(FILES);
  cleanups.push(repo.cleanup);
  const dir = realpathSync(repo.dir);
  if (config !== undefined) {
    mkdirSync(join(dir, '.troupe'), { recursive: true });
    writeFileSync(join(dir, '.troupe', 'config.json'), JSON.stringify(config));
  }
  return dir;
}

/** A runtime on `dir`, closed after the test. */
async function runtimeOn(dir: string, options: Omit<RuntimeOptions, 'dir'> = {}): Promise<LocalRuntime> {
  const runtime = await createRuntime({ dir, report: () => {}, ...options });
  cleanups.push(() => runtime.close());
  return runtime;
}

async function project(options: Omit<RuntimeOptions, 'dir'> & { config?: unknown } = {}): Promise<{ dir: string; runtime: LocalRuntime }> {
  const { config, ...rest } = options;
  const dir = await projectDir(config);
  return { dir, runtime: await runtimeOn(dir, rest) };
}

/** Every decision of a tree, depth first. */
function flatten(node: DecisionNode | null): DecisionNode[] {
  return node ? [node, ...node.children.flatMap(flatten)] : [];
}

function reconciledEvents(events: JournalEvent[]): { type: string; trigger: unknown; step: unknown; results: InvariantResult[] }[] {
  return events
    .filter((event) => event.type.startsWith('invariant.'))
    .map((event) => ({ type: event.type, trigger: event.data.trigger, step: event.data.step, results: event.data.results as InvariantResult[] }));
}

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
      'phase.started', 'invariant.reconciled', 'phase.completed', 'checkpoint.created',
      'phase.started', 'checkpoint.created',
      'step.started', 'tool.called', 'step.completed', 'invariant.reconciled', 'checkpoint.created',
      'step.started', 'tool.called', 'step.completed', 'invariant.reconciled', 'checkpoint.created',
      'step.started', 'tool.called', 'step.completed', 'invariant.reconciled', 'checkpoint.created',
      'phase.completed', 'checkpoint.created',
      'phase.started', 'invariant.reconciled', 'phase.completed', 'checkpoint.created',
    ]);
    const reconciled = reconciledEvents(events);
    expect(reconciled.map(({ trigger, step: index }) => [trigger, index])).toEqual([
      ['post-strategize', undefined],
      ['post-step', 0],
      ['post-step', 1],
      ['post-step', 2],
      ['post-validate', undefined],
    ]);
    expect(events.filter((event) => event.type.startsWith('invariant.')).map((event) => event.phase)).toEqual(['strategize', 'execute', 'execute', 'execute', 'validate']);
    for (const { results } of reconciled) {
      expect(results.map((result) => [result.id, result.tier, result.check, result.passed])).toEqual(INVARIANTS.map((invariant) => [invariant.id, 'plan', invariant.check, true]));
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
    expect(rootReconciliations.map((decision) => decision.payload.trigger)).toEqual(['post-strategize', 'post-validate']);
    // under each step: the reconciliation after it
    const steps = root!.children.filter((child) => child.type === 'step');
    expect(steps.map((child) => child.id)).toEqual(record.strategyDecisionIds);
    expect(steps.map((child) => child.children.map((grandchild) => [grandchild.type, grandchild.payload.trigger, grandchild.payload.step]))).toEqual([
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
      expect(Object.keys(decision.payload).sort()).toEqual(decision.payload.trigger === 'post-step' ? ['enabled', 'outcome', 'results', 'step', 'trigger'] : ['enabled', 'outcome', 'results', 'trigger']);
      const results = decision.payload.results as InvariantResult[];
      expect(results.map((result) => Object.keys(result).sort())).toEqual(INVARIANTS.map(() => ['check', 'durationMs', 'id', 'message', 'passed', 'tier']));
      expect(results.map((result) => result.id)).toEqual(INVARIANTS.map((invariant) => invariant.id));
      expect(decision.rationale).toBe(`every invariant holds: ${INVARIANTS.map((invariant) => `${invariant.id} (plan)`).join(', ')}`);
    }
    expect(rootReconciliations.map((decision) => decision.title)).toEqual(['5 invariants hold after strategize', '5 invariants hold after validate']);
    expect(steps[1]!.children[0]!.title).toBe('5 invariants hold after step 2');

    // the strategist decided to respect each invariant
    const enforcement = root!.children.filter((child) => child.type === 'invariant_enforcement');
    expect(enforcement.map((decision) => decision.payload)).toEqual(INVARIANTS.map((invariant) => ({ invariantId: invariant.id, tier: 'plan', check: invariant.check })));
    expect(enforcement.map((decision) => decision.actor)).toEqual(INVARIANTS.map(() => 'scripted'));
    expect(enforcement.find((decision) => decision.payload.invariantId === 'merged')!.rationale).toBe('nothing left to resolve');
  });
});

describe('a violation', () => {
  const LEAKY = planYaml({
    name: 'demo/leaky',
    automation: 'review',
    invariants: [
      { id: 'has-source', check: 'file-exists', path: 'src/a.ts' },
      { id: 'no-debug-log', check: 'file-absent', path: 'debug.log' },
    ],
    strategy: {
      steps: [
        step('Add b', 'fs/write-file', { path: 'src/b.ts', content: 'b\n' }),
        step('Leave a log', 'shell/run', { command: 'echo oops > debug.log' }),
        step('Never', 'fs/write-file', { path: 'src/never.ts', content: 'never\n' }),
      ],
    },
  });

  it('after a step fails execute before the next step, naming the invariant, and execute cannot run again', async () => {
    const { dir, runtime } = await project();
    const plan = await runtime.createPlan(LEAKY);
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'execute', status: 'failed', lastCompletedStep: 1, toolCalls: 2 });
    expect(record.error).toMatchObject({
      code: 'INVARIANT_VIOLATED',
      phase: 'execute',
      step: 1,
      retryable: false,
      message: 'invariant "no-debug-log" (plan) does not hold after step 2: debug.log exists',
      details: { trigger: 'post-step', violations: [{ id: 'no-debug-log', tier: 'plan', check: 'file-absent', message: 'debug.log exists' }] },
    });
    const worktree = join(dir, record.sandbox!.worktree);
    expect(existsSync(join(worktree, 'debug.log'))).toBe(true);
    expect(existsSync(join(worktree, 'src', 'never.ts'))).toBe(false);
    expect(git(worktree, 'rev-list', '--count', `${record.sandbox!.baseCommit}..HEAD`)).toBe('2');

    const events = await runtime.events(plan.id);
    expect(events.some((event) => event.type === 'step.started' && event.data.index === 2)).toBe(false);
    expect(events.slice(-4).map((event) => event.type)).toEqual(['step.completed', 'invariant.violated', 'checkpoint.created', 'phase.failed']);
    expect(events.at(-3)!.data).toMatchObject({ trigger: 'post-step', step: 1 });
    // the step's checkpoint says the state it keeps broke an invariant: a revert skips it
    expect(events.at(-2)!.data).toMatchObject({ trigger: 'step', clean: false });
    expect(events.at(-1)).toMatchObject({ phase: 'execute', data: { code: 'INVARIANT_VIOLATED' } });

    // the violation is recorded under the step that caused it
    const { root } = await runtime.explain(plan.id);
    const leak = root!.children.find((child) => child.type === 'step' && child.payload.index === 1)!;
    expect(leak.children.map((child) => [child.type, child.payload.outcome, child.title])).toEqual([['reconciliation', 'violated', '1 of 2 invariants violated after step 2']]);
    expect(leak.children[0]!.rationale).toBe('no-debug-log (plan, file-absent): debug.log exists');

    await expect(runtime.runPhase(plan.id, 'execute')).rejects.toMatchObject({ code: 'PHASE_GUARD' });
    expect(await runtime.run(plan.id)).toMatchObject({ phase: 'execute', status: 'failed', lastCompletedStep: 1 });
    expect(existsSync(join(worktree, 'src', 'never.ts'))).toBe(false);
  });

  it('after strategize blocks execute: no step runs', async () => {
    const { dir, runtime } = await project();
    const plan = await runtime.createPlan(
      planYaml({
        automation: 'auto',
        invariants: [{ id: 'licensed', check: 'file-exists', path: 'LICENSE' }, { id: 'readme', check: 'file-exists', path: 'README.md' }],
        strategy: { steps: [step('Write', 'fs/write-file', { path: 'src/b.ts', content: 'b\n' })] },
      }),
    );
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'strategize', status: 'failed', lastCompletedStep: null });
    expect(record.error).toMatchObject({
      code: 'INVARIANT_VIOLATED',
      phase: 'strategize',
      retryable: false,
      details: { trigger: 'post-strategize', violations: [{ id: 'licensed', tier: 'plan', check: 'file-exists', message: 'LICENSE does not exist' }] },
    });
    expect(record.error!.message).toBe('invariant "licensed" (plan) does not hold after strategize: LICENSE does not exist');
    await expect(runtime.runPhase(plan.id, 'execute')).rejects.toMatchObject({ code: 'PHASE_GUARD' });
    const events = await runtime.events(plan.id);
    expect(events.map((event) => event.type)).toEqual(['plan.created', 'phase.started', 'invariant.violated', 'phase.failed']);
    const worktree = join(dir, record.sandbox!.worktree);
    expect(git(worktree, 'rev-parse', 'HEAD')).toBe(record.sandbox!.baseCommit);
    expect(existsSync(join(worktree, 'src', 'b.ts'))).toBe(false);
  });

  it('after validate blocks apply, and the project is untouched', async () => {
    const { dir, runtime } = await project();
    const head = git(dir, 'rev-parse', 'HEAD');
    const plan = await runtime.createPlan(
      planYaml({
        automation: 'auto',
        invariants: [{ id: 'no-coverage-files', check: 'file-absent', path: 'coverage.out' }],
        // validate leaves an artifact the invariant forbids
        validate: [{ run: 'echo 100% > coverage.out' }],
        strategy: { steps: [step('Write', 'fs/write-file', { path: 'src/b.ts', content: 'b\n' })] },
      }),
    );
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'validate', status: 'failed', appliedCommit: null });
    expect(record.error).toMatchObject({
      code: 'INVARIANT_VIOLATED',
      phase: 'validate',
      details: { trigger: 'post-validate', violations: [{ id: 'no-coverage-files', tier: 'plan', message: 'coverage.out exists' }] },
    });
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(dir, 'status', '--porcelain')).toBe('');
    expect(existsSync(join(dir, 'src', 'b.ts'))).toBe(false);
    const events = await runtime.events(plan.id);
    expect(events.some((event) => event.phase === 'apply')).toBe(false);
    expect(events.filter((event) => event.type.startsWith('invariant.')).map((event) => [event.type, event.data.trigger])).toEqual([
      ['invariant.reconciled', 'post-strategize'],
      ['invariant.reconciled', 'post-step'],
      ['invariant.violated', 'post-validate'],
    ]);
    await expect(runtime.runPhase(plan.id, 'apply')).rejects.toMatchObject({ code: 'PHASE_GUARD' });
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(head);
  });

  it('names every failed invariant with its tier when several fail at once', async () => {
    const { runtime } = await project({ config: { invariants: [{ id: 'no-debug-log', check: 'file-absent', path: 'debug.log' }] } });
    const plan = await runtime.createPlan(
      planYaml({
        invariants: [{ id: 'still-short', check: 'command', run: 'test ! -f debug.log || { echo "debug.log is not allowed" >&2; exit 1; }' }],
        strategy: { steps: [step('Log', 'shell/run', { command: 'echo x > debug.log' })] },
      }),
    );
    const record = await runtime.run(plan.id);
    expect(record.error).toMatchObject({
      code: 'INVARIANT_VIOLATED',
      message: '2 invariants do not hold after step 1: no-debug-log (project), still-short (plan)',
      details: {
        violations: [
          { id: 'no-debug-log', tier: 'project', check: 'file-absent', message: 'debug.log exists' },
          { id: 'still-short', tier: 'plan', check: 'command', message: 'exit code 1: debug.log is not allowed' },
        ],
      },
    });
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

describe('the project tier', () => {
  it('adds .troupe/config.json’s invariants, first, with tier project', async () => {
    const { runtime } = await project({ config: { invariants: [{ id: 'readme', check: 'file-exists', path: 'README.md' }] } });
    const plan = await runtime.createPlan(planYaml({ invariants: [{ id: 'source', check: 'file-exists', path: 'src/a.ts' }], strategy: { steps: [step('w', 'fs/write-file', { path: 'b', content: '' })] } }));
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'validate', status: 'complete' });
    const reconciled = reconciledEvents(await runtime.events(plan.id));
    expect(reconciled).toHaveLength(3);
    for (const { results } of reconciled) expect(results.map((result) => [result.id, result.tier, result.passed])).toEqual([['readme', 'project', true], ['source', 'plan', true]]);
    const enforcement = flatten((await runtime.explain(plan.id)).root).filter((decision) => decision.type === 'invariant_enforcement');
    expect(enforcement.map((decision) => [decision.payload.invariantId, decision.payload.tier])).toEqual([['readme', 'project'], ['source', 'plan']]);
  });

  it('checks a plan with no invariants of its own', async () => {
    const { runtime } = await project({ store: 'memory', config: { invariants: [{ id: 'readme', check: 'file-exists', path: 'README.md' }] } });
    const plan = await runtime.createPlan(planYaml({ strategy: { steps: [step('Drop the readme', 'shell/run', { command: 'rm README.md' })] } }));
    const record = await runtime.run(plan.id);
    expect(record.error).toMatchObject({ code: 'INVARIANT_VIOLATED', details: { violations: [{ id: 'readme', tier: 'project', message: 'README.md does not exist' }] } });
  });

  it('refuses a config invariant of a check nobody registered, naming the field, and leaves the store usable', async () => {
    for (const check of ['nope', 'acme/nope']) {
      const dir = await projectDir({ invariants: [{ id: 'x', check }] });
      const error = await rejection(createRuntime({ dir, report: () => {} }));
      expect(error.code, check).toBe('VALIDATION_ERROR');
      expect(error.message, check).toContain('invariants[0].check');
      expect(error.message, check).toContain('.troupe/config.json');
      // nothing was left open: fixing the config is enough
      writeFileSync(join(dir, '.troupe', 'config.json'), JSON.stringify({ invariants: [] }));
      const runtime = await runtimeOn(dir);
      expect(await runtime.listPlans()).toEqual([]);
    }
  });

  it('refuses a .troupe/config.json it cannot read as a file with VALIDATION_ERROR naming it', async () => {
    const dir = await projectDir({});
    rmSync(join(dir, '.troupe', 'config.json'));
    mkdirSync(join(dir, '.troupe', 'config.json'));
    const error = await rejection(createRuntime({ dir, report: () => {} }));
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', message: '.troupe/config.json: cannot be read (EISDIR)', hint: 'make .troupe/config.json a readable JSON file, or remove it' });
  });

  it('refuses an unknown reconciler in the config, naming actors.reconciler', async () => {
    const dir = await projectDir({ actors: { reconciler: 'nope' } });
    const error = await rejection(createRuntime({ dir, report: () => {} }));
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('actors.reconciler') });
    expect(error.message).toContain('unknown reconciler "nope" (registered: default)');
  });
});

// counts the files right under `dir`: holds while there are at most `max`
const maxFiles = defineCheck({
  name: 'acme/max-files',
  description: 'a directory holds at most max files',
  readOnly: true,
  options: z.strictObject({ dir: z.string(), max: z.number().int().nonnegative().default(2) }),
  async run({ dir, max }, { paths }) {
    const count = readdirSync(await paths.resolve(dir, 'read')).length;
    return count <= max ? { passed: true, message: `${dir} has ${count} of at most ${max} files` } : { passed: false, message: `${dir} has ${count} files (max ${max})` };
  },
});

describe('checks an app registers', () => {
  const GROWING = {
    strategy: {
      steps: [step('b', 'fs/write-file', { path: 'src/b.ts', content: 'b\n' }), step('c', 'fs/write-file', { path: 'src/c.ts', content: 'c\n' })],
    },
  };

  it('run in a plan by name, with their option defaults', async () => {
    const { runtime } = await project({ checks: [maxFiles] });
    const strict = await runtime.createPlan(planYaml({ name: 'demo/strict', invariants: [{ id: 'small-src', check: 'acme/max-files', dir: 'src' }], ...GROWING }));
    const record = await runtime.run(strict.id);
    // the default max of 2 applied: the second step made it 3
    expect(record).toMatchObject({ phase: 'execute', status: 'failed', lastCompletedStep: 1 });
    expect(record.error).toMatchObject({ code: 'INVARIANT_VIOLATED', details: { violations: [{ id: 'small-src', tier: 'plan', check: 'acme/max-files', message: 'src has 3 files (max 2)' }] } });
    expect(reconciledEvents(await runtime.events(strict.id)).map(({ results }) => results[0]!.message)).toEqual([
      'src has 1 of at most 2 files',
      'src has 2 of at most 2 files',
      'src has 3 files (max 2)',
    ]);

    const roomy = await runtime.createPlan(planYaml({ name: 'demo/roomy', invariants: [{ id: 'small-src', check: 'acme/max-files', dir: 'src', max: 5 }], ...GROWING }));
    expect(await runtime.run(roomy.id)).toMatchObject({ phase: 'validate', status: 'complete' });
  });

  it('are validated when the plan is created: bad options and unregistered names fail naming the field, and nothing is written', async () => {
    const { dir, runtime } = await project({ checks: [maxFiles] });
    const bad: [unknown[], string[]][] = [
      [[{ id: 'a', check: 'acme/max-files', dir: 3 }], ['invariants[0].dir']],
      [[{ id: 'a', check: 'acme/max-files' }], ['invariants[0].dir: is required']],
      [[{ id: 'a', check: 'acme/max-files', dir: 'src', max: -1 }], ['invariants[0].max']],
      [[{ id: 'a', check: 'file-exists', path: 'README.md' }, { id: 'b', check: 'acme/max-files', dir: 'src', bogus: true }], ['invariants[1].bogus']],
      [[{ id: 'a', check: 'acme/lint' }], ['invariants[0].check', 'registered: acme/max-files']],
      [[{ id: 'a', check: 'acme/max-files', dir: 'src' }, { id: 'b', check: 'acme/lint' }, { id: 'c', check: 'acme/max-files', dir: 1 }], ['invariants[1].check', 'invariants[2].dir']],
    ];
    for (const [invariants, mentions] of bad) {
      const error = await rejection(runtime.createPlan(planYaml({ invariants })));
      expect(error.code, JSON.stringify(invariants)).toBe('VALIDATION_ERROR');
      for (const mention of mentions) expect(error.message, JSON.stringify(invariants)).toContain(mention);
    }
    expect(await runtime.listPlans({ all: true })).toEqual([]);
    expect(readdirSync(join(dir, '.troupe', 'worktrees'))).toEqual([]);

    // and without the check registered, the same plan file is refused
    const { runtime: bare } = await project({ store: 'memory' });
    const error = await rejection(bare.createPlan(planYaml({ invariants: [{ id: 'a', check: 'acme/max-files', dir: 'src' }] })));
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('invariants[0].check') });
  });

  it('are validated in the project config too, and get their defaults there', async () => {
    const dir = await projectDir({ invariants: [{ id: 'small-src', check: 'acme/max-files', dir: 'src', max: 'two' }] });
    const error = await rejection(createRuntime({ dir, checks: [maxFiles], report: () => {} }));
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('invariants[0].max') });

    writeFileSync(join(dir, '.troupe', 'config.json'), JSON.stringify({ invariants: [{ id: 'small-src', check: 'acme/max-files', dir: 'src' }] }));
    const runtime = await runtimeOn(dir, { checks: [maxFiles] });
    const plan = await runtime.createPlan(planYaml(GROWING));
    expect((await runtime.run(plan.id)).error).toMatchObject({ code: 'INVARIANT_VIOLATED', details: { violations: [{ id: 'small-src', tier: 'project', message: 'src has 3 files (max 2)' }] } });
  });
});

describe('a custom reconciler', () => {
  // checks the cheap invariants after each step and all of them elsewhere
  function thrifty(seen: string[]): Reconciler {
    return {
      name: 'thrifty',
      async reconcile({ trigger, invariants }, { runCheck }) {
        seen.push(trigger);
        const chosen = trigger === 'post-step' ? invariants.filter((invariant) => invariant.check !== 'command') : invariants;
        return Promise.all(chosen.map(runCheck));
      },
    };
  }
  const PLAN = planYaml({
    invariants: [{ id: 'readme-present', check: 'command', run: 'test -f README.md' }, { id: 'source', check: 'file-exists', path: 'src/a.ts' }],
    strategy: { steps: [step('b', 'fs/write-file', { path: 'src/b.ts', content: 'b\n' })] },
  });

  it('given to createRuntime is used, and named as the actor of its decisions', async () => {
    const seen: string[] = [];
    const { runtime } = await project({ actors: { reconciler: thrifty(seen) } });
    const plan = await runtime.createPlan(PLAN);
    expect(await runtime.run(plan.id)).toMatchObject({ phase: 'validate', status: 'complete' });
    expect(seen).toEqual(['post-strategize', 'post-step', 'post-validate']);
    expect(reconciledEvents(await runtime.events(plan.id)).map(({ trigger, results }) => [trigger, results.map((result) => result.id)])).toEqual([
      ['post-strategize', ['readme-present', 'source']],
      ['post-step', ['source']],
      ['post-validate', ['readme-present', 'source']],
    ]);
    const reconciliations = flatten((await runtime.explain(plan.id)).root).filter((decision) => decision.type === 'reconciliation');
    expect(reconciliations.map((decision) => decision.actor)).toEqual(['thrifty', 'thrifty', 'thrifty']);
  });

  it('can be chosen by name in .troupe/config.json', async () => {
    const seen: string[] = [];
    const { runtime } = await project({ store: 'memory', config: { actors: { reconciler: 'thrifty' } }, actors: { reconcilers: [thrifty(seen)] } });
    const plan = await runtime.createPlan(PLAN);
    await runtime.run(plan.id, { until: 'strategize' });
    expect(seen).toEqual(['post-strategize']);
    expect(flatten((await runtime.explain(plan.id)).root).find((decision) => decision.type === 'reconciliation')!.actor).toBe('thrifty');
  });

  it('that answers something other than results fails the phase; never a pass', async () => {
    const broken: Reconciler = { name: 'broken', reconcile: async () => [{ id: 'source', passed: true }] as never };
    const { runtime } = await project({ store: 'memory', actors: { reconciler: broken } });
    const plan = await runtime.createPlan(PLAN);
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'strategize', status: 'failed' });
    expect(record.error).toMatchObject({ code: 'INTERNAL_ERROR', message: expect.stringContaining('reconciler "broken"') });
  });
});

describe('the parent tier', () => {
  it('gives a child its parent’s plan invariants with tier parent (and the project tier once)', async () => {
    const dir = await projectDir({ invariants: [{ id: 'readme', check: 'file-exists', path: 'README.md' }] });
    const first = await createRuntime({ dir, report: () => {} });
    const parent = await first.createPlan(planYaml({ name: 'demo/parent', invariants: [{ id: 'no-secrets', check: 'file-absent', path: 'secrets.txt' }] }));
    const child = await first.createPlan(
      planYaml({
        name: 'demo/parent-child',
        invariants: [{ id: 'source', check: 'file-exists', path: 'src/a.ts' }],
        strategy: { steps: [step('Leak', 'fs/write-file', { path: 'secrets.txt', content: 'hunter2\n' })] },
      }),
    );
    await first.close();
    // the child record as a subplan supervisor would write it: its parent is demo/parent
    const store = new LevelStore({ path: defaultStorePath(dir) });
    await store.open();
    const record = (await store.getPlan(child.id))!;
    await store.commit({ planId: child.id, record: { ...record, parentId: parent.id, rootId: parent.id } });
    await store.close();

    const runtime = await runtimeOn(dir);
    expect((await runtime.getPlan(child.id)).parentId).toBe(parent.id);
    const failed = await runtime.run(child.id);
    const reconciled = reconciledEvents(await runtime.events(child.id));
    expect(reconciled[0]!.results.map((result) => [result.id, result.tier, result.passed])).toEqual([
      ['readme', 'project', true],
      ['source', 'plan', true],
      ['no-secrets', 'parent', true],
    ]);
    expect(failed).toMatchObject({ phase: 'execute', status: 'failed' });
    expect(failed.error).toMatchObject({
      code: 'INVARIANT_VIOLATED',
      message: 'invariant "no-secrets" (parent) does not hold after step 1: secrets.txt exists',
      details: { violations: [{ id: 'no-secrets', tier: 'parent', check: 'file-absent', message: 'secrets.txt exists' }] },
    });
    const enforcement = flatten((await runtime.explain(child.id)).root).filter((decision) => decision.type === 'invariant_enforcement');
    expect(enforcement.map((decision) => [decision.payload.invariantId, decision.payload.tier])).toEqual([['readme', 'project'], ['source', 'plan'], ['no-secrets', 'parent']]);

    // the parent checks the same invariant as its own plan tier
    await runtime.run(parent.id, { until: 'strategize' });
    expect(reconciledEvents(await runtime.events(parent.id))[0]!.results.map((result) => [result.id, result.tier])).toEqual([['readme', 'project'], ['no-secrets', 'plan']]);
  });

  it('gives a grandchild what its parent and its root check, without reading the root’s record (the root has no parent)', async () => {
    const dir = await projectDir({ invariants: [{ id: 'readme', check: 'file-exists', path: 'README.md' }] });
    const first = await createRuntime({ dir, report: () => {} });
    const root = await first.createPlan(planYaml({ name: 'demo/root', invariants: [{ id: 'no-secrets', check: 'file-absent', path: 'secrets.txt' }] }));
    const middle = await first.createPlan(planYaml({ name: 'demo/root-middle', invariants: [{ id: 'source', check: 'file-exists', path: 'src/a.ts' }] }));
    const leaf = await first.createPlan(planYaml({ name: 'demo/root-middle-leaf', invariants: [{ id: 'leaf-readme', check: 'file-exists', path: 'README.md' }] }));
    await first.close();
    // the records as subplan supervisors would write them: root → middle → leaf
    const store = new LevelStore({ path: defaultStorePath(dir) });
    await store.open();
    for (const [id, parentId] of [[middle.id, root.id], [leaf.id, middle.id]] as const) {
      await store.commit({ planId: id, record: { ...(await store.getPlan(id))!, parentId, rootId: root.id } });
    }
    // the same store, its plan reads counted by plan
    const reads = new Map<string, number>();
    const getPlan = store.getPlan.bind(store);
    store.getPlan = async (planId) => {
      reads.set(planId, (reads.get(planId) ?? 0) + 1);
      return getPlan(planId);
    };
    const runtime = await runtimeOn(dir, { store, resume: false });
    cleanups.push(() => store.close());

    const record = await runtime.run(leaf.id, { until: 'strategize' });
    expect(record).toMatchObject({ phase: 'strategize', status: 'complete' });
    expect(reconciledEvents(await runtime.events(leaf.id))[0]!.results.map((result) => [result.id, result.tier, result.passed])).toEqual([
      ['readme', 'project', true],
      ['leaf-readme', 'plan', true],
      ['source', 'parent', true],
      ['no-secrets', 'parent', true],
    ]);
    // the middle plan's record says who its parent is; the root's would only say it has none
    expect(reads.get(middle.id)).toBeGreaterThan(0);
    expect(reads.get(root.id) ?? 0).toBe(0);
  });
});

describe('checks that write and checks that run long', () => {
  it('what a command invariant leaves in the sandbox never reaches a step commit', async () => {
    const { dir, runtime } = await project();
    const plan = await runtime.createPlan(
      planYaml({
        resourceScopes: ['src/**'],
        // a build that leaves an artifact outside the plan's scopes
        invariants: [{ id: 'builds', check: 'command', run: 'echo built > build.log' }],
        strategy: { steps: [step('b', 'shell/run', { command: 'echo b > src/b.ts' }), step('c', 'shell/run', { command: 'echo c > src/c.ts' })] },
      }),
    );
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'validate', status: 'complete', error: null });
    const worktree = join(dir, record.sandbox!.worktree);
    expect(git(worktree, 'log', '--format=', '--name-only', `${record.sandbox!.baseCommit}..HEAD`).split('\n').filter(Boolean).sort()).toEqual(['src/b.ts', 'src/c.ts']);
    expect((await runtime.changes(plan.id))!.files.map((file) => file.path)).toEqual(['src/b.ts', 'src/c.ts']);
  });

  it('cancelling a plan stops the invariant check that is running and its processes', async () => {
    const { dir, runtime } = await project();
    const marker = `30.${process.pid}3`;
    const plan = await runtime.createPlan(
      planYaml({
        // the check says it started in the worktree, the only place it may write
        invariants: [{ id: 'slow', check: 'command', run: `if [ -f src/b.ts ]; then touch check-started; sleep ${marker} & wait; fi` }],
        strategy: { steps: [step('b', 'fs/write-file', { path: 'src/b.ts', content: 'b\n' })] },
      }),
    );
    const running = runtime.run(plan.id);
    const started = join(dir, '.troupe', 'worktrees', plan.id, 'check-started');
    await expect.poll(async () => existsSync(started) && (await processesRunning(`sleep ${marker}`)).length > 0, { timeout: 10_000, interval: 20 }).toBe(true);
    const cancelled = await runtime.cancel(plan.id);
    expect(cancelled).toMatchObject({ phase: 'execute', status: 'cancelled' });
    await expect(running).resolves.toMatchObject({ status: 'cancelled' });
    await expect.poll(() => processesWith(`sleep ${marker}`), { timeout: 5_000, interval: 20 }).toEqual([]);
    const events = await runtime.events(plan.id);
    expect(reconciledEvents(events).map(({ trigger }) => trigger)).toEqual(['post-strategize']);
    expect(events.at(-1)!.type).toBe('plan.cancelled');
    expect(existsSync(join(dir, '.troupe', 'worktrees', plan.id, 'src', 'b.ts'))).toBe(true);
  });

  it('a runtime closed while a post-step check runs: the next one runs the check again and finishes the plan exactly once', async () => {
    const dir = await projectDir();
    // the flag is outside the sandbox, where commands can read it; each run of the check is counted by a service (network: true)
    const outside = await visibleTempDir('troupe-flag-');
    cleanups.push(outside.cleanup);
    const counter = await startCallCounter();
    cleanups.push(counter.close);
    const slow = join(outside.dir, 'slow');
    writeFileSync(slow, '');
    const marker = `30.${process.pid}4`;
    const plan = planYaml({
      network: true,
      // runs only between the two steps (after step 1, before step 2 wrote b.txt); hangs while the flag is there
      invariants: [
        {
          id: 'between',
          check: 'command',
          run: `if [ -f a.txt ] && [ ! -f b.txt ]; then ${counter.call('between')}; if [ -f ${slow} ]; then sleep ${marker} & wait; fi; fi`,
        },
      ],
      strategy: { steps: [step('a', 'shell/run', { command: 'echo a >> a.txt' }), step('b', 'shell/run', { command: 'echo b >> b.txt' })] },
    });

    const first = await createRuntime({ dir, report: () => {} });
    const created = await first.createPlan(plan);
    const running = rejection(first.run(created.id));
    await expect.poll(async () => (await processesRunning(`sleep ${marker}`)).length > 0, { timeout: 10_000, interval: 20 }).toBe(true);
    await first.close();
    expect(await running).toMatchObject({ code: 'CANCELLED' });
    // closing stopped the check, and its processes with it
    await expect.poll(() => processesWith(`sleep ${marker}`), { timeout: 2_000, interval: 20 }).toEqual([]);
    // interrupted mid-reconciliation: step 1 is committed, the check after it had not answered
    const store = new LevelStore({ path: defaultStorePath(dir) });
    await store.open();
    const interrupted = (await store.getPlan(created.id))!;
    const journaled = await store.readEvents(created.id);
    await store.close();
    expect(interrupted).toMatchObject({ phase: 'execute', status: 'processing', lastCompletedStep: 0 });
    expect(reconciledEvents(journaled).map(({ trigger }) => trigger)).toEqual(['post-strategize']);
    rmSync(slow);

    const second = await runtimeOn(dir);
    const record = await second.run(created.id);
    expect(record).toMatchObject({ phase: 'validate', status: 'complete', lastCompletedStep: 1, error: null });

    // the interrupted reconciliation ran again, and recorded once
    expect(counter.counts()).toEqual({ between: 2 });
    const events = await second.events(created.id);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events.some((event) => event.type === 'plan.resumed')).toBe(true);
    expect(reconciledEvents(events).map(({ type, trigger, step: index }) => [type, trigger, index])).toEqual([
      ['invariant.reconciled', 'post-strategize', undefined],
      ['invariant.reconciled', 'post-step', 0],
      ['invariant.reconciled', 'post-step', 1],
      ['invariant.reconciled', 'post-validate', undefined],
    ]);
    expect(events.filter((event) => event.type === 'step.completed').map((event) => event.data.index)).toEqual([0, 1]);
    // in creation order (ids are monotonic ULIDs)
    const reconciliations = flatten((await second.explain(created.id)).root)
      .filter((decision) => decision.type === 'reconciliation')
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(reconciliations.map((decision) => [decision.payload.trigger, decision.payload.step])).toEqual([
      ['post-strategize', undefined],
      ['post-step', 0],
      ['post-step', 1],
      ['post-validate', undefined],
    ]);

    // every step's effect exactly once, one commit each
    const worktree = join(dir, record.sandbox!.worktree);
    expect(readFileSync(join(worktree, 'a.txt'), 'utf8')).toBe('a\n');
    expect(readFileSync(join(worktree, 'b.txt'), 'utf8')).toBe('b\n');
    expect(git(worktree, 'rev-list', '--count', `${record.sandbox!.baseCommit}..HEAD`)).toBe('2');
    expect(git(worktree, 'status', '--porcelain')).toBe('');
  });
});

describe('restarting a strategize that a violation failed', () => {
  // SPEC §5: strategize → strategize is allowed (restart a failed strategize).
  it('reconciles again instead of blaming the strategist for what the command check left in the sandbox', async () => {
    const { dir, runtime } = await project();
    const outside = await visibleTempDir('troupe-flag-');
    cleanups.push(outside.cleanup);
    const ready = join(outside.dir, 'ready');
    // a test suite that writes a report, and fails until something outside the sandbox is ready
    const plan = await runtime.createPlan(planYaml({ invariants: [{ id: 'suite', check: 'command', run: `echo report > report.txt; test -f ${ready}` }] }));
    const failed = await runtime.run(plan.id, { until: 'strategize' });
    expect(failed).toMatchObject({ phase: 'strategize', status: 'failed', error: { code: 'INVARIANT_VIOLATED' } });
    // the check's report is in the sandbox: the strategist never wrote anything
    expect(existsSync(join(dir, failed.sandbox!.worktree, 'report.txt'))).toBe(true);

    writeFileSync(ready, '');
    const restarted = await runtime.runPhase(plan.id, 'strategize');
    expect(restarted.error).toBeNull();
    expect(restarted).toMatchObject({ phase: 'strategize', status: 'complete' });
  });

  it('starts from the project as it is now, and explains the new strategy, not the failed one', async () => {
    const { dir, runtime } = await project();
    const plan = await runtime.createPlan(planYaml({ invariants: [{ id: 'license', check: 'file-exists', path: 'LICENSE' }] }));
    const failed = await runtime.run(plan.id, { until: 'strategize' });
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'INVARIANT_VIOLATED', hint: expect.stringContaining('troupe plan strategize') } });

    writeFileSync(join(dir, 'LICENSE'), 'MIT\n');
    git(dir, 'add', 'LICENSE');
    git(dir, 'commit', '-q', '-m', 'license');
    const head = git(dir, 'rev-parse', 'HEAD');
    const restarted = await runtime.runPhase(plan.id, 'strategize');

    expect(restarted).toMatchObject({ phase: 'strategize', status: 'complete', sandbox: { baseCommit: head, headCommit: head } });
    expect(restarted.decisionRootId).not.toBe(failed.decisionRootId);
    const { root } = await runtime.explain(plan.id);
    expect(root?.id).toBe(restarted.decisionRootId);
    const reconciliation = root?.children.find((child) => child.type === 'reconciliation');
    expect(reconciliation?.payload).toMatchObject({ trigger: 'post-strategize', outcome: 'reconciled' });
  });
});
