// Scale-out (issues 21, 37): 32 child plans whose step sleeps 2 s (standing
// in for an agent's work), maxParallel 16, run in one process on LevelDB,
// on 1 worker process and on 4 (each taking 4 jobs at once) on PostgreSQL,
// Redis and a shared bare remote — for the per-child overhead of the queue
// and the remote against the local run, and where it goes, child by child.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { createRuntime } from '../../src/runtime/index.js';
import { postgresUnavailable, startTestPostgres } from '../helpers/postgres.js';
import { redisUnavailable, startTestRedis } from '../helpers/redis.js';
import { git, tempDir, tempRepo } from '../helpers/temp.js';
import { cpuParts, processes, treeCpuMs, type CpuPartOf } from './process-cpu.js';
import { childTimelines, type ChildTimeline, type TimelineJob } from './scale-out-timeline.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The shape of the fan-out. */
export interface ScaleOutShape {
  children: number;
  maxParallel: number;
  /** Jobs each worker process takes at once. */
  perWorker: number;
  /** What each child's one step does: sleep this long (ms). */
  sleepMs: number;
}

/** Issue 37's shape: 32 children sleeping 2 s, 16 at once, workers taking 4 jobs each. */
export const SCALE_OUT_SHAPE: ScaleOutShape = { children: 32, maxParallel: 16, perWorker: 4, sleepMs: 2000 };

/** One run of the plan: where, how long, the machine's load around it, each child's timeline. */
export interface ScaleOutRun {
  /** Worker processes (0: in one process, on LevelDB). */
  workers: number;
  /** Children running at once. */
  slots: number;
  wallMs: number;
  /**
   * CPU time the run used (ms), in every process it took — this one (the
   * parent), the workers, git, bubblewrap and the commands, Redis,
   * PostgreSQL: what it cost the machine, whatever else ran on it. NaN
   * where there is no /proc.
   */
  cpuMs: number;
  /** The same CPU time by part of the run (ms): {@link CPU_PARTS}, those the run had. */
  cpuParts: Map<string, number>;
  /** The 1-minute load average before and after the run. */
  load: [number, number];
  timelines: ChildTimeline[];
}

/**
 * The parts a run's CPU time is told in, in order: each Node process that
 * drives plans, the git commands and plan commands it starts (with the
 * small process that starts git for it), and the servers.
 */
export const CPU_PARTS = [
  "the parent's process",
  "the parent's git and commands",
  "the workers' processes",
  "the workers' git and commands",
  'PostgreSQL',
  'Redis',
] as const;

// which part of a run a process is: under the PostgreSQL server, Redis, a worker, or this process (the parent)
function partOfRun(postgresPort: string): CpuPartOf {
  const [parent, parentChildren, workers, workersChildren, postgres, redis] = CPU_PARTS;
  return (each, ancestors) => {
    const chain = [each, ...ancestors];
    if (chain.some((one) => one.cmdline.includes('postgres') && one.cmdline.includes(postgresPort)))
      return { self: postgres, children: postgres };
    if (!chain.some((one) => one.pid === process.pid)) return null;
    if (each.cmdline.includes('redis-server')) return { self: redis, children: redis };
    const worker = chain.find((one) => one.cmdline.includes(' worker --concurrency '));
    if (worker) return { self: each === worker ? workers : workersChildren, children: workersChildren };
    return { self: each.pid === process.pid ? parent : parentChildren, children: parentChildren };
  };
}

/** Why the scale-out bench cannot run here (no PostgreSQL or Redis), or null. */
export function scaleOutUnavailable(): string | null {
  return postgresUnavailable() ?? redisUnavailable();
}

/**
 * The plan run `repeats` times each way on fresh repositories — in one
 * process (LevelDB), on 1 worker process, on 4 — interleaved, so a change
 * of the machine's load falls on every way alike. The ways in `once` (the
 * long 1-worker run, which has no target) run in the first repeat only.
 *
 * @example
 * const runs = await runScaleOutBench({ children: 32, maxParallel: 16, perWorker: 4, sleepMs: 2000 }, 3);
 */
