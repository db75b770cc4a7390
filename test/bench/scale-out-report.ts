// The scale-out figures as `npm run bench` prints them: wall times and the
// per-child overhead of each way beside the local run, against issue 37's
// targets, and where a child's slot went, stage by stage.
import { availableParallelism } from 'node:os';
import { formatNumber, formatRatio, median, table } from './measure.js';
import { CPU_PARTS, type ScaleOutRun, type ScaleOutShape } from './scale-out.bench.js';
import { STAGES, stageMedians } from './scale-out-timeline.js';

// issue 37 item 5: 4 workers against one process
const OVERHEAD_TARGET = 1.5;
const WALL_TARGET = 1.3;

/** The figures of one way (medians over its runs). */
export interface ScaleOutWay {
  workers: number;
  slots: number;
  runs: number;
  wallMs: number;
  /** Slot time each child held beyond its sleep: wall time × children at once ÷ children − the sleep. */
  overheadMs: number;
  /** CPU time of the run per child, all processes together (NaN: unknown). */
  cpuPerChildMs: number;
  /** The same by part of the run ({@link CPU_PARTS}; 0 for a part the way has not). */
  cpuPartsPerChildMs: Map<string, number>;
  load: [number, number];
  stages: { name: string; ms: number | null }[];
  /** The same from the timelines: the median child's slot (its start to the parent seeing it validated) beyond the sleep. */
  slotBeyondSleepMs: number;
}

/** Medians of each way's runs. */
export function scaleOutWays(shape: ScaleOutShape, runs: readonly ScaleOutRun[]): ScaleOutWay[] {
  const ways = [...new Set(runs.map((run) => run.workers))];
  return ways.map((workers) => {
    const mine = runs.filter((run) => run.workers === workers);
    const slots = mine[0]!.slots;
    const wallMs = median(mine.map((run) => run.wallMs));
    const timed = stageMedians(
      mine.flatMap((run) => run.timelines),
      shape.sleepMs,
    );
    return {
      workers,
      slots,
      runs: mine.length,
      wallMs,
      overheadMs: (wallMs * slots) / shape.children - shape.sleepMs,
      cpuPerChildMs: median(mine.map((run) => run.cpuMs)) / shape.children,
      cpuPartsPerChildMs: new Map(
        CPU_PARTS.map((part) => [part, median(mine.map((run) => run.cpuParts.get(part) ?? 0)) / shape.children]),
      ),
      load: [Math.min(...mine.map((run) => run.load[0])), Math.max(...mine.map((run) => run.load[1]))],
      stages: timed.stages,
      slotBeyondSleepMs: timed.slotBeyondWorkMs,
    };
  });
}

/** The lines `npm run bench` prints for the scale-out runs. */
export function scaleOutReport(shape: ScaleOutShape, runs: readonly ScaleOutRun[]): string[] {
  const ways = scaleOutWays(shape, runs);
  const local = ways.find((way) => way.workers === 0);
  const four = ways.find((way) => way.workers === 4);
  const one = ways.find((way) => way.workers === 1);
  const name = (way: ScaleOutWay) =>
    way.workers === 0
      ? `one process, LevelDB, ${way.slots} at once`
      : `${way.workers} worker process${way.workers === 1 ? '' : 'es'}, ${way.slots} at once`;
  const seconds = (ms: number) => `${formatSeconds(ms)} s`;
  const lines = [
    `scale-out: ${shape.children} child plans whose step sleeps ${formatSeconds(shape.sleepMs)} s, maxParallel ${shape.maxParallel}, each worker process taking ${shape.perWorker} at once ` +
      `(medians of ${runsSaid(ways)}, interleaved; the 1-minute load average before and after the runs, on ${machineCores()} cores):`,
    table(
      [
        'run',
        'wall time',
        'ideal (sleeping only)',
        `per child beyond its ${formatSeconds(shape.sleepMs)} s`,
        'the same, median child (its timeline)',
        'CPU per child',
        'load',
      ],
      ways.map((way) => [
        name(way),
        seconds(way.wallMs),
        seconds(Math.ceil(shape.children / way.slots) * shape.sleepMs),
        `${formatNumber(way.overheadMs)} ms`,
        `${formatNumber(way.slotBeyondSleepMs)} ms`,
        `${formatNumber(way.cpuPerChildMs)} ms`,
        `${formatNumber(way.load[0])}–${formatNumber(way.load[1])}`,
      ]),
    ),
  ];
  if (local && four) {
    const overhead = four.overheadMs / local.overheadMs;
    const wall = four.wallMs / local.wallMs;
    lines.push(
      `4 workers against one process: per-child overhead ${formatRatio(overhead)} (≤ ${OVERHEAD_TARGET}×: ${verdict(overhead <= OVERHEAD_TARGET)}), ` +
        `wall time ${formatRatio(wall)} (≤ ${WALL_TARGET}×: ${verdict(wall <= WALL_TARGET)})` +
        `; CPU per child ${formatRatio(four.cpuPerChildMs / local.cpuPerChildMs)} one process's` +
        (one
          ? `; speed-up of 4 workers over 1: ${formatRatio(one.wallMs / four.wallMs)} (ideal ${formatRatio(four.slots / one.slots)})`
          : ''),
    );
  }
  lines.push(
    'where a child\'s slot went, from its spawn to the parent seeing it validated (medians over the children of every run, ms; on a worker "to its first transition" is ' +
      'its record read, its sandbox checked out and its actor restored; on 1 worker the queue holds children until one of its slots is free):',
    table(
      ['stage', ...ways.map(name)],
      STAGES.map(([stage], index) => [
        stage,
        ...ways.map((way) =>
          way.stages[index]?.ms === null || way.stages[index] === undefined ? '—' : formatNumber(way.stages[index].ms!),
        ),
      ]),
    ),
    "where the CPU time went, per child (medians over the runs, ms; from /proc: each process's own time, and the git and plan commands it started and waited for):",
    table(
      ['part', ...ways.map(name)],
      CPU_PARTS.map((part) => [part, ...ways.map((way) => formatNumber(way.cpuPartsPerChildMs.get(part) ?? 0))]),
    ),
  );
  return lines;
}

// "3 runs each way", or "3 runs each way (1 worker: 1)"
function runsSaid(ways: readonly ScaleOutWay[]): string {
  const most = Math.max(...ways.map((way) => way.runs));
  const fewer = ways
    .filter((way) => way.runs !== most)
    .map((way) => `${way.workers} worker${way.workers === 1 ? '' : 's'}: ${way.runs}`);
  return `${most} run${most === 1 ? '' : 's'} each way${fewer.length > 0 ? ` (${fewer.join(', ')})` : ''}`;
}

function verdict(met: boolean): string {
  return met ? 'pass' : 'FAIL';
}

// seconds as a person writes them: 2, 5.4, 11
function formatSeconds(ms: number): string {
  const value = ms / 1000;
  return Number.isInteger(value) ? String(value) : value < 10 ? value.toFixed(1) : String(Math.round(value));
}

function machineCores(): number {
  return availableParallelism();
}
