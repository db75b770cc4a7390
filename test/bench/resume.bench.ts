// Resume at scale (issues 6 and 42): a LevelDB store holding N plans that
// have not ended — most waiting before strategize, the rest strategized and
// waiting before execute — written by a real runtime that is then closed;
// the figure is how long the next `createRuntime` takes to be ready (with
// `resume`, the default: the plans a process was running when it stopped
// continue, the others wait in the store until something acts on them),
// and how long the reads that list every plan take on it.
//
// A real runtime writes up to 1,000 of them (`written`); the rest are
// copies of those, made in the store directly: every entry of a plan with
// each id in it (plan, decisions, checkpoints) replaced by a fresh one in
// the same order and its name numbered, so the store holds what the runtime
// would have written for them. Writing 10,000 plans through a runtime took
// longer than the rest of `npm run bench` (a git process per plan created, a
// worktree per plan strategized). A copy of a strategized plan names a
// worktree that does not exist: nothing measured here opens one.
import { stringify } from 'yaml';
import { Level } from 'level';
import { monotonicFactory } from 'ulid';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpBackend, createMcpServer } from '../../src/mcp/index.js';
import { createRuntime } from '../../src/runtime/index.js';
import type { LocalRuntime } from '../../src/runtime/local-runtime.js';
import { defaultStorePath } from '../../src/store/index.js';
import { readLive, readPlans } from '../../src/cli/ui/load.js';
import { treeRows } from '../../src/cli/ui/model.js';
import { median } from './measure.js';
import { peakMemory } from './memory.js';
import { GIT_ENV, tempRepo } from '../helpers/temp.js';

/** What a resume benchmark run is given. */
export interface ResumeBenchOptions {
  /** Plans in the store (default 10,000). */
  plans?: number;
  /** Of them, written by a real runtime (default all, up to 1,000); the others are copies of these. */
  written?: number;
  /** Every how many plans one is strategized first, so it waits at (execute, queued) (default 10). */
  strategizeEvery?: number;
  /** Steps in each plan's strategy (default 5). */
  steps?: number;
  /** Times the store is opened and restored; the median is reported (default 3). */
  openings?: number;
  /** Also restore it once in a fresh process and report that process's peak RSS (issue 20). */
  memory?: boolean;
}

/** The figures of one run. */
export interface ResumeFigures {
  plans: number;
  /** Of them, written by a real runtime (the others are copies of these). */
  written: number;
  strategized: number;
  /** Wall time of the `createRuntime` that restores them, until it resolves: the median over the openings. */
  readyMs: number;
  /** Each opening's, in order. */
  readyMsEach: number[];
  /** Plans with a live actor when it resolved: those a process was running when it stopped (none here). */
  restored: number;
  /**
   * The floor, measured alternately with the openings: the same LevelDB
   * opened with `level` and every entry read and JSON-parsed, then closed —
   * the least any restore of the same data does. The median.
   */
  floorMs: number;
  floorMsEach: number[];
  /** Entries the floor read (every key of the store). */
  entries: number;
  /** Wall time of writing the store (informative). */
  setupMs: number;
  /**
   * On the ready runtime, medians over the openings (ms): what `troupe plan
   * list` reads (every plan that has not ended, and who drives each),
   * what `troupe ui` reads and lays out when it starts (every plan, who
   * drives the processing ones, the tree), and MCP's `plan_list` through an
   * MCP client in this process.
   */
  planListMs: number;
  uiMs: number;
  mcpPlanListMs: number;
  /** The floor of those: the plan records alone read from the same LevelDB and JSON-parsed (median, alternated with the openings). */
  listFloorMs: number;
  /** `node bin/troupe.js plan list --json` as a user runs it, median of 3 (null without a build: `npm run build`). */
  cliPlanListMs: number | null;
  /** With `memory`: the peak RSS (MiB) of a fresh process restoring the store, and of one that only loaded the runtime. */
  restoreRssMb?: number;
  idleRssMb?: number;
}

const WRITERS = 8;

async function eachConcurrently(count: number, width: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let index = next++; index < count; index = next++) await work(index);
    }),
  );
}

function planFile(index: number, steps: number): string {
  return stringify({
    name: `bench/resume-${index}`,
    goal: `Plan ${index} at rest`,
    automation: 'manual',
    strategy: {
      steps: Array.from({ length: steps }, (_, step) => ({
        title: `Write f-${index}-${step}.txt`,
        tool: 'fs/write-file',
        input: { path: `f-${index}-${step}.txt`, content: `${step}\n` },
      })),
    },
  });
}

/**
 * Write the store once, then time a runtime that opens it, and the reads
 * that list every plan on it.
 *
 * @example
 * const figures = await runResumeBench({ plans: 10000 });
 * console.log(figures.readyMs, figures.planListMs);
 */
