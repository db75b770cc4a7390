// Writing steps against the git floor (issue 20, item 2): `steps` writing
// steps (`fs/write-file`, a small change to one of 50 notes in turn, as an
// agent makes them) through troupe — a scripted plan of that many steps run
// through execute, and an agent-driven plan given the same writes one call
// at a time — against a script doing the same write, `git add -A` and
// `git commit -q -m …` per step on a repository of its own, in the same run.
// The script's git runs with the test environment (no global or system
// config, a fixed identity) and the repository has no hooks: troupe's own
// git commands run with its neutral settings (no hooks, no signing), so
// neither side pays for a program the other does not run.
//
// Besides the time, it counts what a step costs: git processes (a `git` on
// PATH that counts its runs and then runs the real one, in a shorter run of
// its own, as the count is not timed), store batches, synced batches and
// bytes. For the agent-driven plan also how its storage grows (issue 20,
// item 1): stored bytes per step over its first 100 steps (what a 100-step
// plan stores) against its whole length, and its store on disk per step
// once closed — beside the floor of that, the bytes git itself stored for
// the same commits (the repository's objects, loose as git wrote them).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { stringify } from 'yaml';
import { createRuntime, type Runtime } from '../../src/runtime/index.js';
import { LevelStore } from '../../src/store/index.js';
import { GIT_ENV, tempDir, tempRepo } from '../helpers/temp.js';

/** What one side of the figure cost per writing step. */
export interface WritingStepCost {
  msPerStep: number;
  /** Store batches written per step (troupe only). */
  batchesPerStep: number;
  /** Of which written with `sync` (an fsync of LevelDB's log). */
  syncedBatchesPerStep: number;
  /** Keys plus values, as the store counts them. */
  bytesPerStep: number;
  /** git processes started per step (from the counting run; 0 when not counted). */
  gitPerStep: number;
  /** The floor's ms per step, measured right before and right after this side (their mean). */
  floorMsPerStep: number;
}

/** How the agent-driven plan's storage grew along its steps. */
export interface StorageGrowth {
  /** Stored bytes (keys plus values) per step over its first 100 steps (or all, if fewer): a 100-step plan's. */
  first100BytesPerStep: number;
  /** Over the last 100 steps. */
  last100BytesPerStep: number;
  /** Over every step. */
  meanBytesPerStep: number;
  /** The store directory on disk after close, per step (LevelDB compresses what it compacts). */
  diskBytesPerStep: number;
  /** The floor: the repository's git objects per step for the same commits (du of .git/objects, grown over the steps). */
  gitDiskBytesPerStep: number;
}

/** The figures of one run: both ways through troupe, and the floor. */
export interface WritingStepFigures {
  steps: number;
  scripted: WritingStepCost;
  agent: WritingStepCost;
  /** The agent-driven plan's storage along its steps. */
  storage: StorageGrowth;
  /** The floor: its mean over its three runs, before, between and after the two sides. */
  floor: WritingStepCost;
  /** ms per step of each of the floor's three runs, in order. */
  floorRuns: number[];
}

const NOTES = 50;

/** The files the repository of a writing-step run starts with. */
export const NOTE_FILES: Record<string, string> = { 'README.md': '# bench\n', 'notes/0.txt': 'note\n' };

/** The note writing step `index` changes: one of 50 in turn. */
export function notePath(index: number): string {
  return `notes/${index % NOTES}.txt`;
}

/** What writing step `index` writes. */
export function noteContent(index: number): string {
  return `note ${index}\n`;
}

/**
 * Measure `steps` writing steps each way and the same writes scripted, the
 * script before, between and after the two sides (on a shared machine the
 * load drifts: each side is compared with the floor measured around it);
 * then `countSteps` steps more of each with a counting `git` on PATH.
 *
 * @example
 * const figures = await runWritingStepBench({ steps: 1000 });
 * console.log(figures.agent.msPerStep / figures.agent.floorMsPerStep);
 */
