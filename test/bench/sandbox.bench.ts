// Contained commands (issue 16): what bubblewrap adds to one command. The
// same `sh -c true` in a real worktree of a git repository, through the
// bubblewrap sandbox and through the unconfined one (the same spawn and
// output handling, no containment), alternated so machine load hits both
// sides alike.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { BubblewrapSandbox, UnconfinedSandbox, commandEnv, type CommandSandbox } from '../../src/sandbox/index.js';
import { GIT_ENV, tempRepo } from '../helpers/temp.js';

/** The figures of a sandbox benchmark run, in milliseconds (medians and 90th percentiles). */
export interface SandboxFigures {
  runs: number;
  command: string;
  containedMs: number;
  unconfinedMs: number;
  containedP90: number;
  unconfinedP90: number;
  /** Median of the per-pair differences (contained − unconfined). */
  addedMs: number;
}

/**
 * Time `command` `runs` times through each sandbox, alternating.
 *
 * @example
 * const figures = await runSandboxBench({ runs: 50 });
 * console.log(`${figures.addedMs} ms added per command`);
 */
export async function runSandboxBench(options: { runs?: number; command?: string } = {}): Promise<SandboxFigures> {
  const runs = options.runs ?? 50;
  const command = options.command ?? 'true';
  const repo = await tempRepo({ 'README.md': '# bench\n' });
  try {
    const worktree = join(repo.dir, '.troupe', 'worktrees', 'bench');
    execFileSync('git', ['worktree', 'add', '-q', '-b', 'troupe/bench', worktree], { cwd: repo.dir, env: GIT_ENV });
    const contained = new BubblewrapSandbox({ projectRoot: repo.dir });
    const unconfined = new UnconfinedSandbox();
    const env = commandEnv();
    const once = async (sandbox: CommandSandbox): Promise<number> => {
      const started = performance.now();
      const result = await sandbox.run({ command, worktree, env, network: false });
      const ms = performance.now() - started;
      if (result.exitCode !== 0)
        throw new Error(`${sandbox.kind}: ${command} exited ${result.exitCode}: ${result.stderrTail}`);
      return ms;
    };
    // warm both paths (bubblewrap's lookup, the page cache)
    for (let i = 0; i < 5; i++) {
      await once(contained);
      await once(unconfined);
    }
    const containedMs: number[] = [];
    const unconfinedMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      if (i % 2 === 0) {
        containedMs.push(await once(contained));
        unconfinedMs.push(await once(unconfined));
      } else {
        unconfinedMs.push(await once(unconfined));
        containedMs.push(await once(contained));
      }
    }
    return {
      runs,
      command,
      containedMs: quantile(containedMs, 0.5),
      unconfinedMs: quantile(unconfinedMs, 0.5),
      containedP90: quantile(containedMs, 0.9),
      unconfinedP90: quantile(unconfinedMs, 0.9),
      addedMs: quantile(
        containedMs.map((ms, index) => ms - unconfinedMs[index]!),
        0.5,
      ),
    };
  } finally {
    await repo.cleanup();
  }
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
