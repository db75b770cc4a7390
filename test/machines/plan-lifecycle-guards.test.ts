import { describe, expect, it } from 'vitest';
import { continuesPast, driveReaches, hasMoreSteps, isRetryableFailure, outcomeSucceeded } from '../../machines/index.js';
import { at, context, error } from './plan-lifecycle-fixtures.js';

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
      expect(at({ execute: 'failed' }, { phase: 'execute', error: error(false) }).can({ type: 'plan.execute' })).toBe(false);
    });
    it('allows re-running an execute that failed in a way a re-run can fix (a step timed out)', () => {
      expect(at({ execute: 'failed' }, { phase: 'execute', error: error(true, { code: 'TIMEOUT' }) }).can({ type: 'plan.execute' })).toBe(true);
    });
  });

  describe('isExecuteComplete / canValidate', () => {
    it('allows validate from execute complete and from a retryable validate failure', () => {
      expect(at({ execute: 'complete' }, { phase: 'execute' }).can({ type: 'plan.validate' })).toBe(true);
      expect(at({ validate: 'failed' }, { phase: 'validate', error: error(true) }).can({ type: 'plan.validate' })).toBe(true);
    });
    it('refuses validate before execute is complete or after a non-retryable failure', () => {
      expect(at({ strategize: 'complete' }).can({ type: 'plan.validate' })).toBe(false);
      expect(at({ execute: { processing: 'step' } }, { phase: 'execute', stepCount: 1 }).can({ type: 'plan.validate' })).toBe(false);
      expect(at({ validate: 'failed' }, { phase: 'validate', error: error(false) }).can({ type: 'plan.validate' })).toBe(false);
    });
  });

  describe('isValidateComplete / canApply', () => {
    it('allows apply from validate complete and from a retryable apply failure (a dirty tree was cleaned)', () => {
      expect(at({ validate: 'complete' }, { phase: 'validate' }).can({ type: 'plan.apply' })).toBe(true);
      expect(at({ apply: 'failed' }, { phase: 'apply', error: error(true) }).can({ type: 'plan.apply' })).toBe(true);
    });
    it('refuses apply before validate is complete', () => {
      expect(at({ execute: 'complete' }, { phase: 'execute' }).can({ type: 'plan.apply' })).toBe(false);
      expect(at({ validate: 'failed' }, { phase: 'validate', error: error(true) }).can({ type: 'plan.apply' })).toBe(false);
      expect(at({ apply: 'failed' }, { phase: 'apply', error: error(false) }).can({ type: 'plan.apply' })).toBe(false);
    });
  });

  describe('terminal states', () => {
    it('accept no command: nothing leaves done, cancelled or invalidated', () => {
      for (const value of ['done', 'cancelled', 'invalidated']) {
        const snapshot = at(value, { phase: 'apply' });
        for (const type of ['plan.strategize', 'plan.execute', 'plan.validate', 'plan.apply', 'plan.run', 'plan.cancel'] as const) {
          expect(snapshot.can({ type } as never), `${value} ${type}`).toBe(false);
        }
      }
    });
  });

  describe('canRunExecute / canRunValidate / canRunApply (driveReaches)', () => {
    it('lets plan.run start the next phase under manual and review, but apply only under auto or --until apply', () => {
      const validated = (automation: 'manual' | 'review' | 'auto') => at({ validate: 'complete' }, { phase: 'validate', automation });
      expect(validated('manual').can({ type: 'plan.run' })).toBe(true);
      expect(validated('review').can({ type: 'plan.run' })).toBe(false);
      expect(validated('review').can({ type: 'plan.run', until: 'apply' })).toBe(true);
      expect(validated('auto').can({ type: 'plan.run' })).toBe(true);
    });
    it('does not start a phase beyond --until', () => {
      expect(at({ strategize: 'complete' }, { automation: 'auto' }).can({ type: 'plan.run', until: 'strategize' })).toBe(false);
      expect(at({ strategize: 'complete' }, { automation: 'auto' }).can({ type: 'plan.run', until: 'execute' })).toBe(true);
    });
    it('driveReaches reads the automation and until', () => {
      const ctx = context({ automation: 'review' });
      expect(driveReaches({ context: ctx, event: { type: 'plan.run' } }, { phase: 'validate' })).toBe(true);
      expect(driveReaches({ context: ctx, event: { type: 'plan.run' } }, { phase: 'apply' })).toBe(false);
      expect(driveReaches({ context: ctx, event: { type: 'plan.run', until: 'apply' } }, { phase: 'apply' })).toBe(true);
      expect(driveReaches({ context: context({ automation: 'manual' }), event: { type: 'plan.run' } }, { phase: 'apply' })).toBe(true);
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
});