export async function runResumeBench(options: ResumeBenchOptions = {}): Promise<ResumeFigures> {
  const plans = options.plans ?? 10_000;
  const written = Math.min(plans, options.written ?? 1000);
  const strategizeEvery = options.strategizeEvery ?? 10;
  const steps = options.steps ?? 5;
  const openings = options.openings ?? 3;
  const repo = await tempRepo({ 'README.md': '# bench\n' });
  try {
    const setupStarted = performance.now();
    const { strategized } = await writeResumeStore(repo.dir, { plans, written, strategizeEvery, steps });
    const setupMs = performance.now() - setupStarted;

    const each = {
      ready: [] as number[],
      floor: [] as number[],
      listFloor: [] as number[],
      planList: [] as number[],
      ui: [] as number[],
      mcp: [] as number[],
    };
    let restored = 0;
    let entries = 0;
    for (let opening = 0; opening < openings; opening++) {
      const floorStarted = performance.now();
      entries = await readEverything(defaultStorePath(repo.dir));
      each.floor.push(performance.now() - floorStarted);
      const listFloorStarted = performance.now();
      const records = await readRecords(defaultStorePath(repo.dir));
      each.listFloor.push(performance.now() - listFloorStarted);
      if (records !== plans) throw new Error(`the store holds ${records} plan records, not ${plans}`);
      const started = performance.now();
      const reader = await createRuntime({ dir: repo.dir, store: 'level', report: () => {} });
      each.ready.push(performance.now() - started);
      try {
        restored = reader.livePlanIds().length;
        const lists = await timeLists(reader, plans);
        each.planList.push(lists.planListMs);
        each.ui.push(lists.uiMs);
        each.mcp.push(lists.mcpPlanListMs);
      } finally {
        await reader.close();
      }
    }
    const cliPlanListMs = cliPlanList(repo.dir, plans);
    const memory = options.memory
      ? { restoreRssMb: peakMemory('restore', repo.dir), idleRssMb: peakMemory('idle') }
      : null;
    if (memory && memory.restoreRssMb.restored !== restored)
      throw new Error(`the memory run restored ${memory.restoreRssMb.restored} plans, the openings ${restored}`);
    return {
      plans,
      written,
      strategized,
      readyMs: median(each.ready),
      readyMsEach: each.ready,
      restored,
      setupMs,
      floorMs: median(each.floor),
      floorMsEach: each.floor,
      entries,
      planListMs: median(each.planList),
      uiMs: median(each.ui),
      mcpPlanListMs: median(each.mcp),
      listFloorMs: median(each.listFloor),
      cliPlanListMs,
      ...(memory ? { restoreRssMb: memory.restoreRssMb.peakRssMb, idleRssMb: memory.idleRssMb.peakRssMb } : {}),
    };
  } finally {
    await repo.cleanup();
  }
}

/**
 * Write the store of the project at `dir`: `written` plans through a real
 * runtime (every `strategizeEvery`th strategized), then copies of them up to
 * `plans`. Answers how many are strategized.
 *
 * @example
 * const { strategized } = await writeResumeStore(repo.dir, { plans: 10_000, written: 1000, strategizeEvery: 10, steps: 5 });
 */
export async function writeResumeStore(
  dir: string,
  options: { plans: number; written: number; strategizeEvery: number; steps: number },
): Promise<{ strategized: number }> {
  const { written, strategizeEvery, steps } = options;
  let strategized = 0;
  const writer = await createRuntime({ dir, store: 'level', resume: false, report: () => {} });
  try {
    // created a few at a time (each waits on its own fsync); strategized one
    // after another, as two worktrees added at once can trip over each other in git
    const ids: string[] = new Array<string>(written);
    await eachConcurrently(written, WRITERS, async (index) => {
      ids[index] = (await writer.createPlan(planFile(index, steps))).id;
    });
    for (let index = 0; index < written; index += strategizeEvery) {
      const record = await writer.run(ids[index]!, { until: 'strategize' });
      if (record.phase !== 'strategize' || record.status !== 'complete') {
        throw new Error(
          `plan ${index} stopped at (${record.phase}, ${record.status}): ${record.error?.message ?? 'no error recorded'}`,
        );
      }
      strategized++;
    }
  } finally {
    await writer.close();
  }
  return { strategized: strategized + (await copyPlans(defaultStorePath(dir), options.plans - written)) };
}

