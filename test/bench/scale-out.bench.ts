// Scale-out (issue 21): 64 child plans whose step sleeps 1 s (standing in
// for an agent's work), maxParallel 16, run by 1 worker process against 4
// (each takes 4 jobs at once), on PostgreSQL, Redis and a shared bare
// remote — and the same plan run in one process on LevelDB, for the
// per-child overhead of the queue and the remote.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { createRuntime } from '../../src/runtime/index.js';
import { postgresUnavailable, startTestPostgres } from '../helpers/postgres.js';
import { redisUnavailable, startTestRedis } from '../helpers/redis.js';
import { git, tempDir, tempRepo } from '../helpers/temp.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Wall times of one scale-out run, in milliseconds. */
export interface ScaleOutFigures {
  children: number;
  maxParallel: number;
  /** Jobs each worker process takes at once. */
  perWorker: number;
  localMs: number;
  oneWorkerMs: number;
  fourWorkersMs: number;
}

/** Why the scale-out bench cannot run here (no PostgreSQL or Redis), or null. */
export function scaleOutUnavailable(): string | null {
  return postgresUnavailable() ?? redisUnavailable();
}

/**
 * The plan run three ways on fresh repositories: in one process (LevelDB),
 * on 1 worker process, on 4.
 *
 * @example
 * const figures = await runScaleOutBench({ children: 64, maxParallel: 16 });
 * console.log(figures.oneWorkerMs / figures.fourWorkersMs);
 */
export async function runScaleOutBench(options: { children?: number; maxParallel?: number; perWorker?: number } = {}): Promise<ScaleOutFigures> {
  const children = options.children ?? 64;
  const maxParallel = options.maxParallel ?? 16;
  const perWorker = options.perWorker ?? 4;
  const plan = planText(children, maxParallel);
  const localMs = await localRun(plan);
  const [postgres, redis] = await Promise.all([startTestPostgres(), startTestRedis()]);
  try {
    const oneWorkerMs = await workersRun(plan, 1, perWorker, postgres.url, postgres.schema(), redis.url, 'one');
    const fourWorkersMs = await workersRun(plan, 4, perWorker, postgres.url, postgres.schema(), redis.url, 'four');
    return { children, maxParallel, perWorker, localMs, oneWorkerMs, fourWorkersMs };
  } finally {
    await Promise.allSettled([postgres.stop(), redis.stop()]);
  }
}

function planText(children: number, maxParallel: number): string {
  const entries = Array.from({ length: children }, (_, index) => ({
    goal: `Work ${index}`,
    resourceScopes: [`f-${index}.txt`],
    strategy: { steps: [{ title: 'Work', tool: 'shell/run', input: { command: `sleep 1 && echo ${index} > f-${index}.txt` } }] },
  }));
  return stringify({ name: 'bench/spread', goal: 'Spread out', automation: 'auto', strategy: { steps: [{ title: 'Fan out', subplans: { mode: 'parallel', maxParallel, entries } }] } });
}

async function timedRun(dir: string, plan: string): Promise<number> {
  const runtime = await createRuntime({ dir, resume: false, report: () => {} });
  try {
    await runtime.createPlan(plan);
    const started = performance.now();
    const record = await runtime.run('bench/spread', { until: 'execute' });
    const elapsed = performance.now() - started;
    if (record.status !== 'complete') throw new Error(`the benchmark plan stopped at (${record.phase}, ${record.status}): ${record.error?.message}`);
    return elapsed;
  } finally {
    await runtime.close();
  }
}

async function localRun(plan: string): Promise<number> {
  const repo = await tempRepo({ 'README.md': '# bench\n' });
  try {
    return await timedRun(repo.dir, plan);
  } finally {
    await repo.cleanup();
  }
}

async function workersRun(plan: string, count: number, perWorker: number, databaseUrl: string, schema: string, redisUrl: string, queue: string): Promise<number> {
  const repo = await tempRepo({ 'README.md': '# bench\n' });
  const bare = await tempDir('troupe-bench-remote-');
  const remote = join(bare.dir, 'shared.git');
  git(bare.dir, 'clone', '--quiet', '--bare', repo.dir, remote);
  const config = { store: { kind: 'postgres', url: databaseUrl, schema }, queue: { url: redisUrl, name: queue }, remote: { url: remote } };
  const workers: ChildProcess[] = [];
  const homes: (() => Promise<void>)[] = [];
  try {
    await writeConfig(repo.dir, config);
    for (let n = 0; n < count; n += 1) {
      const home = await tempRepo({ 'README.md': '# worker\n' });
      homes.push(home.cleanup);
      await writeConfig(home.dir, config);
      workers.push(await startWorkerProcess(home.dir, perWorker));
    }
    return await timedRun(repo.dir, plan);
  } finally {
    await Promise.all(workers.map((worker) => stopProcess(worker)));
    for (const cleanup of homes) await cleanup();
    await repo.cleanup();
    await bare.cleanup();
  }
}

async function writeConfig(dir: string, config: object): Promise<void> {
  await mkdir(join(dir, '.troupe'), { recursive: true });
  await writeFile(join(dir, '.troupe', 'config.json'), JSON.stringify(config));
}

// a `troupe worker` process, once it says it takes jobs
async function startWorkerProcess(dir: string, concurrency: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/bin.ts'), '-C', dir, 'worker', '--concurrency', String(concurrency)], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let said = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      said += text;
      if (said.includes('worker on')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`a worker exited with ${code}: ${said}`)));
  });
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
