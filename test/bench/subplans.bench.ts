// Subplans at scale (issue 5): a plan with one group of N child plans
// (maxParallel M), each writing one file, merged back — against the same git
// operations scripted directly in the same run: a worktree per child, a
// commit in it, and a merge into the parent's worktree, at most M children
// at a time and the merges one after another.
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createRuntime } from '../../src/runtime/index.js';
import { GIT_ENV, tempRepo } from '../helpers/temp.js';

/** What a subplans benchmark run is given. */
export interface SubplanBenchOptions {
  children?: number;
  maxParallel?: number;
}

/** Wall times of one run, in milliseconds. */
export interface SubplanFigures {
  children: number;
  maxParallel: number;
  troupeMs: number;
  gitMs: number;
}

/**
 * Run both sides once on fresh repositories and report their wall times.
 *
 * @example
 * const figures = await runSubplanBench({ children: 64, maxParallel: 8 });
 * console.log(figures.troupeMs / figures.gitMs);
 */
export async function runSubplanBench(options: SubplanBenchOptions = {}): Promise<SubplanFigures> {
  const children = options.children ?? 64;
  const maxParallel = options.maxParallel ?? 8;
  return {
    children,
    maxParallel,
    troupeMs: await troupeFanOut(children, maxParallel),
    gitMs: await gitSide(children, maxParallel),
  };
}

/** troupe's side alone: a fresh repository, one plan fanning out to `children` (at most `maxParallel` at once), run through execute; its wall time in ms. */
export async function troupeFanOut(children: number, maxParallel: number): Promise<number> {
  return (await fanOut(children, maxParallel, { predict: true })).ms;
}

/** What conflict prediction cost on the fan-out, against the same fan-out without it in the same run. */
export interface PredictionFigures {
  runs: number;
  /** Medians of the wall time with prediction on, and off (the floor). */
  onMs: number;
  offMs: number;
  /** Medians of this process's CPU time (user + system; git's own processes not counted), on and off: steadier than wall time on a loaded machine. */
  onCpuMs: number;
  offCpuMs: number;
  /** Over the runs with prediction on: step commits looked at, pairs and files merged ahead of time (0 when the children touch separate files). */
  moves: number;
  pairs: number;
  files: number;
}

/**
 * The 64-child fan-out with conflict prediction on and off (`TROUPE_PREDICT_CONFLICTS=0`),
 * alternated `runs` times each in this process: children touching separate files should
 * pay nothing but a set lookup per step commit (docs/reference/subplans.md).
 *
 * @example
 * const figures = await runPredictionBench({ runs: 3 });
 * console.log(figures.onMs / figures.offMs, figures.pairs);
 */
export async function runPredictionBench(
  options: SubplanBenchOptions & { runs?: number } = {},
): Promise<PredictionFigures> {
  const [children, maxParallel, runs] = [options.children ?? 64, options.maxParallel ?? 8, options.runs ?? 3];
  const on: number[] = [];
  const off: number[] = [];
  const cpu = { on: [] as number[], off: [] as number[] };
  const counts = { moves: 0, pairs: 0, files: 0 };
  for (let round = 0; round < runs; round++) {
    // alternate which goes first: the machine's load drifts within a run
    for (const predict of round % 2 === 0 ? [true, false] : [false, true]) {
      const run = await fanOut(children, maxParallel, { predict });
      (predict ? on : off).push(run.ms);
      cpu[predict ? 'on' : 'off'].push(run.cpuMs);
      for (const key of ['moves', 'pairs', 'files'] as const) counts[key] += run.counts[key];
    }
  }
  const middle = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return { runs, onMs: middle(on), offMs: middle(off), onCpuMs: middle(cpu.on), offCpuMs: middle(cpu.off), ...counts };
}

/** The benchmark's plan file: one group of `children` (at most `maxParallel` at once), each writing a file of its own. */
export function fanOutSource(children: number, maxParallel: number): string {
  const entries = Array.from({ length: children }, (_, index) => ({
    goal: `Write file ${index}`,
    resourceScopes: [`f-${index}.txt`],
    strategy: {
      steps: [{ title: 'Write', tool: 'fs/write-file', input: { path: `f-${index}.txt`, content: `${index}\n` } }],
    },
  }));
  return stringify({
    name: 'bench/fan',
    goal: 'Fan out',
    strategy: { steps: [{ title: 'Fan out', subplans: { mode: 'parallel', maxParallel, entries } }] },
  });
}

async function fanOut(
  children: number,
  maxParallel: number,
  options: { predict: boolean },
): Promise<{ ms: number; cpuMs: number; counts: { moves: number; pairs: number; files: number } }> {
  const repo = await tempRepo({ 'README.md': '# bench\n' });
  const before = process.env.TROUPE_PREDICT_CONFLICTS;
  if (!options.predict) process.env.TROUPE_PREDICT_CONFLICTS = '0';
  const runtime = await createRuntime({ dir: repo.dir, report: () => {} }).finally(() => {
    if (before === undefined) delete process.env.TROUPE_PREDICT_CONFLICTS;
    else process.env.TROUPE_PREDICT_CONFLICTS = before;
  });
  try {
    const plan = await runtime.createPlan(fanOutSource(children, maxParallel));
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const record = await runtime.run(plan.id, { until: 'execute' });
    const elapsed = performance.now() - started;
    const cpuUsed = process.cpuUsage(cpuBefore);
    if (record.status !== 'complete')
      throw new Error(`the benchmark plan stopped at (${record.phase}, ${record.status}): ${record.error?.message}`);
    return {
      ms: elapsed,
      cpuMs: (cpuUsed.user + cpuUsed.system) / 1000,
      counts: runtime.forecast?.counts() ?? { moves: 0, pairs: 0, files: 0 },
    };
  } finally {
    await runtime.close();
    await repo.cleanup();
  }
}

async function gitSide(children: number, maxParallel: number): Promise<number> {
  const repo = await tempRepo({ 'README.md': '# bench\n' });
  try {
    const started = performance.now();
    const root = repo.dir;
    const parent = join(root, '.wt', 'parent');
    await mkdir(join(root, '.wt'), { recursive: true });
    await git(root, 'worktree', 'add', '-q', '-b', 'parent', parent, 'HEAD');
    const base = (await git(parent, 'rev-parse', 'HEAD')).trim();
    const queue = Array.from({ length: children }, (_, index) => index);
    // one `worktree add` at a time: git fails one that runs while another
    // registers its worktree ("failed to read .git/worktrees/…/commondir"),
    // so a correct script serializes them, as troupe does
    let adding = Promise.resolve('');
    const child = async (index: number) => {
      const path = join(root, '.wt', `child-${index}`);
      await (adding = adding.then(() => git(root, 'worktree', 'add', '-q', '-b', `child-${index}`, path, base)));
      await writeFile(join(path, `f-${index}.txt`), `${index}\n`);
      await git(path, 'add', '-A');
      await git(path, 'commit', '-q', '-m', `file ${index}`);
    };
    await Promise.all(
      Array.from({ length: maxParallel }, async () => {
        for (let index = queue.shift(); index !== undefined; index = queue.shift()) await child(index);
      }),
    );
    // merges in a fixed order, one after another, as troupe does
    for (let index = 0; index < children; index++) await git(parent, 'merge', '-q', '--no-edit', `child-${index}`);
    return performance.now() - started;
  } finally {
    await repo.cleanup();
  }
}

function git(cwd: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, env: GIT_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`git ${args.join(' ')}: ${err}`))));
  });
}
