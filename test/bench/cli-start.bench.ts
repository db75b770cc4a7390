// CLI cold start: `troupe plan status <plan> --json` as a user runs it — a
// new Node process on the built CLI (bin/troupe.js → dist/) in a git project
// with one plan — against `node -e 0`, the floor of any Node command, timed
// alternately in the same run.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GIT_ENV, tempRepo } from '../helpers/temp.js';
import { median } from './measure.js';

/** What a cold-start run is given. */
export interface CliStartOptions {
  /** Timed runs of each side, after one untimed run of each. */
  runs: number;
  /** Timed runs of `troupe demo` (default 3). */
  demoRuns?: number;
}

/** Medians in ms of the CLI and of `node -e 0`, with every run's time. */
export interface CliStartFigures {
  cliMs: number;
  nodeMs: number;
  cliMsEach: number[];
  nodeMsEach: number[];
  /** `node bin/troupe.js demo`, the README's first command: the median and each run. */
  demoMs: number;
  demoMsEach: number[];
}

const BIN = fileURLToPath(new URL('../../bin/troupe.js', import.meta.url));
const DIST_ENTRY = fileURLToPath(new URL('../../dist/src/cli/bin.js', import.meta.url));

function timed(args: string[], cwd: string): { ms: number; stdout: string } {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { cwd, env: GIT_ENV, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (result.status !== 0)
    throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr.trim().slice(0, 300)}`);
  return { ms, stdout: result.stdout };
}

// one `troupe demo`, its scratch project removed afterwards
function timedDemo(cwd: string): number {
  const { ms, stdout } = timed([BIN, 'demo'], cwd);
  const project = /^\s*project\s+(\S+)$/m.exec(stdout)?.[1];
  if (!project || !stdout.includes('apply complete'))
    throw new Error(`troupe demo did not say where it ran or that it applied: ${stdout.slice(0, 300)}`);
  rmSync(project, { recursive: true, force: true });
  return ms;
}

/** Times `node bin/troupe.js plan status <plan> --json` and `node -e 0`, alternately, `runs` times each. */
export async function runCliStartBench(options: CliStartOptions): Promise<CliStartFigures> {
  if (!existsSync(DIST_ENTRY)) throw new Error('the CLI is not built: run npm run build first');
  const repo = await tempRepo({ 'README.md': '# bench\n' });
  try {
    // creating the plan also sets up .troupe/ and its store, so the timed runs only read
    timed([BIN, 'plan', 'new', '--name', 'bench/status', '--goal', 'Time the CLI start'], repo.dir);
    const status = ['plan', 'status', 'bench/status', '--json'];
    const check = JSON.parse(timed([BIN, ...status], repo.dir).stdout) as { name?: string };
    if (check.name !== 'bench/status')
      throw new Error(`plan status printed no plan record: ${JSON.stringify(check).slice(0, 200)}`);
    timed(['-e', '0'], repo.dir);
    const cliMsEach: number[] = [];
    const nodeMsEach: number[] = [];
    for (let round = 0; round < options.runs; round++) {
      cliMsEach.push(timed([BIN, ...status], repo.dir).ms);
      nodeMsEach.push(timed(['-e', '0'], repo.dir).ms);
    }
    const demoMsEach: number[] = [];
    for (let round = 0; round < (options.demoRuns ?? 3); round++) demoMsEach.push(timedDemo(repo.dir));
    return {
      cliMs: median(cliMsEach),
      nodeMs: median(nodeMsEach),
      cliMsEach,
      nodeMsEach,
      demoMs: median(demoMsEach),
      demoMsEach,
    };
  } finally {
    await repo.cleanup();
  }
}
