// What a fan-out's parent writes of its snapshot (architecture.md, plan
// machine version 8): its group's state once, its supervisor's as what
// differs from it. Counted on the 64-child fan-out on LevelDB, against the
// same snapshots made whole again (as XState gives them, the state twice):
// bytes, not time, so one run says it.
import { join } from 'node:path';
import { createRuntime } from '../../src/runtime/index.js';
import { expandPlanSnapshot } from '../../src/runtime/persistence/index.js';
import { LevelStore, type PlanTransaction } from '../../src/store/index.js';
import { tempRepo } from '../helpers/temp.js';
import { fanOutSource } from './subplans.bench.js';

/** The parent's snapshots of one fan-out: how many, and their bytes as stored and whole. */
export interface SnapshotBytes {
  children: number;
  snapshots: number;
  storedBytes: number;
  wholeBytes: number;
  largestStored: number;
  largestWhole: number;
}

/**
 * Run one fan-out of `children` (at most `maxParallel` at once), each writing one file, and count the parent's snapshots.
 *
 * @example
 * const bytes = await runSnapshotBytes(64, 8);
 * console.log(bytes.storedBytes / bytes.wholeBytes);
 */
export async function runSnapshotBytes(children: number, maxParallel: number): Promise<SnapshotBytes> {
  const repo = await tempRepo({ 'README.md': '# bench\n' });
  const level = new LevelStore({ path: join(repo.dir, '.troupe', 'store') });
  await level.open();
  const counted: SnapshotBytes = {
    children,
    snapshots: 0,
    storedBytes: 0,
    wholeBytes: 0,
    largestStored: 0,
    largestWhole: 0,
  };
  let parentId = '';
  const commit = level.commit.bind(level);
  level.commit = (transaction: PlanTransaction) => {
    if (transaction.planId === parentId && transaction.snapshot) {
      const stored = JSON.stringify(transaction.snapshot.snapshot).length;
      const whole = JSON.stringify(expandPlanSnapshot(structuredClone(transaction.snapshot.snapshot))).length;
      counted.snapshots += 1;
      counted.storedBytes += stored;
      counted.wholeBytes += whole;
      counted.largestStored = Math.max(counted.largestStored, stored);
      counted.largestWhole = Math.max(counted.largestWhole, whole);
    }
    return commit(transaction);
  };
  const runtime = await createRuntime({ dir: repo.dir, report: () => {}, store: level });
  try {
    const plan = await runtime.createPlan(fanOutSource(children, maxParallel));
    parentId = plan.id;
    const record = await runtime.run(plan.id, { until: 'execute' });
    if (record.status !== 'complete')
      throw new Error(`the benchmark plan stopped at (${record.phase}, ${record.status}): ${record.error?.message}`);
    return counted;
  } finally {
    await runtime.close();
    await repo.cleanup();
  }
}