export async function runScaleOutBench(
  shape: ScaleOutShape,
  repeats: number,
  ways: readonly number[] = [0, 1, 4],
  once: readonly number[] = [1],
): Promise<ScaleOutRun[]> {
  const plan = planText(shape);
  const runs: ScaleOutRun[] = [];
  const [postgres, redis] = await Promise.all([startTestPostgres(), startTestRedis()]);
  // this process's tree (the parent, the workers, git, bubblewrap, Redis) and the PostgreSQL server's
  const port = `-p ${new URL(postgres.url).port} `;
  const cpu: CpuMeter = {
    total: () =>
      (treeCpuMs((each) => each.pid === process.pid) ?? Number.NaN) +
      (treeCpuMs((each) => each.cmdline.includes('postgres') && each.cmdline.includes(port)) ?? 0),
    sample: () => {
      try {
        return processes();
      } catch {
        return [];
      }
    },
    partOf: partOfRun(port),
  };
  try {
    for (let repeat = 0; repeat < repeats; repeat += 1) {
      for (const workers of ways) {
        if (repeat > 0 && once.includes(workers)) continue;
        const slots = workers === 0 ? shape.maxParallel : Math.min(shape.maxParallel, workers * shape.perWorker);
        const before = loadavg()[0]!;
        const measured =
          workers === 0
            ? await localRun(plan, cpu)
            : await workersRun(
                plan,
                workers,
                shape.perWorker,
                {
                  databaseUrl: postgres.url,
                  schema: postgres.schema(),
                  redisUrl: redis.url,
                  queue: `bench-${repeat}-${workers}`,
                },
                cpu,
              );
        runs.push({
          workers,
          slots,
          wallMs: measured.wallMs,
          cpuMs: measured.cpuMs,
          cpuParts: measured.cpuParts,
          load: [before, loadavg()[0]!],
          timelines: measured.timelines,
        });
      }
    }
    return runs;
  } finally {
    await Promise.allSettled([postgres.stop(), redis.stop()]);
  }
}

function planText(shape: ScaleOutShape): string {
  const seconds = shape.sleepMs / 1000;
  const entries = Array.from({ length: shape.children }, (_, index) => ({
    goal: `Work ${index}`,
    resourceScopes: [`f-${index}.txt`],
    strategy: {
      steps: [
        { title: 'Work', tool: 'shell/run', input: { command: `sleep ${seconds} && echo ${index} > f-${index}.txt` } },
      ],
    },
  }));
  return stringify({
    name: 'bench/spread',
    goal: 'Spread out',
    automation: 'auto',
    strategy: {
      steps: [{ title: 'Fan out', subplans: { mode: 'parallel', maxParallel: shape.maxParallel, entries } }],
    },
  });
}

type JobsOf = (childIds: readonly string[]) => Promise<Map<string, TimelineJob>>;

type Measured = { wallMs: number; cpuMs: number; cpuParts: Map<string, number>; timelines: ChildTimeline[] };

// the run's CPU time: in all (this process's tree and PostgreSQL's), and the processes sampled to tell it by part
interface CpuMeter {
  total: () => number;
  sample: () => ReturnType<typeof processes>;
  partOf: CpuPartOf;
}