export async function runWritingStepBench(options: {
  steps: number;
  countSteps?: number;
}): Promise<WritingStepFigures> {
  const countSteps = options.countSteps ?? 50;
  const floorRuns = [scriptSteps(options.steps).msPerStep];
  const scriptedCost = await scriptedPlan(options.steps);
  floorRuns.push(scriptSteps(options.steps).msPerStep);
  const { storage, ...agentCost } = await agentPlan(options.steps);
  floorRuns.push(scriptSteps(options.steps).msPerStep);
  const [before, between, after] = floorRuns as [number, number, number];
  const floorMsPerStep = (before + between + after) / 3;
  return {
    steps: options.steps,
    scripted: {
      ...scriptedCost,
      floorMsPerStep: (before + between) / 2,
      gitPerStep: await counted(countSteps, (n) => scriptedPlan(n)),
    },
    agent: {
      ...agentCost,
      floorMsPerStep: (between + after) / 2,
      gitPerStep: await counted(countSteps, (n) => agentPlan(n)),
    },
    storage,
    floor: {
      msPerStep: floorMsPerStep,
      batchesPerStep: 0,
      syncedBatchesPerStep: 0,
      bytesPerStep: 0,
      floorMsPerStep,
      gitPerStep: await counted(countSteps, async (n) => void scriptSteps(n)),
    },
    floorRuns,
  };
}

interface Ledger {
  batches: number;
  synced: number;
  bytes: number;
}

async function withRuntime<T>(
  use: (runtime: Runtime, ledger: Ledger, repo: string) => Promise<T>,
  closed?: (paths: { db: string; repo: string }) => void,
): Promise<T> {
  const repo = await tempRepo(NOTE_FILES);
  const temp = await tempDir('troupe-bench-db-');
  const ledger: Ledger = { batches: 0, synced: 0, bytes: 0 };
  const store = new LevelStore({
    path: join(temp.dir, 'db'),
    onBatch: (batch) => {
      ledger.batches += 1;
      ledger.synced += batch.sync ? 1 : 0;
      ledger.bytes += batch.bytes;
    },
  });
  const runtime = await createRuntime({ dir: repo.dir, store, resume: false, report: () => {} });
  try {
    return await use(runtime, ledger, repo.dir);
  } finally {
    await runtime.close();
    closed?.({ db: join(temp.dir, 'db'), repo: repo.dir });
    await repo.cleanup();
    await temp.cleanup();
  }
}

export type MeasuredCost = Omit<WritingStepCost, 'gitPerStep' | 'floorMsPerStep'>;

function cost(ms: number, ledger: Ledger, before: Ledger, steps: number): MeasuredCost {
  return {
    msPerStep: ms / steps,
    batchesPerStep: (ledger.batches - before.batches) / steps,
    syncedBatchesPerStep: (ledger.synced - before.synced) / steps,
    bytesPerStep: (ledger.bytes - before.bytes) / steps,
  };
}

// a plan file of `steps` fs/write-file steps, strategized, then timed through execute
function scriptedPlan(steps: number): Promise<MeasuredCost> {
  return withRuntime(async (runtime, ledger) => {
    const created = await runtime.createPlan(
      stringify({
        name: 'bench/writes',
        goal: `Write ${steps} notes`,
        automation: 'manual',
        strategy: {
          steps: Array.from({ length: steps }, (_, index) => ({
            title: `Write ${notePath(index)}`,
            tool: 'fs/write-file',
            input: { path: notePath(index), content: noteContent(index) },
          })),
        },
      }),
    );
    await runtime.run(created.id, { until: 'strategize' });
    await runtime.getPlan(created.id);
    const before = { ...ledger };
    const started = performance.now();
    const record = await runtime.run(created.id, { until: 'execute' });
    // execute's last batch is written before run() answers: the record is read after it
    const ms = performance.now() - started;
    if (record.phase !== 'execute' || record.status !== 'complete')
      throw new Error(
        `the scripted plan stopped at (${record.phase}, ${record.status}): ${record.error?.message ?? ''}`,
      );
    return cost(ms, ledger, before, steps);
  });
}

