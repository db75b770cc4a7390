// One cold, end-to-end figure per process (issue 42, item 1): a user meets
// troupe in a fresh process, its code not yet optimized by V8, so each
// scenario runs in a Node of its own (test/bench/cold.bench.ts starts it)
// and prints one JSON line. Each side is timed the same way: what it needs
// is opened first (the runtime and its plan, the floor's database or
// repository), then the clock runs from the call that does the work to its
// return.
//   read <steps>          troupe: runtime.run(id, { until: 'execute' }) on a plan of <steps> fs/read-file steps (strategize included)
//   read-floor <steps>    a bare XState machine writing one LevelDB batch per transition, <steps> steps
//   write <steps>         troupe: the same run on a plan of <steps> fs/write-file steps (a commit each)
//   write-floor <steps>   a script writing the file, git add -A, git commit, <steps> times
// With TROUPE_BENCH_PROFILE=<file.cpuprofile>, the timed call alone is
// profiled (node:inspector, 100 µs sampling) and the profile written there.
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createRuntime } from '../../src/runtime/index.js';
import { LevelStore } from '../../src/store/index.js';
import { tempDir, tempRepo } from '../helpers/temp.js';
import { runFloor } from './floor.bench.js';
import { planFile, READ_FILE } from './plan-steps.bench.js';
import { NOTE_FILES, notePath, noteContent, scriptSteps } from './writing-steps.bench.js';

/** What a cold scenario printed. */
export interface ColdFigures {
  scenario: string;
  steps: number;
  /** From the call to its return. */
  ms: number;
  /** troupe: of `ms`, strategize (from run() to its phase.completed, as published) and execute (the rest). */
  strategizeMs?: number;
  executeMs?: number;
  /** troupe: ms per step over the first and the last tenth of the steps (cold, then warmed up), and from the last step to run()'s return. */
  firstTenthMs?: number;
  lastTenthMs?: number;
  endMs?: number;
  /** CPU time of the process's threads during the call (not of the git processes it started), ms. */
  cpuMs?: number;
  /** Store batches written during the call, and of them synced. */
  batches?: number;
  synced?: number;
}

// CPU time the timed call took, all of the process's threads (on a loaded machine wall time follows the load, this much less)
let cpuMs = 0;

/** Profiles what `timed` runs when TROUPE_BENCH_PROFILE names a file: the call only, not the set-up around it. */
async function profiled<T>(timed: () => Promise<T>): Promise<T> {
  const path = process.env['TROUPE_BENCH_PROFILE'];
  if (!path) {
    const before = process.cpuUsage();
    try {
      return await timed();
    } finally {
      const used = process.cpuUsage(before);
      cpuMs = (used.user + used.system) / 1000;
    }
  }
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  try {
    return await timed();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(path, JSON.stringify(profile));
    session.disconnect();
  }
}

const scenario = process.argv[2] ?? '';
const count = process.argv[3];
const steps = Number(count ?? 1000);
if (!Number.isInteger(steps) || steps < 1) throw new Error(`steps must be a whole number ≥ 1, got ${count}`);

async function troupeRun(file: string, files: Record<string, string>): Promise<ColdFigures> {
  const repo = await tempRepo(files);
  const temp = await tempDir('troupe-bench-db-');
  const ledger = { batches: 0, synced: 0 };
  const store = new LevelStore({
    path: join(temp.dir, 'db'),
    onBatch: (batch) => {
      ledger.batches += 1;
      if (batch.sync) ledger.synced += 1;
    },
  });
  const runtime = await createRuntime({ dir: repo.dir, store, resume: false, report: () => {} });
  try {
    const plan = await runtime.createPlan(file);
    let strategized: number | null = null;
    const completed: number[] = [];
    runtime.subscribe(plan.id, (event) => {
      if (event.type === 'phase.completed' && event.phase === 'strategize') strategized = performance.now();
      if (event.type === 'step.completed') completed.push(performance.now());
    });
    const before = { ...ledger };
    const started = performance.now();
    const record = await profiled(() => runtime.run(plan.id, { until: 'execute' }));
    const ms = performance.now() - started;
    if (record.phase !== 'execute' || record.status !== 'complete')
      throw new Error(
        `the plan ended in (${record.phase}, ${record.status}): ${record.error?.message ?? 'no error recorded'}`,
      );
    const strategizeMs = (strategized ?? started) - started;
    const tenth = Math.max(1, Math.floor(steps / 10));
    const firstTenthMs = (completed[tenth - 1]! - (strategized ?? started)) / tenth;
    const lastTenthMs = (completed.at(-1)! - completed.at(-tenth - 1)!) / tenth;
    const endMs = started + ms - completed.at(-1)!;
    return {
      scenario,
      steps,
      ms,
      strategizeMs,
      executeMs: ms - strategizeMs,
      firstTenthMs,
      lastTenthMs,
      endMs,
      batches: ledger.batches - before.batches,
      synced: ledger.synced - before.synced,
    };
  } finally {
    await runtime.close();
    await repo.cleanup();
    await temp.cleanup();
  }
}

function writePlanFile(count: number): string {
  return stringify({
    name: 'bench/writes',
    goal: `Write ${count} notes`,
    automation: 'manual',
    strategy: {
      steps: Array.from({ length: count }, (_, index) => ({
        title: `Write ${notePath(index)}`,
        tool: 'fs/write-file',
        input: { path: notePath(index), content: noteContent(index) },
      })),
    },
  });
}

async function measure(): Promise<ColdFigures> {
  switch (scenario) {
    case 'read':
      return troupeRun(planFile(steps), { [READ_FILE]: '# bench\n\nA small file every step reads.\n' });
    case 'read-floor': {
      const figures = await profiled(() => runFloor({ steps }));
      return { scenario, steps, ms: figures.msRun, batches: figures.batches };
    }
    case 'write':
      return troupeRun(writePlanFile(steps), NOTE_FILES);
    case 'write-floor':
      return { scenario, steps, ms: (await profiled(async () => scriptSteps(steps))).msPerStep * steps };
    default:
      throw new Error(`unknown scenario "${scenario}": read, read-floor, write or write-floor <steps>`);
  }
}

const figures = await measure();
console.log(JSON.stringify({ ...figures, cpuMs }));
