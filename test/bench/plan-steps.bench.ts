// The troupe side: a plan of N read-only steps (`fs/read-file` of a small
// file) run through execute by a real runtime on a temp git repository and
// a LevelDB store, every transition persisted. Each written batch is
// attributed to a step by the journal events it carries.
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Checkpoint } from '../../src/domain/index.js';
import { createRuntime } from '../../src/runtime/index.js';
import type { LocalRuntime } from '../../src/runtime/local-runtime.js';
import { LevelStore, type PlanCreation, type PlanTransaction } from '../../src/store/index.js';
import type { BatchInfo } from '../../src/store/store.js';
import { tempDir, tempRepo } from '../helpers/temp.js';
import { StepClock, StepLedger, figuresOf, putBytes, type RunFigures } from './measure.js';

/** The file every step reads. */
export const READ_FILE = 'README.md';

/** A LevelStore that hands `onBatch` the transaction it wrote, so a batch is attributed by its own events. */
export class AttributedLevelStore extends LevelStore {
  readonly #queued: PlanTransaction[];

  constructor(path: string, onBatch: (info: BatchInfo, written: PlanTransaction | undefined) => void) {
    const queued: PlanTransaction[] = [];
    // writes go through the store's mutex in order, so batches come back in the order they were asked for
    super({ path, onBatch: (info) => onBatch(info, queued.shift()) });
    this.#queued = queued;
  }

  override createPlan(creation: PlanCreation): Promise<void> {
    return this.#track(creation, () => super.createPlan(creation));
  }

  override commit(transaction: PlanTransaction): Promise<void> {
    return this.#track(transaction, () => super.commit(transaction));
  }

  async #track(transaction: PlanTransaction, write: () => Promise<void>): Promise<void> {
    this.#queued.push(transaction);
    try {
      await write();
    } catch (error) {
      // a refused write reports no batch: forget it so the next one lines up
      const at = this.#queued.indexOf(transaction);
      if (at >= 0) this.#queued.splice(at, 1);
      throw error;
    }
  }
}

/**
 * The plan file: `steps` read-only steps, driven with `--until execute`.
 * With `reconcile`, one cheap invariant (`file-exists` of the file read) is
 * reconciled after every step, so the run measures the reconciliation around
 * each step rather than the work of a check.
 */
export function planFile(steps: number, options: { reconcile?: boolean } = {}): string {
  return stringify({
    name: 'bench/read-steps',
    goal: `Read ${READ_FILE} ${steps} times`,
    automation: 'manual',
    ...(options.reconcile ? { invariants: [{ id: 'readme', check: 'file-exists', path: READ_FILE }] } : {}),
    strategy: {
      steps: Array.from({ length: steps }, (_, index) => ({
        title: `Read ${READ_FILE} (${index + 1})`,
        tool: 'fs/read-file',
        input: { path: READ_FILE },
      })),
    },
  });
}

/**
 * Bytes of the checkpoints a phase boundary took, as the store counts them
 * (steps' own checkpoints are theirs): stored with a pointer into the step
 * chain in place of their step list (its numbers sized like the list's length).
 */
function phaseCheckpointBytes(checkpoints: readonly Checkpoint[]): number {
  return checkpoints
    .filter((checkpoint) => checkpoint.trigger !== 'step')
    .reduce(
      (total, { stepIds, ...stored }) =>
        total +
        putBytes(`!ckpt!${stored.planId}!${stored.id}`, {
          ...stored,
          steps: { node: stepIds.length, count: stepIds.length },
        }),
      0,
    );
}

/** How a run builds its runtime. */
export type RuntimeFactory = (dir: string, store: LevelStore) => Promise<LocalRuntime>;

export const shippedRuntime: RuntimeFactory = (dir, store) =>
  createRuntime({ dir, store, resume: false, report: () => {} });

/** What a run leaves open for measurements after it; `close` ends it. */
export interface TroupeRun {
  figures: RunFigures;
  dir: string;
  planId: string;
  store: LevelStore;
  runtime: LocalRuntime;
  close(): Promise<void>;
}

/** Run one plan of `steps` read-only steps through execute; call `close` on the result. */
export async function runTroupePlan(options: {
  steps: number;
  runtime?: RuntimeFactory;
  reconcile?: boolean;
}): Promise<TroupeRun> {
  const { steps } = options;
  const repo = await tempRepo({ [READ_FILE]: '# bench\n\nA small file every step reads.\n' });
  const temp = await tempDir('troupe-bench-db-');
  const ledger = new StepLedger(steps);
  const clock = new StepClock();
  const store = new AttributedLevelStore(join(temp.dir, 'db'), (info, written) =>
    // bytes counted after the run (reading info.bytes serializes the batch again)
    ledger.add(
      {
        bytes: () => info.bytes,
        operations: info.operations,
        phaseCheckpointBytes: phaseCheckpointBytes(written?.checkpoints ?? []),
      },
      written?.events ?? [],
    ),
  );
  let runtime: LocalRuntime | null = null;
  const close = async () => {
    await runtime?.close();
    await repo.cleanup();
    await temp.cleanup();
  };
  try {
    runtime = await (options.runtime ?? shippedRuntime)(repo.dir, store);
    const plan = await runtime.createPlan(planFile(steps, { reconcile: options.reconcile ?? false }));
    runtime.subscribe(plan.id, (event) =>
      clock.see(event, (seen) => seen.type === 'phase.completed' && seen.phase === 'execute'),
    );
    const record = await runtime.run(plan.id, { until: 'execute' });
    if (record.phase !== 'execute' || record.status !== 'complete') {
      throw new Error(
        `the plan ended in ${record.phase} ${record.status}: ${record.error?.message ?? 'no error recorded'}`,
      );
    }
    return { figures: figuresOf(ledger, clock), dir: repo.dir, planId: plan.id, store, runtime, close };
  } catch (error) {
    await close();
    throw error;
  }
}
