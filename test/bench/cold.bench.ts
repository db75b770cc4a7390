// The cold, end-to-end figures (issue 42, item 1): what a user meets, in a
// fresh process, from `runtime.run(id, { until: 'execute' })` to its
// return — strategize with its decisions included — against each floor
// timed the same way, each side in a Node of its own
// (test/bench/cold-child.ts), alternated round by round:
//   - 1,000 fs/read-file steps against a bare XState machine writing one
//     LevelDB batch per transition;
//   - 1,000 fs/write-file steps against a script writing the file, then
//     `git add -A` and `git commit`.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ColdFigures } from './cold-child.js';
import { median } from './measure.js';

const CHILD = fileURLToPath(new URL('./cold-child.ts', import.meta.url));
// tsx resolves from the project, whatever directory the bench runs in
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** One side of a cold figure: each round's run, and their medians. */
export interface ColdSide {
  runs: ColdFigures[];
  /** Median wall time of the call, ms. */
  ms: number;
  /** Median ms per step. */
  msPerStep: number;
}

/** troupe and its floor, for one kind of step. */
export interface ColdPair {
  steps: number;
  troupe: ColdSide;
  floor: ColdSide;
}

/** The figures of a cold run. */
export interface ColdBenchFigures {
  read: ColdPair;
  write: ColdPair;
  /** Of troupe's read run: strategize's ms per decision it recorded (one per step), and execute's ms per step (medians). */
  strategizeMsPerDecision: number;
  executeMsPerStep: number;
}

/**
 * Run one cold scenario in a fresh process; its printed figures.
 *
 * @example
 * const run = coldRun('read', 1000);
 * console.log(run.ms, run.strategizeMs);
 */
export function coldRun(
  scenario: 'read' | 'read-floor' | 'write' | 'write-floor',
  steps: number,
  env: NodeJS.ProcessEnv = process.env,
): ColdFigures {
  const result = spawnSync(process.execPath, ['--import', 'tsx', CHILD, scenario, String(steps)], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    maxBuffer: 16 << 20,
  });
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  if (result.status !== 0 || !line.startsWith('{'))
    throw new Error(`cold scenario ${scenario} failed (exit ${result.status}): ${result.stderr.trim().slice(-500)}`);
  return JSON.parse(line) as ColdFigures;
}

function side(runs: ColdFigures[], steps: number): ColdSide {
  const ms = median(runs.map((run) => run.ms));
  return { runs, ms, msPerStep: ms / steps };
}

/**
 * `rounds` rounds, each running troupe and its floor in fresh processes,
 * read-only steps then writing steps.
 *
 * @example
 * const cold = runColdBench({ steps: 1000, writingSteps: 1000, rounds: 3 });
 * console.log(cold.read.troupe.ms / cold.read.floor.ms);
 */
export function runColdBench(options: { steps: number; writingSteps: number; rounds: number }): ColdBenchFigures {
  const runs = {
    read: [] as ColdFigures[],
    readFloor: [] as ColdFigures[],
    write: [] as ColdFigures[],
    writeFloor: [] as ColdFigures[],
  };
  for (let round = 0; round < options.rounds; round++) {
    // alternated, floor first: each side meets the machine as the other did
    runs.readFloor.push(coldRun('read-floor', options.steps));
    runs.read.push(coldRun('read', options.steps));
    runs.writeFloor.push(coldRun('write-floor', options.writingSteps));
    runs.write.push(coldRun('write', options.writingSteps));
  }
  return {
    read: { steps: options.steps, troupe: side(runs.read, options.steps), floor: side(runs.readFloor, options.steps) },
    write: {
      steps: options.writingSteps,
      troupe: side(runs.write, options.writingSteps),
      floor: side(runs.writeFloor, options.writingSteps),
    },
    strategizeMsPerDecision: median(runs.read.map((run) => (run.strategizeMs ?? Number.NaN) / options.steps)),
    executeMsPerStep: median(runs.read.map((run) => (run.executeMs ?? Number.NaN) / options.steps)),
  };
}

// `tsx test/bench/cold.bench.ts [steps] [rounds]`: this benchmark alone
if (import.meta.url === `file://${process.argv[1]}`) {
  const steps = Number(process.argv[2] ?? 1000);
  const figures = runColdBench({ steps, writingSteps: steps, rounds: Number(process.argv[3] ?? 3) });
  const ratio = (pair: ColdPair) => (pair.troupe.ms / pair.floor.ms).toFixed(2);
  console.log(
    `read: troupe ${figures.read.troupe.msPerStep.toFixed(3)} ms/step, floor ${figures.read.floor.msPerStep.toFixed(3)}: ${ratio(figures.read)}×; ` +
      `write: troupe ${figures.write.troupe.msPerStep.toFixed(2)} ms/step, floor ${figures.write.floor.msPerStep.toFixed(2)}: ${ratio(figures.write)}×; ` +
      `strategize ${figures.strategizeMsPerDecision.toFixed(3)} ms/decision, execute ${figures.executeMsPerStep.toFixed(3)} ms/step`,
  );
}
