import { beforeAll, describe, expect, it } from 'vitest';
import type { FinalState } from './scenario.js';
import { describePoint, killPoints, referenceRun, runKillPoint, type RunLength } from './kill-points.js';

// The crash suite (SPEC §10, DESIGN §9): a child process runs a plan with a
// parallel group of child plans and is SIGKILLed at seeded moments; a new
// process resumes it, and the final sandbox, decision trees and statuses must
// equal an uninterrupted run's, with no step's effect twice. The long run is
// `npm run test:crash -- --runs 100` (docs/explanation/reliability.md).

const SEED = Number(process.env.TROUPE_CRASH_SEED ?? 20_240_606);
const POINTS = Number(process.env.TROUPE_CRASH_POINTS ?? 20);

let reference: { state: FinalState; length: RunLength };

describe.concurrent(`resume after SIGKILL at seeded moments (seed ${SEED}, ${POINTS} kill points)`, () => {
  beforeAll(async () => {
    reference = await referenceRun();
  }, 120_000);

  it('the uninterrupted run validates with every step, spawn and merge once', () => {
    const root = reference.state.plans[0]!;
    expect(root).toMatchObject({
      name: 'crash/suite',
      phase: 'validate',
      status: 'complete',
      lastCompletedStep: 4,
      error: null,
    });
    expect(reference.state.plans.slice(1).map((plan) => [plan.name, plan.phase, plan.status, plan.subplan])).toEqual([
      ['crash/child-p', 'apply', 'done', 'complete#1'],
      ['crash/child-q', 'apply', 'done', 'complete#1'],
      ['crash/child-r', 'apply', 'done', 'complete#1'],
    ]);
    expect(reference.state.files['log.txt']).toBe('one\ntwo\n');
    expect(Object.values(root.journaled).every((count) => count === 1)).toBe(true);
    expect(reference.state.ledger.toSorted()).toEqual(['child-p', 'child-q', 'child-r', 'one', 'two']);
  });

  for (const point of killPoints(SEED, POINTS)) {
    it(`ends as the uninterrupted run (${describePoint(point)})`, async () => {
      const result = await runKillPoint(point, reference);
      const context = `${describePoint(point, reference.length)}; killed at ${result.killedAt} after ${result.lines} lines; reproduce: npm run test:crash -- --seed ${SEED} --only ${point.index}`;
      expect(result.differences, context).toEqual([]);
    }, 180_000);
  }
});