// an agent-driven plan, open at (execute, waiting), given the writes one call at a time
async function agentPlan(steps: number): Promise<MeasuredCost & { storage: StorageGrowth }> {
  const disk = { db: 0, git: 0, gitBefore: 0 };
  const measured = await withRuntime(
    async (runtime, ledger, repo) => {
      const created = await runtime.createPlan(
        stringify({ name: 'bench/agent-writes', goal: 'Answer an agent', resourceScopes: ['**'] }),
      );
      const plan = await runtime.run(created.id);
      if (plan.status !== 'waiting') throw new Error(`the plan is not open: ${plan.phase} ${plan.status}`);
      await runtime.getPlan(plan.id);
      disk.gitBefore = duBytes(join(repo, '.git', 'objects'));
      const before = { ...ledger };
      // stored bytes after each step, read once the step's batches are written
      const after: number[] = [];
      const started = performance.now();
      let paused = 0;
      for (let index = 0; index < steps; index++) {
        const result = await runtime.callTool(plan.id, {
          tool: 'fs/write-file',
          input: { path: notePath(index), content: noteContent(index) },
        });
        if (!result.ok) throw new Error(`write ${index} failed: ${result.error.code} ${result.error.message}`);
        // the next call waits for the step's last batch anyway; reading the record for the count is not timed
        const pause = performance.now();
        await runtime.getPlan(plan.id);
        after.push(ledger.bytes - before.bytes);
        paused += performance.now() - pause;
      }
      const ms = performance.now() - started - paused;
      const span = Math.min(100, steps);
      const growth = {
        first100BytesPerStep: after[span - 1]! / span,
        last100BytesPerStep: (after[steps - 1]! - (steps > span ? after[steps - span - 1]! : 0)) / span,
        meanBytesPerStep: after[steps - 1]! / steps,
      };
      return { ...cost(ms, ledger, before, steps), growth };
    },
    (paths) => {
      disk.db = duBytes(paths.db);
      disk.git = duBytes(join(paths.repo, '.git', 'objects'));
    },
  );
  const { growth, ...rest } = measured;
  return {
    ...rest,
    storage: { ...growth, diskBytesPerStep: disk.db / steps, gitDiskBytesPerStep: (disk.git - disk.gitBefore) / steps },
  };
}

// bytes a directory takes on disk (du's apparent sizes would hide LevelDB's compression; blocks are what it costs)
function duBytes(path: string): number {
  const done = spawnSync('du', ['-s', '--block-size=1', path], { encoding: 'utf8' });
  return Number(done.stdout.split('\t')[0] ?? 0);
}

/** The git floor: `steps` times a file written, `git add -A`, `git commit -q`, in a repository of its own. */
export function scriptSteps(steps: number): MeasuredCost {
  const dir = spawnSync('mktemp', ['-d'], { encoding: 'utf8' }).stdout.trim();
  const git = (...args: string[]) => {
    const done = spawnSync('git', args, { cwd: dir, env: { ...GIT_ENV, PATH: process.env.PATH } });
    if (done.status !== 0) throw new Error(`git ${args[0]}: ${done.stderr.toString()}`);
  };
  try {
    git('init', '-q', '-b', 'main');
    mkdirSync(join(dir, 'notes'));
    writeFileSync(join(dir, 'README.md'), '# bench\n');
    writeFileSync(join(dir, 'notes/0.txt'), 'note\n');
    git('add', '-A');
    git('commit', '-q', '-m', 'initial');
    const started = performance.now();
    for (let index = 0; index < steps; index++) {
      writeFileSync(join(dir, notePath(index)), noteContent(index));
      git('add', '-A');
      git('commit', '-q', '-m', `write ${notePath(index)}`);
    }
    return {
      msPerStep: (performance.now() - started) / steps,
      batchesPerStep: 0,
      syncedBatchesPerStep: 0,
      bytesPerStep: 0,
    };
  } finally {
    spawnSync('rm', ['-rf', dir]);
  }
}

/**
 * git processes per step: those of `run(2 × steps)` less those of
 * `run(steps)` (so the set-up's cancel out), over `steps`, with a `git`
 * first on PATH that logs a line and runs the real one.
 */
async function counted(steps: number, run: (steps: number) => Promise<unknown>): Promise<number> {
  const temp = await tempDir('troupe-bench-git-');
  const real = spawnSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim();
  const log = join(temp.dir, 'runs');
  writeFileSync(join(temp.dir, 'git'), `#!/bin/sh\necho "$1" >> '${log}'\nexec '${real}' "$@"\n`);
  chmodSync(join(temp.dir, 'git'), 0o755);
  const path = process.env.PATH;
  const runs = () => {
    try {
      return readFileSync(log, 'utf8').split('\n').filter(Boolean).length;
    } catch {
      return 0;
    }
  };
  process.env.PATH = `${temp.dir}${delimiter}${path ?? ''}`;
  try {
    await run(steps);
    const once = runs();
    await run(2 * steps);
    return (runs() - 2 * once) / steps;
  } finally {
    process.env.PATH = path;
    await temp.cleanup();
  }
}

// `tsx test/bench/writing-steps.bench.ts [steps] [countSteps]`: this benchmark alone
if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(
    await runWritingStepBench({ steps: Number(process.argv[2] ?? 1000), countSteps: Number(process.argv[3] ?? 50) }),
  );
}
