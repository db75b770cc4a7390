import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlanRecord } from '../../src/domain/index.js';
import type { LocalRuntime } from '../../src/runtime/local-runtime.js';
import { rejection as rejectionOf } from '../helpers/rejection.js';
import { explainedDecisions, greeter, projectWithConfig, projectWithRuntime } from './fixtures.js';

// Issue 74: `runtime.updatePlan` — a live plan goes on with its edited plan file's checks and environment.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function project(): Promise<LocalRuntime> {
  const opened = await projectWithRuntime({ 'README.md': '# update\n' });
  cleanups.push(opened.close);
  return opened.runtime;
}

const worktree = (runtime: LocalRuntime, record: PlanRecord) => join(runtime.dir, record.sandbox!.worktree);

describe('runtime.updatePlan', () => {
  it('changes validate, env, invariants, sandbox.limits and network, recorded as a decision, read by the next command', async () => {
    const runtime = await project();
    const plan = await runtime.createPlan(greeter());
    await runtime.run(plan.id, { until: 'strategize' });
    const edited = greeter({
      env: { GREETING: 'bonjour' },
      validate: [{ run: 'grep -q bonjour greet.txt' }],
      invariants: [{ id: 'greeted', check: 'file-exists', path: 'greet.txt' }],
      sandbox: { limits: { processes: 512 } },
      network: true,
    });
    const result = await runtime.updatePlan('demo/greet', edited, { reason: 'French' });
    expect(result).toMatchObject({
      planId: plan.id,
      changed: ['validate', 'env', 'invariants', 'sandbox.limits', 'network'],
      decisionId: expect.any(String),
    });
    expect(result.before).toMatchObject({ env: { GREETING: 'hello' }, 'sandbox.limits': null, network: false });
    expect(result.after).toMatchObject({
      env: { GREETING: 'bonjour' },
      'sandbox.limits': { processes: 512 },
      network: true,
    });
    const decision = (await explainedDecisions(runtime, plan.id)).find((found) => found.type === 'plan_update');
    expect(decision).toMatchObject({
      id: result.decisionId,
      title: 'updated validate, env, invariants, sandbox.limits and network from the plan file',
      rationale: 'French',
      actor: 'user',
    });
    expect((await runtime.events(plan.id)).filter((event) => event.type === 'plan.updated')).toMatchObject([
      { phase: 'strategize', data: { decisionId: result.decisionId, changed: result.changed } },
    ]);

    // the step's command reads the new env, validate runs the new command, the next reconciliation checks the new invariant
    const validated = await runtime.run(plan.id);
    expect(validated).toMatchObject({ phase: 'validate', status: 'complete' });
    expect(readFileSync(join(worktree(runtime, validated), 'greet.txt'), 'utf8')).toBe('bonjour');
    const reconciled = (await runtime.events(plan.id)).find(
      (event) => event.type === 'invariant.reconciled' && event.data.trigger === 'post-step',
    );
    expect(reconciled?.data.results).toMatchObject([{ id: 'greeted', passed: true }]);
    // validated: nothing it runs before apply reads them again
    expect(await rejectionOf(runtime.updatePlan(plan.id, edited))).toMatchObject({ code: 'PHASE_GUARD' });
  });

  it('checks an invariant it adds at the next transition', async () => {
    const runtime = await project();
    const plan = await runtime.createPlan(greeter());
    await runtime.run(plan.id, { until: 'strategize' });
    await runtime.updatePlan(
      plan.id,
      greeter({ invariants: [{ id: 'no-greeting', check: 'file-absent', path: 'greet.txt' }] }),
    );
    const failed = await runtime.run(plan.id);
    expect(failed).toMatchObject({ phase: 'execute', status: 'failed', error: { code: 'INVARIANT_VIOLATED' } });
    expect(failed.error?.message).toContain('no-greeting');
  });

  it('validates a plan that failed validate again with the new commands', async () => {
    const runtime = await project();
    const plan = await runtime.createPlan(greeter({ validate: [{ run: 'grep -q goodbye greet.txt' }] }));
    expect(await runtime.run(plan.id)).toMatchObject({ phase: 'validate', status: 'failed' });
    const same = await runtime.updatePlan(plan.id, greeter({ validate: [{ run: 'grep -q goodbye greet.txt' }] }));
    expect(same).toMatchObject({ changed: [], decisionId: null });
    await runtime.updatePlan(plan.id, greeter());
    expect(await runtime.run(plan.id)).toMatchObject({ phase: 'validate', status: 'complete' });
  });

  it('refuses every other field that differs, naming each, and changes nothing', async () => {
    const runtime = await project();
    const plan = await runtime.createPlan(greeter());
    await runtime.run(plan.id, { until: 'strategize' });
    const before = await runtime.events(plan.id);
    const error = await rejectionOf(
      runtime.updatePlan(
        plan.id,
        greeter({ name: 'demo/other', goal: 'Wave', automation: 'auto', env: { GREETING: 'hi' } }),
        { origin: 'greet.yaml' },
      ),
    );
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR' });
    expect(error.message).toContain('greet.yaml: 3 problems');
    expect(error.message).toContain('name: cannot change in a live plan (was demo/greet)');
    expect(error.message).toContain('goal: cannot change in a live plan (was Greet)');
    expect(error.message).toContain('automation: cannot change in a live plan (was review)');
    const strategy = await rejectionOf(runtime.updatePlan(plan.id, greeter({ strategy: { steps: [] } })));
    expect(strategy.message).toContain('strategy: cannot change in a live plan');
    expect(await runtime.events(plan.id)).toEqual(before);
    expect((await explainedDecisions(runtime, plan.id)).some((decision) => decision.type === 'plan_update')).toBe(
      false,
    );
  });

  it('answers NOT_FOUND for an unknown plan, and PHASE_GUARD past validate or once ended', async () => {
    const runtime = await project();
    expect(await rejectionOf(runtime.updatePlan('demo/nope', greeter()))).toMatchObject({ code: 'NOT_FOUND' });
    const validated = await runtime.createPlan(greeter());
    await runtime.run(validated.id);
    const passed = await rejectionOf(runtime.updatePlan(validated.id, greeter({ env: { GREETING: 'x' } })));
    expect(passed).toMatchObject({
      code: 'PHASE_GUARD',
      message: 'cannot update demo/greet: it passed validate: nothing it runs before apply reads these fields',
    });
    await runtime.cancel(validated.id);
    expect(await rejectionOf(runtime.updatePlan(validated.id, greeter({ env: { GREETING: 'x' } })))).toMatchObject({
      code: 'PHASE_GUARD',
      message: expect.stringContaining('it was cancelled'),
    });
  });

  it('checks the file as plan creation does: the project’s limits and loader variables', async () => {
    const { runtime } = await projectWithConfig({ sandbox: { limits: { memoryMB: 1024 } } }, cleanups);
    const plan = await runtime.createPlan(greeter());
    const limits = await rejectionOf(runtime.updatePlan(plan.id, greeter({ sandbox: { limits: { memoryMB: 2048 } } })));
    expect(limits).toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringContaining('sandbox.limits.memoryMB'),
    });
    const loader = await rejectionOf(runtime.updatePlan(plan.id, greeter({ env: { LD_PRELOAD: '/tmp/x.so' } })));
    expect(loader).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('env.LD_PRELOAD') });
    expect((await runtime.events(plan.id)).some((event) => event.type === 'plan.updated')).toBe(false);
  });
});
