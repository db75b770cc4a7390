// Resume at scale (issue 6): a LevelDB store holding N plans that have not
// ended — most waiting before strategize, the rest strategized and waiting
// before execute — written by a real runtime that is then closed; the
// figure is how long the next `createRuntime` takes to be ready, which
// restores every one of them (`resume` is on by default).
import { stringify } from 'yaml';
import { Level } from 'level';
import { createRuntime } from '../../src/runtime/index.js';
import { defaultStorePath } from '../../src/store/index.js';
import { median } from './measure.js';
import { peakMemory } from './memory.js';
import { tempRepo } from '../helpers/temp.js';

/** What a resume benchmark run is given. */
export interface ResumeBenchOptions {
  /** Plans in the store (default 1,000). */
  plans?: number;
  /** Every how many plans one is strategized first, so it waits at (execute, queued) (default 10). */
  strategizeEvery?: number;
  /** Steps in each plan's strategy (default 5). */
  steps?: number;
  /** Times the store is opened and restored; the median is reported (default 3). */
  openings?: number;
  /** Also restore it once in a fresh process and report that process's peak RSS (issue 20). */
  memory?: boolean;
}

/** The figures of one run. */
export interface ResumeFigures {
  plans: number;
  strategized: number;
  /** Wall time of the `createRuntime` that restores them, until it resolves: the median over the openings. */
  readyMs: number;
  /** Each opening's, in order. */
  readyMsEach: number[];
  /** Plans it restored (live actors when it resolved). */
  restored: number;
  /**
   * The floor, measured alternately with the openings: the same LevelDB
   * opened with `level` and every entry read and JSON-parsed, then closed —
   * the least any restore of the same data does. The median.
   */
  floorMs: number;
  floorMsEach: number[];
  /** Entries the floor read (every key of the store). */
  entries: number;
  /** Wall time of writing the store (informative). */
  setupMs: number;
  /** With `memory`: the peak RSS (MiB) of a fresh process restoring the store, and of one that only loaded the runtime. */
  restoreRssMb?: number;
  idleRssMb?: number;
}

const WRITERS = 8;

async function eachConcurrently(count: number, width: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let index = next++; index < count; index = next++) await work(index);
    }),
  );
}

function planFile(index: number, steps: number): string {
  return stringify({
    name: `bench/resume-${index}`,
    goal: `Plan ${index} at rest`,
    automation: 'manual',
    strategy: {
      steps: Array.from({ length: steps }, (_, step) => ({ title: `Write f-${index}-${step}.txt`, tool: 'fs/write-file', input: { path: `f-${index}-${step}.txt`, content: `${step}\n` } })),
    },
  });
}

/**
 * Write the store once, then time a runtime that restores it.
 *
 * @example
 * const figures = await runResumeBench({ plans: 1000 });
 * console.log(figures.readyMs, figures.restored);
 */
export async function runResumeBench(options: ResumeBenchOptions = {}): Promise<ResumeFigures> {
  const plans = options.plans ?? 1000;
  const strategizeEvery = options.strategizeEvery ?? 10;
  const steps = options.steps ?? 5;
  const openings = options.openings ?? 3;
  const repo = await tempRepo({ 'README.md': '# bench\n' });
  try {
    const setupStarted = performance.now();
    let strategized = 0;
    const writer = await createRuntime({ dir: repo.dir, store: 'level', resume: false, report: () => {} });
    try {
      // created a few at a time (each waits on its own fsync); strategized one
      // after another, as two worktrees added at once can trip over each other in git
      const ids: string[] = new Array<string>(plans);
      await eachConcurrently(plans, WRITERS, async (index) => {
        ids[index] = (await writer.createPlan(planFile(index, steps))).id;
      });
      for (let index = 0; index < plans; index += strategizeEvery) {
        const record = await writer.run(ids[index]!, { until: 'strategize' });
        if (record.phase !== 'strategize' || record.status !== 'complete') {
          throw new Error(`plan ${index} stopped at (${record.phase}, ${record.status}): ${record.error?.message ?? 'no error recorded'}`);
        }
        strategized++;
      }
    } finally {
      await writer.close();
    }
    const setupMs = performance.now() - setupStarted;

    const readyMsEach: number[] = [];
    const floorMsEach: number[] = [];
    let restored = 0;
    let entries = 0;
    for (let opening = 0; opening < openings; opening++) {
      const floorStarted = performance.now();
      entries = await readEverything(defaultStorePath(repo.dir));
      floorMsEach.push(performance.now() - floorStarted);
      const started = performance.now();
      const reader = await createRuntime({ dir: repo.dir, store: 'level', report: () => {} });
      readyMsEach.push(performance.now() - started);
      restored = reader.livePlanIds().length;
      await reader.close();
    }
    const memory = options.memory ? { restoreRssMb: peakMemory('restore', repo.dir), idleRssMb: peakMemory('idle') } : null;
    if (memory && memory.restoreRssMb.restored !== plans) throw new Error(`the memory run restored ${memory.restoreRssMb.restored} of ${plans} plans`);
    return {
      plans,
      strategized,
      readyMs: median(readyMsEach),
      readyMsEach,
      restored,
      setupMs,
      floorMs: median(floorMsEach),
      floorMsEach,
      entries,
      ...(memory ? { restoreRssMb: memory.restoreRssMb.peakRssMb, idleRssMb: memory.idleRssMb.peakRssMb } : {}),
    };
  } finally {
    await repo.cleanup();
  }
}

// the floor: open the store, read and parse every entry, close
async function readEverything(path: string): Promise<number> {
  const db = new Level<string, string>(path);
  await db.open();
  let entries = 0;
  try {
    // every sublevel's values are JSON
    for await (const [key, value] of db.iterator()) if (key && JSON.parse(value) !== undefined) entries++;
  } finally {
    await db.close();
  }
  return entries;
}

// `tsx test/bench/resume.bench.ts [plans]`: this benchmark alone
if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await runResumeBench({ plans: Number(process.argv[2] ?? 1000) });
  console.log(figures);
}
