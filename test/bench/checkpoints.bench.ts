// Checkpoint size over a long plan (issue 6): a plan of N steps, every k-th
// of which writes a tiny file (`fs/write-file`), run through execute; each
// writing step takes a `step` checkpoint. The figure is the stored size of
// a checkpoint early in the plan against one at its end: it must stay flat,
// as a checkpoint holds the plan's context, never its history.
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Checkpoint } from '../../src/domain/index.js';
import { createRuntime } from '../../src/runtime/index.js';
import { LevelStore } from '../../src/store/index.js';
import { tempDir, tempRepo } from '../helpers/temp.js';

/** What a checkpoint benchmark run is given. */
export interface CheckpointBenchOptions {
  /** Steps in the plan (default 1,000). */
  steps?: number;
  /** Every how many steps one writes a file and so takes a checkpoint (default 1: all of them); the others read one. */
  writeEvery?: number;
}

/** One measured `step` checkpoint. */
export interface MeasuredCheckpoint {
  /** Its number among the plan's step checkpoints (1-based). */
  ordinal: number;
  /** The step it was taken after (1-based). */
  step: number;
  /** Key plus JSON value, as the store counts a put. */
  bytes: number;
  /** Of which the machine snapshot it copies. */
  snapshotBytes: number;
}

/** The figures of one run. */
export interface CheckpointFigures {
  steps: number;
  stepCheckpoints: number;
  /** The step checkpoint taken after step 10 (the 10th when every step writes; the first one after it otherwise). */
  early: MeasuredCheckpoint;
  /** The last step checkpoint (the 1,000th when every one of 1,000 steps writes). */
  last: MeasuredCheckpoint;
  /** Mean bytes over all the plan's checkpoints, of every trigger. */
  meanBytes: number;
  /** Wall time of execute. */
  executeMs: number;
}

function planFile(steps: number, writeEvery: number): string {
  return stringify({
    name: 'bench/checkpoints',
    goal: `Write a file every ${writeEvery} step(s) of ${steps}`,
    automation: 'manual',
    strategy: {
      steps: Array.from({ length: steps }, (_, index) =>
        (index + 1) % writeEvery === 0
          ? {
              title: `Write f-${index + 1}.txt`,
              tool: 'fs/write-file',
              input: { path: `f/${index + 1}.txt`, content: `${index + 1}\n` },
            }
          : { title: `Read README.md (${index + 1})`, tool: 'fs/read-file', input: { path: 'README.md' } },
      ),
    },
  });
}

// a checkpoint's key and value as the store holds them (its step list a pointer into the plan's step chain)
async function storedBytes(store: LevelStore, checkpoint: Checkpoint): Promise<number> {
  const key = `!ckpt!${checkpoint.planId}!${checkpoint.id}`;
  const value = await store.db.get(key);
  if (value === undefined) throw new Error(`checkpoint ${checkpoint.id} is not stored under ${key}`);
  return Buffer.byteLength(key) + Buffer.byteLength(value);
}

async function measured(
  store: LevelStore,
  checkpoint: Checkpoint,
  ordinal: number,
  writeEvery: number,
): Promise<MeasuredCheckpoint> {
  return {
    ordinal,
    step: ordinal * writeEvery,
    bytes: await storedBytes(store, checkpoint),
    snapshotBytes: Buffer.byteLength(JSON.stringify(checkpoint.snapshot)),
  };
}

/**
 * Run the plan once on a fresh repository and store, then read its
 * checkpoints back and measure them.
 *
 * @example
 * const figures = await runCheckpointBench({ steps: 1000, writeEvery: 10 });
 * console.log(figures.last.bytes / figures.early.bytes);
 */
export async function runCheckpointBench(options: CheckpointBenchOptions = {}): Promise<CheckpointFigures> {
  const steps = options.steps ?? 1000;
  const writeEvery = options.writeEvery ?? 1;
  const repo = await tempRepo({ 'README.md': '# bench\n' });
  const temp = await tempDir('troupe-bench-db-');
  const store = new LevelStore({ path: join(temp.dir, 'db') });
  const runtime = await createRuntime({ dir: repo.dir, store, resume: false, report: () => {} });
  try {
    const plan = await runtime.createPlan(planFile(steps, writeEvery));
    await runtime.run(plan.id, { until: 'strategize' });
    const started = performance.now();
    const record = await runtime.run(plan.id, { until: 'execute' });
    const executeMs = performance.now() - started;
    if (record.phase !== 'execute' || record.status !== 'complete') {
      throw new Error(
        `the benchmark plan stopped at (${record.phase}, ${record.status}): ${record.error?.message ?? 'no error recorded'}`,
      );
    }
    await runtime.checkpoints(plan.id); // waits for the plan's pending writes
    const all = await store.listCheckpoints(plan.id);
    const stepCheckpoints = all.filter((checkpoint) => checkpoint.trigger === 'step');
    if (stepCheckpoints.length === 0) throw new Error('the plan took no step checkpoint');
    const early = Math.min(Math.max(1, Math.ceil(10 / writeEvery)), stepCheckpoints.length);
    let total = 0;
    for (const checkpoint of all) total += await storedBytes(store, checkpoint);
    return {
      steps,
      stepCheckpoints: stepCheckpoints.length,
      early: await measured(store, stepCheckpoints[early - 1]!, early, writeEvery),
      last: await measured(store, stepCheckpoints.at(-1)!, stepCheckpoints.length, writeEvery),
      meanBytes: total / all.length,
      executeMs,
    };
  } finally {
    await runtime.close();
    await repo.cleanup();
    await temp.cleanup();
  }
}

// `tsx test/bench/checkpoints.bench.ts [steps] [writeEvery]`: this benchmark alone
if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await runCheckpointBench({
    steps: Number(process.argv[2] ?? 1000),
    writeEvery: Number(process.argv[3] ?? 1),
  });
  console.log(figures);
}
