// What an acknowledged apply costs now that it is durable (issue 73): a plan
// that wrote `files` files is applied through troupe — its commit, branch
// and index synced by troupe's git (core.fsync), the files written into the
// checkout synced — against the floor, git itself fast-forwarding a clone of
// the same project to the same commit with its defaults (nothing synced but
// what git syncs by default). Alternated over `runs` plans so load hits both.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createRuntime } from '../../src/runtime/index.js';
import { GIT_ENV, tempDir, tempRepo } from '../helpers/temp.js';

/** The figures of the apply benchmark, in milliseconds (medians). */
export interface ApplyFigures {
  runs: number;
  files: number;
  troupeMs: number;
  floorMs: number;
}

/**
 * Apply `runs` plans of `files` files each through troupe, each right
 * after git's own fast-forward of the same commit in a clone.
 *
 * @example
 * const figures = await runApplyBench({ runs: 10, files: 20 });
 */
export async function runApplyBench(options: { runs?: number; files?: number } = {}): Promise<ApplyFigures> {
  const runs = options.runs ?? 10;
  const files = options.files ?? 20;
  const repo = await tempRepo({ 'README.md': '# bench\n' });
  const clones = await tempDir('troupe-apply-floor-');
  const runtime = await createRuntime({ dir: repo.dir, report: () => {}, warn: () => {} });
  const troupe: number[] = [];
  const floor: number[] = [];
  try {
    for (let run = 0; run < runs; run += 1) {
      const steps = Array.from({ length: files }, (_, file) => ({
        title: `Write ${file}`,
        tool: 'fs/write-file',
        input: { path: `run${run}/f${file}.txt`, content: `run ${run} file ${file}\n` },
      }));
      const plan = await runtime.createPlan(
        stringify({ name: `bench/apply-${run}`, goal: 'Apply', resourceScopes: ['**'], strategy: { steps } }),
      );
      const validated = await runtime.run(plan.id);
      const head = validated.sandbox!.headCommit;
      // the floor: git fast-forwards a clone of the project to the plan's head (one commit per step, the same files)
      const clone = join(clones.dir, `run${run}`);
      execFileSync('git', ['clone', '-q', '--no-hardlinks', repo.dir, clone], { env: GIT_ENV });
      execFileSync('git', ['fetch', '-q', repo.dir, head], { cwd: clone, env: GIT_ENV });
      let started = performance.now();
      execFileSync('git', ['merge', '--ff-only', '-q', head], { cwd: clone, env: GIT_ENV });
      floor.push(performance.now() - started);
      started = performance.now();
      const applied = await runtime.runPhase(plan.id, 'apply');
      troupe.push(performance.now() - started);
      if (applied.phase !== 'apply' || applied.status !== 'done')
        throw new Error(`bench/apply-${run} ended at ${applied.phase}/${applied.status}`);
    }
  } finally {
    await runtime.close();
    await repo.cleanup();
    await clones.cleanup();
  }
  return { runs, files, troupeMs: median(troupe), floorMs: median(floor) };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