async function timedRun(dir: string, plan: string, jobsOf: JobsOf | null, cpu: CpuMeter): Promise<Measured> {
  const runtime = await createRuntime({ dir, resume: false, report: () => {} });
  try {
    const parent = await runtime.createPlan(plan);
    // the parent's process has its modules loaded before the clock starts, as the local one has (and the workers have):
    // BullMQ is loaded on the first spawn, a one-time cost of a process, not of its children
    if (jobsOf) await import('bullmq');
    const sampled = cpu.sample();
    const cpuBefore = cpu.total();
    const started = performance.now();
    const record = await runtime.run(parent.id, { until: 'execute' });
    const wallMs = performance.now() - started;
    const cpuMs = cpu.total() - cpuBefore;
    const parts = cpuParts(sampled, cpu.sample(), cpu.partOf);
    if (record.status !== 'complete')
      throw new Error(`the benchmark plan stopped at (${record.phase}, ${record.status}): ${record.error?.message}`);
    // read back after the run: nothing of it is timed
    const parentEvents = await runtime.events(parent.id);
    const childIds = parentEvents
      .filter((event) => event.type === 'subplan.spawned')
      .map((event) => String(event.data['childId']));
    const childEvents = new Map(await Promise.all(childIds.map(async (id) => [id, await runtime.events(id)] as const)));
    const jobs = jobsOf ? await jobsOf(childIds) : new Map<string, TimelineJob>();
    return {
      wallMs,
      cpuMs,
      cpuParts: parts,
      timelines: childTimelines(
        parentEvents,
        (id) => childEvents.get(id) ?? [],
        (id) => jobs.get(id) ?? null,
      ),
    };
  } finally {
    await runtime.close();
  }
}

async function localRun(plan: string, cpu: CpuMeter): Promise<Measured> {
  const repo = await tempRepo({ 'README.md': '# bench\n' });
  try {
    return await timedRun(repo.dir, plan, null, cpu);
  } finally {
    await repo.cleanup();
  }
}

interface Servers {
  databaseUrl: string;
  schema: string;
  redisUrl: string;
  queue: string;
}

async function workersRun(
  plan: string,
  count: number,
  perWorker: number,
  servers: Servers,
  cpu: CpuMeter,
): Promise<Measured> {
  const repo = await tempRepo({ 'README.md': '# bench\n' });
  const bare = await tempDir('troupe-bench-remote-');
  const remote = join(bare.dir, 'shared.git');
  git(bare.dir, 'clone', '--quiet', '--bare', repo.dir, remote);
  const config = {
    store: { kind: 'postgres', url: servers.databaseUrl, schema: servers.schema },
    queue: { url: servers.redisUrl, name: servers.queue },
    remote: { url: remote },
  };
  const workers: ChildProcess[] = [];
  const homes: (() => Promise<void>)[] = [];
  try {
    await writeConfig(repo.dir, config);
    for (let n = 0; n < count; n += 1) {
      const home = await tempDir('troupe-bench-worker-');
      homes.push(home.cleanup);
      await writeConfig(home.dir, config);
      workers.push(await startWorkerProcess(home.dir, perWorker));
    }
    return await timedRun(repo.dir, plan, (ids) => jobTimes(servers, ids), cpu);
  } finally {
    await Promise.all(workers.map((worker) => stopProcess(worker)));
    for (const cleanup of homes) await cleanup();
    await repo.cleanup();
    await bare.cleanup();
  }
}

// when each child's first attempt was queued, taken and let go, by BullMQ's clock
async function jobTimes(servers: Servers, childIds: readonly string[]): Promise<Map<string, TimelineJob>> {
  const { Queue } = await import('bullmq');
  const queue = new Queue(servers.queue, { connection: { url: servers.redisUrl } });
  try {
    const jobs = new Map<string, TimelineJob>();
    for (const id of childIds) {
      const job = await queue.getJob(`${id}-1`);
      if (job) jobs.set(id, { timestamp: job.timestamp, processedOn: job.processedOn, finishedOn: job.finishedOn });
    }
    return jobs;
  } finally {
    await queue.close();
  }
}

async function writeConfig(dir: string, config: object): Promise<void> {
  await mkdir(join(dir, '.troupe'), { recursive: true });
  await writeFile(join(dir, '.troupe', 'config.json'), JSON.stringify(config));
}

// a `troupe worker` process, once it says it takes jobs
async function startWorkerProcess(dir: string, concurrency: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'src/cli/bin.ts'), '-C', dir, 'worker', '--concurrency', String(concurrency)],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
  );
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
