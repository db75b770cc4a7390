import { describe, expect, it } from 'vitest';
import {
  continuesPast,
  continuesWithStep,
  driveReaches,
  hasMoreSteps,
  isRead,
  isRetryableFailure,
  outcomeSucceeded,
  reconciles,
  reconciliationHeld,
  type StepOutcome,
} from '../../machines/index.js';
import type { Decision } from '../../src/domain/index.js';
import type { TieredInvariant } from '../../src/domain/index.js';
import { at, context, error } from './plan-lifecycle-fixtures.js';

const INVARIANT: TieredInvariant = { id: 'header-exists', check: 'file-exists', path: 'LICENSE_HEADER', tier: 'plan' };

describe('plan lifecycle guards', () => {
  describe('canStrategize', () => {
    it('allows strategize from queued and restarting a failed strategize', () => {
      expect(at({ strategize: 'queued' }).can({ type: 'plan.strategize' })).toBe(true);
      expect(at({ strategize: 'failed' }).can({ type: 'plan.strategize' })).toBe(true);
    });
    it('refuses strategize once it is complete or a later phase runs', () => {
      expect(at({ strategize: 'complete' }).can({ type: 'plan.strategize' })).toBe(false);
      expect(at({ execute: 'complete' }, { phase: 'execute' }).can({ type: 'plan.strategize' })).toBe(false);
    });
  });

  describe('isStrategizeComplete / canExecute', () => {
    it('allows execute only from (strategize, complete) or (execute, queued)', () => {
      expect(at({ strategize: 'complete' }).can({ type: 'plan.execute' })).toBe(true);
      expect(at({ execute: 'queued' }, { phase: 'execute' }).can({ type: 'plan.execute' })).toBe(true);
    });
    it('refuses execute before strategize is complete', () => {
      expect(at({ strategize: 'queued' }).can({ type: 'plan.execute' })).toBe(false);
      expect(at({ strategize: { processing: 'strategist' } }).can({ type: 'plan.execute' })).toBe(false);
      expect(at({ strategize: 'failed' }).can({ type: 'plan.execute' })).toBe(false);
    });
    it('refuses re-running a failed execute (it needs a correction or rollback)', () => {
      expect(at({ execute: 'failed' }, { phase: 'execute', error: error(false) }).can({ type: 'plan.execute' })).toBe(
        false,
      );
    });
    it('allows re-running an execute that failed in a way a re-run can fix (a step timed out)', () => {
      expect(
        at({ execute: 'failed' }, { phase: 'execute', error: error(true, { code: 'TIMEOUT' }) }).can({
          type: 'plan.execute',
        }),
      ).toBe(true);
    });
  });

  describe('isExecuteComplete / canValidate', () => {
    it('allows validate from execute complete and from a retryable validate failure', () => {
      expect(at({ execute: 'complete' }, { phase: 'execute' }).can({ type: 'plan.validate' })).toBe(true);
      expect(at({ validate: 'failed' }, { phase: 'validate', error: error(true) }).can({ type: 'plan.validate' })).toBe(
        true,
      );
    });
    it('refuses validate before execute is complete or after a non-retryable failure', () => {
      expect(at({ strategize: 'complete' }).can({ type: 'plan.validate' })).toBe(false);
      expect(
        at({ execute: { processing: 'step' } }, { phase: 'execute', stepCount: 1 }).can({ type: 'plan.validate' }),
      ).toBe(false);
      expect(
        at({ validate: 'failed' }, { phase: 'validate', error: error(false) }).can({ type: 'plan.validate' }),
      ).toBe(false);
    });
  });

  describe('isValidateComplete / canApply', () => {
    it('allows apply from validate complete and from a retryable apply failure (a dirty tree was cleaned)', () => {
      expect(at({ validate: 'complete' }, { phase: 'validate' }).can({ type: 'plan.apply' })).toBe(true);
      expect(at({ apply: 'failed' }, { phase: 'apply', error: error(true) }).can({ type: 'plan.apply' })).toBe(true);
    });
    it('refuses apply before validate is complete', () => {
      expect(at({ execute: 'complete' }, { phase: 'execute' }).can({ type: 'plan.apply' })).toBe(false);
      expect(at({ validate: 'failed' }, { phase: 'validate', error: error(true) }).can({ type: 'plan.apply' })).toBe(
        false,
      );
      expect(at({ apply: 'failed' }, { phase: 'apply', error: error(false) }).can({ type: 'plan.apply' })).toBe(false);
    });
  });

  describe('terminal states', () => {
    it('accept no command: nothing leaves done, cancelled or invalidated', () => {
      for (const value of ['done', 'cancelled', 'invalidated']) {
        const snapshot = at(value, { phase: 'apply' });
        for (const type of [
          'plan.strategize',
          'plan.execute',
          'plan.validate',
          'plan.apply',
          'plan.run',
          'plan.cancel',
        ] as const) {
          expect(snapshot.can({ type } as never), `${value} ${type}`).toBe(false);
        }
      }
    });
  });

  describe('canRunExecute / canRunValidate / canRunApply (driveReaches)', () => {
    it('lets plan.run start the next phase under manual and review, but apply only under auto or --until apply', () => {
      const validated = (automation: 'manual' | 'review' | 'auto') =>
        at({ validate: 'complete' }, { phase: 'validate', automation });
      expect(validated('manual').can({ type: 'plan.run' })).toBe(true);
      expect(validated('review').can({ type: 'plan.run' })).toBe(false);
      expect(validated('review').can({ type: 'plan.run', until: 'apply' })).toBe(true);
      expect(validated('auto').can({ type: 'plan.run' })).toBe(true);
    });
    it('does not start a phase beyond --until', () => {
      expect(
        at({ strategize: 'complete' }, { automation: 'auto' }).can({ type: 'plan.run', until: 'strategize' }),
      ).toBe(false);
      expect(at({ strategize: 'complete' }, { automation: 'auto' }).can({ type: 'plan.run', until: 'execute' })).toBe(
        true,
      );
    });
    it('driveReaches reads the automation and until', () => {
      const ctx = context({ automation: 'review' });
      expect(driveReaches({ context: ctx, event: { type: 'plan.run' } }, { phase: 'validate' })).toBe(true);
      expect(driveReaches({ context: ctx, event: { type: 'plan.run' } }, { phase: 'apply' })).toBe(false);
      expect(driveReaches({ context: ctx, event: { type: 'plan.run', until: 'apply' } }, { phase: 'apply' })).toBe(
        true,
      );
      expect(
        driveReaches({ context: context({ automation: 'manual' }), event: { type: 'plan.run' } }, { phase: 'apply' }),
      ).toBe(true);
    });
  });

  it('continuesPast is true only while the drive target lies beyond the phase', () => {
    expect(continuesPast({ context: context({ target: 'validate' }) }, { phase: 'execute' })).toBe(true);
    expect(continuesPast({ context: context({ target: 'execute' }) }, { phase: 'execute' })).toBe(false);
    expect(continuesPast({ context: context({ target: null }) }, { phase: 'strategize' })).toBe(false);
  });

  it('hasMoreSteps counts from the last completed step', () => {
    expect(hasMoreSteps({ context: context({ stepCount: 2, lastCompletedStep: null }) })).toBe(true);
    expect(hasMoreSteps({ context: context({ stepCount: 2, lastCompletedStep: 0 }) })).toBe(true);
    expect(hasMoreSteps({ context: context({ stepCount: 2, lastCompletedStep: 1 }) })).toBe(false);
    expect(hasMoreSteps({ context: context({ stepCount: 0 }) })).toBe(false);
  });

  describe('after a step', () => {
    const succeeded = (
      index: number,
      more: Partial<Extract<StepOutcome, { ok: true }>> = {},
    ): { output: StepOutcome } => ({
      output: {
        ok: true,
        index,
        decisionId: `D${index}`,
        headCommit: `c${index}`,
        changeset: null,
        calls: [],
        ...more,
      },
    });
    const failed: { output: StepOutcome } = {
      output: { ok: false, index: 0, error: { code: 'TOOL_FAILED', message: 'exit 1' }, calls: [] },
    };

    it('continuesWithStep holds when the step succeeded and a plain step comes next', () => {
      const ctx = context({ stepCount: 3, groupSteps: [2] });
      expect(continuesWithStep({ context: ctx, event: succeeded(0) })).toBe(true);
      // the next is a group, or there is none
      expect(continuesWithStep({ context: ctx, event: succeeded(1) })).toBe(false);
      expect(continuesWithStep({ context: context({ stepCount: 1 }), event: succeeded(0) })).toBe(false);
      // a failed step goes nowhere next
      expect(continuesWithStep({ context: ctx, event: failed })).toBe(false);
      expect(continuesWithStep({ context: ctx, event: {} })).toBe(false);
    });

    it('isRead holds for a call that came back as a read and changed nothing', () => {
      const decision = { id: 'D0', type: 'step', title: 'git status' } as Decision;
      expect(isRead({ event: succeeded(0, { read: decision }) })).toBe(true);
      // a call that changed something is a step, whatever it was asked
      expect(
        isRead({
          event: succeeded(0, {
            read: decision,
            changeset: { id: 'CS', planId: 'P', baseCommit: 'base', headCommit: 'c0', files: [] },
          }),
        }),
      ).toBe(false);
      expect(isRead({ event: succeeded(0) })).toBe(false);
      expect(isRead({ event: failed })).toBe(false);
    });
  });

  it('isRetryableFailure reads the stored error', () => {
    expect(isRetryableFailure({ context: context({ error: error(true) }) })).toBe(true);
    expect(isRetryableFailure({ context: context({ error: error(false) }) })).toBe(false);
    expect(isRetryableFailure({ context: context({ error: null }) })).toBe(false);
  });

  it('outcomeSucceeded reads ok from an actor output', () => {
    expect(outcomeSucceeded({ event: { output: { ok: true, results: [] } } })).toBe(true);
    expect(outcomeSucceeded({ event: { output: { ok: false } } })).toBe(false);
    expect(outcomeSucceeded({ event: {} })).toBe(false);
  });
  describe('canReconcileCorrection', () => {
    const corrected = { type: 'plan.corrected', decisionId: 'C1' } as const;
    it('accepts a correction once the plan is past strategize and at rest', () => {
      expect(at({ execute: 'queued' }, { phase: 'execute' }).can(corrected)).toBe(true);
      expect(at({ execute: 'complete' }, { phase: 'execute' }).can(corrected)).toBe(true);
      expect(
        at({ execute: 'failed' }, { phase: 'execute', error: error(false, { code: 'INVARIANT_VIOLATED' }) }).can(
          corrected,
        ),
      ).toBe(true);
      expect(at({ validate: 'queued' }, { phase: 'validate' }).can(corrected)).toBe(true);
      expect(at({ validate: 'complete' }, { phase: 'validate' }).can(corrected)).toBe(true);
      expect(at({ validate: 'failed' }, { phase: 'validate', error: error(false) }).can(corrected)).toBe(true);
      expect(at({ apply: 'queued' }, { phase: 'apply' }).can(corrected)).toBe(true);
      expect(at({ apply: 'failed' }, { phase: 'apply', error: error(true) }).can(corrected)).toBe(true);
    });
    it('reconciles a correction that reverted to the end of strategize (its phase checkpoint)', () => {
      expect(at({ strategize: 'complete' }).can(corrected)).toBe(true);
    });
    it('refuses a correction while strategize is queued, running, reconciling or failed', () => {
      expect(at({ strategize: 'queued' }).can(corrected)).toBe(false);
      expect(at({ strategize: { processing: 'strategist' } }).can(corrected)).toBe(false);
      expect(
        at(
          { strategize: { reconciling: 'checking' } },
          { pendingReconcile: { trigger: 'post-strategize', decisionId: 'ROOT' } },
        ).can(corrected),
      ).toBe(false);
      expect(
        at({ strategize: 'failed' }, { error: error(false, { code: 'INVARIANT_VIOLATED', phase: 'strategize' }) }).can(
          corrected,
        ),
      ).toBe(false);
    });
    it('refuses a correction while a phase runs or a correction is being reconciled', () => {
      expect(at({ execute: { processing: 'step' } }, { phase: 'execute', stepCount: 1 }).can(corrected)).toBe(false);
      expect(
        at({ execute: { processing: { reconciling: 'checking' } } }, { phase: 'execute', stepCount: 1 }).can(corrected),
      ).toBe(false);
      expect(at({ execute: { correcting: 'checking' } }, { phase: 'execute' }).can(corrected)).toBe(false);
      expect(at({ validate: 'processing' }, { phase: 'validate' }).can(corrected)).toBe(false);
      expect(at({ validate: { reconciling: 'checking' } }, { phase: 'validate' }).can(corrected)).toBe(false);
      expect(at({ apply: 'processing' }, { phase: 'apply' }).can(corrected)).toBe(false);
    });
    it('refuses a correction once the plan has ended', () => {
      for (const value of ['done', 'cancelled', 'invalidated']) {
        expect(at(value, { phase: 'apply' }).can(corrected), value).toBe(false);
      }
    });
  });

  describe('reconciling states', () => {
    it('refuse the next phase until the reconciliation has passed', () => {
      expect(at({ strategize: { reconciling: 'checking' } }).can({ type: 'plan.execute' })).toBe(false);
      expect(
        at(
          { execute: { processing: { reconciling: 'checking' } } },
          { phase: 'execute', stepCount: 1, lastCompletedStep: 0 },
        ).can({ type: 'plan.validate' }),
      ).toBe(false);
      expect(at({ validate: { reconciling: 'checking' } }, { phase: 'validate' }).can({ type: 'plan.apply' })).toBe(
        false,
      );
      expect(at({ execute: { correcting: 'checking' } }, { phase: 'execute' }).can({ type: 'plan.execute' })).toBe(
        false,
      );
    });
    it('can be cancelled', () => {
      expect(at({ strategize: { reconciling: 'checking' } }).can({ type: 'plan.cancel' })).toBe(true);
      expect(at({ execute: { correcting: 'checking' } }, { phase: 'execute' }).can({ type: 'plan.cancel' })).toBe(true);
    });
  });

  it('reconciles is true only when the plan has invariants and reconciliation is on', () => {
    expect(reconciles({ context: context({ invariants: [INVARIANT], reconciliation: true }) })).toBe(true);
    expect(reconciles({ context: context({ invariants: [INVARIANT], reconciliation: false }) })).toBe(false);
    expect(reconciles({ context: context({ invariants: [], reconciliation: true }) })).toBe(false);
    expect(reconciles({ context: context({ invariants: [], reconciliation: false }) })).toBe(false);
  });

  it("reconciliationHeld reads the reconciler's outcome", () => {
    const result = {
      id: 'header-exists',
      tier: 'plan' as const,
      check: 'file-exists',
      passed: true,
      message: 'holds',
      durationMs: 1,
    };
    expect(
      reconciliationHeld({
        event: { output: { outcome: 'reconciled', trigger: 'post-step', step: 0, results: [result] } },
      }),
    ).toBe(true);
    expect(
      reconciliationHeld({ event: { output: { outcome: 'reconciled', trigger: 'post-strategize', results: [] } } }),
    ).toBe(true);
    expect(
      reconciliationHeld({
        event: { output: { outcome: 'violated', trigger: 'post-step', results: [{ ...result, passed: false }] } },
      }),
    ).toBe(false);
    expect(reconciliationHeld({ event: {} })).toBe(false);
  });
});
