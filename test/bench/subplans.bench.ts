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
  return { children, maxParallel, troupeMs: await troupeFanOut(children, maxParallel), gitMs: await gitSide(children, maxParallel) };
}

/** troupe's side alone: a fresh repository, one plan fanning out to `children` (at most `maxParallel` at once), run through execute; its wall time in ms. */
export async function troupeFanOut(children: number, maxParallel: number): Promise<number> {
  const repo = await tempRepo({ 'README.md': '# bench\n' });
  const runtime = await createRuntime({ dir: repo.dir, report: () => {} });
  try {
    const entries = Array.from({ length: children }, (_, index) => ({
      goal: `Write file ${index}`,
      resourceScopes: [`f-${index}.txt`],
      strategy: { steps: [{ title: 'Write', tool: 'fs/write-file', input: { path: `f-${index}.txt`, content: `${index}\n` } }] },
    }));
    const plan = await runtime.createPlan(
      stringify({ name: 'bench/fan', goal: 'Fan out', strategy: { steps: [{ title: 'Fan out', subplans: { mode: 'parallel', maxParallel, entries } }] } }),
    );
    const started = performance.now();
    const record = await runtime.run(plan.id, { until: 'execute' });
    const elapsed = performance.now() - started;
    if (record.status !== 'complete') throw new Error(`the benchmark plan stopped at (${record.phase}, ${record.status}): ${record.error?.message}`);
    return elapsed;
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
