// Sandboxes of one repository made at once: a fan-out's children each get a
// worktree of the project, and git registers one worktree at a time per
// repository. N sandboxes made together through troupe, against the floor
// of the same worktrees made by git one after another (the only safe way
// with git alone: concurrent `worktree add`s fail on each other's half-made
// entries), in a repository of F files, alternated so load hits both.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { newId } from '../../src/domain/index.js';
import { createGitSandboxes } from '../../src/sandbox/index.js';
import { GIT_ENV, tempRepo } from '../helpers/temp.js';
import { formatNumber, formatRatio, median } from './measure.js';

/** Medians over the runs, in milliseconds: the time to the last sandbox, and to the average one. */
export interface WorktreeFigures {
  runs: number;
  sandboxes: number;
  files: number;
  troupeMs: number;
  /** When the average sandbox of troupe's was ready, from the start. */
  troupeMeanReadyMs: number;
  gitMs: number;
  gitMeanReadyMs: number;
}

/**
 * Make `sandboxes` sandboxes of a repository of `files` files at once through
 * troupe, and the same worktrees with git one at a time, `runs` times each.
 *
 * @example
 * const figures = await runWorktreeBench({ sandboxes: 16, files: 1000, runs: 3 });
 * console.log(figures.troupeMs / figures.gitMs);
 */
export async function runWorktreeBench(
  options: { sandboxes?: number; files?: number; runs?: number } = {},
): Promise<WorktreeFigures> {
  const sandboxes = options.sandboxes ?? 16;
  const files = options.files ?? 1000;
  const runs = options.runs ?? 3;
  const contents = Object.fromEntries(
    Array.from({ length: files }, (_, index) => [
      `src/m${Math.floor(index / 50)}/f${index}.ts`,
      `export const v${index} = ${index};\n`.repeat(20),
    ]),
  );
  const troupe: { last: number; mean: number }[] = [];
  const git: { last: number; mean: number }[] = [];
  for (let run = 0; run < runs; run++) {
    for (const side of run % 2 === 0 ? (['troupe', 'git'] as const) : (['git', 'troupe'] as const)) {
      const repo = await tempRepo(contents);
      try {
        const head = execFileSync('git', ['rev-parse', 'HEAD'], {
          cwd: repo.dir,
          env: GIT_ENV,
          encoding: 'utf8',
        }).trim();
        const started = performance.now();
        const ready: number[] = [];
        if (side === 'troupe') {
          const made = createGitSandboxes(repo.dir);
          await Promise.all(
            Array.from({ length: sandboxes }, (_, index) =>
              made
                .ensure({ id: newId(), name: `bench/w${index}` }, { base: head })
                .then(() => ready.push(performance.now() - started)),
            ),
          );
        } else {
          for (let index = 0; index < sandboxes; index++) {
            execFileSync(
              'git',
              [
                'worktree',
                'add',
                '-q',
                '-b',
                `bench/w${index}`,
                join(repo.dir, '.troupe', 'worktrees', `w${index}`),
                head,
              ],
              { cwd: repo.dir, env: GIT_ENV },
            );
            ready.push(performance.now() - started);
          }
        }
        (side === 'troupe' ? troupe : git).push({
          last: Math.max(...ready),
          mean: ready.reduce((sum, ms) => sum + ms, 0) / ready.length,
        });
      } finally {
        await repo.cleanup();
      }
    }
  }
  return {
    runs,
    sandboxes,
    files,
    troupeMs: median(troupe.map((one) => one.last)),
    troupeMeanReadyMs: median(troupe.map((one) => one.mean)),
    gitMs: median(git.map((one) => one.last)),
    gitMeanReadyMs: median(git.map((one) => one.mean)),
  };
}

/** The bench's line for these figures. */
export function worktreeLine(figures: WorktreeFigures): string {
  return (
    `sandboxes made at once: ${figures.sandboxes} of a ${formatNumber(figures.files)}-file repository through troupe, the last ready after ${formatNumber(figures.troupeMs)} ms ` +
    `(the average one ${formatNumber(figures.troupeMeanReadyMs)} ms); the same worktrees made with git worktree add one after another (the floor) ${formatNumber(figures.gitMs)} ms ` +
    `(the average ${formatNumber(figures.gitMeanReadyMs)} ms): ${formatRatio(figures.troupeMs / figures.gitMs)} (${figures.runs} run(s) each, alternated, medians)`
  );
}

// alone: npx tsx test/bench/worktrees.bench.ts [runs]
if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await runWorktreeBench({ runs: Number(process.argv[2] ?? 3) });
  console.log(worktreeLine(figures));
}
