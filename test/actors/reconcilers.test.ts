import { describe, expect, it } from 'vitest';
import { defaultReconciler, reconcileOutput, type ReconcilerContext } from '../../actors/index.js';
import type { InvariantResult, SandboxInfo, TieredInvariant } from '../../src/domain/index.js';

// The default reconciler used on its own, as a custom reconciler would delegate to it.

const SANDBOX: SandboxInfo = {
  worktree: '.troupe/worktrees/P',
  branch: 'troupe/demo-x-p',
  baseCommit: 'base',
  headCommit: 'head',
};

const invariants: TieredInvariant[] = ['a', 'b', 'c', 'd', 'e'].map((path) => ({
  id: `has-${path}`,
  check: 'file-exists',
  path,
  tier: 'plan',
}));

function checker(options: { delayMs?: number; missing?: string[] } = {}) {
  const started: string[] = [];
  let running = 0;
  let peak = 0;
  const runCheck = async (invariant: TieredInvariant): Promise<InvariantResult> => {
    started.push(invariant.id);
    running += 1;
    peak = Math.max(peak, running);
    await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 5));
    running -= 1;
    const passed = !options.missing?.includes(invariant.id);
    return {
      id: invariant.id,
      tier: invariant.tier,
      check: invariant.check,
      passed,
      message: passed ? 'exists' : 'missing',
      durationMs: 1,
    };
  };
  return { runCheck, started, peak: () => peak };
}

describe('defaultReconciler.reconcile', () => {
  it('checks every invariant with the given runCheck, at most `concurrency` at a time, and answers the results in order', async () => {
    const { runCheck, started, peak } = checker({ missing: ['has-c'] });
    const input = { planId: 'P', trigger: 'post-step' as const, step: 1, invariants, sandbox: SANDBOX, concurrency: 2 };
    const results = await defaultReconciler.reconcile(input, { runCheck, signal: new AbortController().signal });
    expect(results.map((result) => [result.id, result.passed])).toEqual([
      ['has-a', true],
      ['has-b', true],
      ['has-c', false],
      ['has-d', true],
      ['has-e', true],
    ]);
    expect(started).toHaveLength(5);
    expect(peak()).toBe(2);
    expect(reconcileOutput(defaultReconciler, input, results)).toMatchObject({
      outcome: 'violated',
      trigger: 'post-step',
      step: 1,
    });
  });

  it('stops starting checks when the signal aborts, and rejects with CANCELLED', async () => {
    const { runCheck, started } = checker({ delayMs: 100 });
    const controller = new AbortController();
    const context: ReconcilerContext = { runCheck, signal: controller.signal };
    const reconciling = defaultReconciler.reconcile(
      { planId: 'P', trigger: 'post-validate', invariants, sandbox: SANDBOX, concurrency: 1 },
      context,
    );
    setTimeout(() => controller.abort(), 20);
    await expect(reconciling).rejects.toMatchObject({
      code: 'CANCELLED',
      message: 'the post-validate reconciliation was cancelled',
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(started).toEqual(['has-a']);
  });

  it('checks nothing when the signal aborted before it began', async () => {
    const { runCheck, started } = checker();
    const controller = new AbortController();
    controller.abort();
    await expect(
      defaultReconciler.reconcile(
        { planId: 'P', trigger: 'post-strategize', invariants, sandbox: SANDBOX },
        { runCheck, signal: controller.signal },
      ),
    ).rejects.toMatchObject({
      code: 'CANCELLED',
    });
    expect(started).toEqual([]);
  });
});
