// Rollback at scale (issues 6 and 42): a plan whose one step writes N files
// (`shell/run`), run to (execute, complete), rolled back to its pre-execute
// checkpoint — against the floor, in the same run on the same worktree: the
// same files put back by `git reset --hard <commit> && git clean -fd`
// run directly. Three rounds: the rollback (timed), the floor (timed), then
// the rollback undone (to its undo checkpoint, not timed), so each rollback
// starts from the plan and worktree the step left; the medians are compared.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { stringify } from 'yaml';
import { createRuntime } from '../../src/runtime/index.js';
import { GIT_ENV, tempDir, tempRepo } from '../helpers/temp.js';
import { median } from './measure.js';

/** What a rollback benchmark run is given. */
export interface RollbackBenchOptions {
  /** Files the step writes (default 1,000). */
  files?: number;
  /** Rounds of rollback and floor; their medians are reported (default 3). */
  floorRuns?: number;
}

/** The figures of one run, in milliseconds. */
export interface RollbackFigures {
  files: number;
  /** `runtime.rollback(plan, { to: <pre-execute checkpoint> })`, until it resolves: the median of the rounds. */
  rollbackMs: number;
  rollbackMsEach: number[];
  /** Files the rollback reported as reverted. */
  changesReverted: number;
  /** `git reset --hard <commit> && git clean -fd` of the same worktree, median. */
  floorMs: number;
  floorMsEach: number[];
  /** git processes one rollback started (a `git` first on PATH that counts, in a run of its own: not timed). */
  gitPerRollback: number;
}

function planFile(files: number): string {
  return stringify({
    name: 'bench/rollback',
    goal: `Write ${files} files in one step`,
    automation: 'manual',
    strategy: {
      steps: [
        {
          title: `Write ${files} files`,
          tool: 'shell/run',
          input: { command: `mkdir -p f && for i in $(seq 1 ${files}); do echo $i > f/$i.txt; done` },
        },
      ],
    },
  });
}

/**
 * Run the plan, roll it back, then time the floor on the same worktree.
 *
 * @example
 * const figures = await runRollbackBench({ files: 1000 });
 * console.log(figures.rollbackMs / figures.floorMs);
 */
export async function runRollbackBench(options: RollbackBenchOptions = {}): Promise<RollbackFigures> {
  const files = options.files ?? 1000;
  const floorRuns = options.floorRuns ?? 3;
  const repo = await tempRepo({ 'README.md': '# bench\n' });
  const runtime = await createRuntime({ dir: repo.dir, store: 'level', resume: false, report: () => {} });
  try {
    const plan = await runtime.createPlan(planFile(files));
    const record = await runtime.run(plan.id, { until: 'execute' });
    if (record.phase !== 'execute' || record.status !== 'complete') {
      throw new Error(
        `the benchmark plan stopped at (${record.phase}, ${record.status}): ${record.error?.message ?? 'no error recorded'}`,
      );
    }
    const checkpoints = await runtime.checkpoints(plan.id);
    const before = checkpoints.find((checkpoint) => checkpoint.trigger === 'pre-execute');
    const after = checkpoints.findLast((checkpoint) => checkpoint.trigger === 'step');
    if (!before?.sandboxCommit || !after?.sandboxCommit)
      throw new Error('the plan has no pre-execute or step checkpoint with a sandbox commit');
    const worktree = join(repo.dir, record.sandbox!.worktree);

    const rollbackMsEach: number[] = [];
    const floorMsEach: number[] = [];
    let changesReverted = 0;
    for (let round = 0; round < floorRuns; round++) {
      const started = performance.now();
      const result = await runtime.rollback(plan.id, { to: before.id });
      rollbackMsEach.push(performance.now() - started);
      changesReverted = result.changesReverted.length;
      // the floor: the same worktree back at the step's commit, then put back by git alone
      await git(worktree, 'reset', '-q', '--hard', after.sandboxCommit);
      const floorStarted = performance.now();
      await git(worktree, 'reset', '-q', '--hard', before.sandboxCommit);
      await git(worktree, 'clean', '-q', '-f', '-d');
      floorMsEach.push(performance.now() - floorStarted);
      // undone: the plan and its worktree as the step left them, for the next round
      await runtime.rollback(plan.id, { to: result.undoCheckpointId });
    }
    return {
      files,
      rollbackMs: median(rollbackMsEach),
      rollbackMsEach,
      changesReverted,
      floorMs: median(floorMsEach),
      floorMsEach,
      gitPerRollback: await gitPerRollback(files),
    };
  } finally {
    await runtime.close();
    await repo.cleanup();
  }
}

// the git processes one rollback starts: the plan run again on a repository of its own, with a `git`
// first on PATH (for the runtime and the git helper it starts) that logs its runs, counted around the rollback
async function gitPerRollback(files: number): Promise<number> {
  const temp = await tempDir('troupe-bench-git-');
  const real = spawnSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim();
  const log = join(temp.dir, 'runs');
  const runs = () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0);
  writeFileSync(join(temp.dir, 'git'), `#!/bin/sh\necho "$1" >> '${log}'\nexec '${real}' "$@"\n`);
  chmodSync(join(temp.dir, 'git'), 0o755);
  const path = process.env.PATH;
  process.env.PATH = `${temp.dir}${delimiter}${path ?? ''}`;
  const repo = await tempRepo({ 'README.md': '# bench\n' });
  const runtime = await createRuntime({ dir: repo.dir, store: 'level', resume: false, report: () => {} });
  try {
    const plan = await runtime.createPlan(planFile(files));
    await runtime.run(plan.id, { until: 'execute' });
    const before = (await runtime.checkpoints(plan.id)).find((checkpoint) => checkpoint.trigger === 'pre-execute')!;
    const ran = runs();
    await runtime.rollback(plan.id, { to: before.id });
    return runs() - ran;
  } finally {
    process.env.PATH = path;
    await runtime.close();
    await repo.cleanup();
    await temp.cleanup();
  }
}

function git(cwd: string, ...args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, env: GIT_ENV, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`git ${args.join(' ')}: ${err}`))));
  });
}

// `tsx test/bench/rollback.bench.ts [files]`: this benchmark alone
if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await runRollbackBench({ files: Number(process.argv[2] ?? 1000) }));
}