// what troupe plan list, troupe ui and MCP's plan_list read on a ready runtime, each timed once (all plans counted)
async function timeLists(
  runtime: LocalRuntime,
  plans: number,
): Promise<{ planListMs: number; uiMs: number; mcpPlanListMs: number }> {
  const planListStarted = performance.now();
  const open = await runtime.listPlans();
  await runtime.liveness(open.map((record) => record.id));
  const planListMs = performance.now() - planListStarted;
  const uiStarted = performance.now();
  const all = await readPlans(runtime);
  await readLive(runtime, all);
  const rows = treeRows(all);
  const uiMs = performance.now() - uiStarted;
  if (open.length !== plans || rows.length === 0)
    throw new Error(`plan list read ${open.length} of ${plans} plans, the ui ${rows.length} rows`);
  const backend = new McpBackend({
    runtime: async () => runtime,
    reopen: async () => runtime,
    lost: () => new Promise<void>(() => {}),
  });
  const server = createMcpServer(backend, { name: 'troupe', version: '0.0.0-bench' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  try {
    const mcpStarted = performance.now();
    const answer = await client.callTool({ name: 'plan_list', arguments: {} });
    const mcpPlanListMs = performance.now() - mcpStarted;
    const listed = (answer.structuredContent as { plans?: unknown[] } | undefined)?.plans?.length;
    if (answer.isError || listed !== plans)
      throw new Error(`plan_list answered ${answer.isError ? 'an error' : `${listed} plans`}`);
    return { planListMs, uiMs, mcpPlanListMs };
  } finally {
    await client.close();
    await backend.drain();
    backend.close();
  }
}

const BIN = fileURLToPath(new URL('../../bin/troupe.js', import.meta.url));
const DIST_ENTRY = fileURLToPath(new URL('../../dist/src/cli/bin.js', import.meta.url));

// `troupe plan list --json` as a new process on the built CLI, the median of 3; null without a build
function cliPlanList(dir: string, plans: number): number | null {
  if (!existsSync(DIST_ENTRY)) return null;
  const times: number[] = [];
  for (let run = 0; run < 3; run++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, [BIN, 'plan', 'list', '--json'], {
      cwd: dir,
      env: GIT_ENV,
      encoding: 'utf8',
      maxBuffer: 256 << 20,
    });
    times.push(performance.now() - started);
    if (result.status !== 0)
      throw new Error(`troupe plan list exited ${result.status}: ${result.stderr.trim().slice(0, 300)}`);
    const listed = (JSON.parse(result.stdout) as unknown[]).length;
    if (listed !== plans) throw new Error(`troupe plan list printed ${listed} of ${plans} plans`);
  }
  return median(times);
}

const ULID = /[0-9A-HJKMNP-TV-Z]{26}/g;
const NAME = /bench\/resume-(\d+)(?!\d)/g;

/**
 * Add `copies` plans to the store at `path` (closed), copies of the plans
 * in it taken in turn: each entry of a plan with every id in it replaced by
 * a fresh one (in the same order, so lists keep their order) and its name
 * numbered. Answers how many of the copies are of strategized plans.
 */
async function copyPlans(path: string, copies: number): Promise<number> {
  if (copies <= 0) return 0;
  const db = new Level<string, string>(path);
  await db.open();
  try {
    const entries = await db.iterator().all();
    const planIds = new Set(
      entries.filter(([key]) => key.startsWith('!plans!')).map(([key]) => key.slice('!plans!'.length)),
    );
    // a plan's entries: its id is in the key (or, for its name, the value)
    const byPlan = new Map<string, [string, string][]>([...planIds].map((id) => [id, []]));
    for (const [key, value] of entries) {
      const owner = [...key.matchAll(ULID), ...value.matchAll(ULID)]
        .map((match) => match[0])
        .find((id) => planIds.has(id));
      if (owner) byPlan.get(owner)!.push([key, value]);
    }
    const originals = [...byPlan.values()];
    const nextId = monotonicFactory();
    let strategized = 0;
    let batch: { type: 'put'; key: string; value: string }[] = [];
    for (let copy = 0; copy < copies; copy++) {
      const plan = originals[copy % originals.length]!;
      const number = Math.floor(copy / originals.length) + 1;
      const ids = new Set<string>();
      for (const [key, value] of plan) for (const match of `${key} ${value}`.matchAll(ULID)) ids.add(match[0]);
      const fresh = new Map([...ids].sort().map((id) => [id, nextId()]));
      const rename = (text: string) =>
        text
          .replace(ULID, (id) => fresh.get(id) ?? id)
          .replace(NAME, (_, index: string) => `bench/resume-${index}-copy-${number}`);
      for (const [key, value] of plan) batch.push({ type: 'put', key: rename(key), value: rename(value) });
      if (plan.some(([key]) => key.startsWith('!dec!'))) strategized++;
      if (batch.length >= 5000) {
        await db.batch(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await db.batch(batch);
    return strategized;
  } finally {
    await db.close();
  }
}

// the floor: open the store, read and parse every entry, close
async function readEverything(path: string): Promise<number> {
  const db = new Level<string, string>(path);
  await db.open();
  let entries = 0;
  try {
    // every sublevel's values are JSON
    for await (const [key, value] of db.iterator()) if (key && JSON.parse(value) !== undefined) entries++;
  } finally {
    await db.close();
  }
  return entries;
}

// the floor of the lists: open the store, read and parse the plan records, close
async function readRecords(path: string): Promise<number> {
  const db = new Level<string, string>(path);
  await db.open();
  let records = 0;
  try {
    for await (const value of db.values({ gt: '!plans!', lt: '!plans"' }))
      if (JSON.parse(value) !== undefined) records++;
  } finally {
    await db.close();
  }
  return records;
}

// `tsx test/bench/resume.bench.ts [plans]`: this benchmark alone
if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await runResumeBench({
    plans: Number(process.argv[2] ?? 10_000),
    memory: process.argv.includes('--memory'),
  });
  console.log(figures);
}
