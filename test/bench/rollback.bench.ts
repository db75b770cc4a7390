// Rollback at scale (issue 6): a plan whose one step writes N files
// (`shell/run`), run to (execute, complete), rolled back to its pre-execute
// checkpoint — against the floor, in the same run on the same worktree: the
// same files put back by `git reset --hard <commit> && git clean -fd`
// run directly.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createRuntime } from '../../src/runtime/index.js';
import { GIT_ENV, tempRepo } from '../helpers/temp.js';

/** What a rollback benchmark run is given. */
export interface RollbackBenchOptions {
  /** Files the step writes (default 1,000). */
  files?: number;
  /** Times the floor is measured; its median is reported (default 3). */
  floorRuns?: number;
}

/** The figures of one run, in milliseconds. */
export interface RollbackFigures {
  files: number;
  /** `runtime.rollback(plan, { to: <pre-execute checkpoint> })`, until it resolves. */
  rollbackMs: number;
  /** Files the rollback reported as reverted. */
  changesReverted: number;
  /** `git reset --hard <commit> && git clean -fd` of the same worktree, median. */
  floorMs: number;
}

function planFile(files: number): string {
  return stringify({
    name: 'bench/rollback',
    goal: `Write ${files} files in one step`,
    automation: 'manual',
    strategy: {
      steps: [{ title: `Write ${files} files`, tool: 'shell/run', input: { command: `mkdir -p f && for i in $(seq 1 ${files}); do echo $i > f/$i.txt; done` } }],
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
      throw new Error(`the benchmark plan stopped at (${record.phase}, ${record.status}): ${record.error?.message ?? 'no error recorded'}`);
    }
    const checkpoints = await runtime.checkpoints(plan.id);
    const before = checkpoints.find((checkpoint) => checkpoint.trigger === 'pre-execute');
    const after = checkpoints.findLast((checkpoint) => checkpoint.trigger === 'step');
    if (!before?.sandboxCommit || !after?.sandboxCommit) throw new Error('the plan has no pre-execute or step checkpoint with a sandbox commit');
    const worktree = join(repo.dir, record.sandbox!.worktree);

    const started = performance.now();
    const result = await runtime.rollback(plan.id, { to: before.id });
    const rollbackMs = performance.now() - started;

    // the floor: the same worktree back at the step's commit, then put back by git alone
    const floor: number[] = [];
    for (let run = 0; run < floorRuns; run++) {
      await git(worktree, 'reset', '-q', '--hard', after.sandboxCommit);
      const floorStarted = performance.now();
      await git(worktree, 'reset', '-q', '--hard', before.sandboxCommit);
      await git(worktree, 'clean', '-q', '-f', '-d');
      floor.push(performance.now() - floorStarted);
    }
    floor.sort((a, b) => a - b);
    return { files, rollbackMs, changesReverted: result.changesReverted.length, floorMs: floor[Math.floor(floor.length / 2)]! };
  } finally {
    await runtime.close();
    await repo.cleanup();
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
