import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sandboxBranchName, TroupeError, type PlanRecord } from '../domain/index.js';
import { WORKTREES_DIR } from '../sandbox/index.js';
import { gitCommand, GitCommandError } from '../sandbox/git-command.js';
import { startGitHelper } from '../sandbox/git-spawn.js';
import { RemoteBranches, redactedUrl } from '../sandbox/remote-branches.js';
import type { Store } from '../store/index.js';
import type { RunChildOutput } from '../../machines/index.js';
import { createRuntime } from './create-runtime.js';
import { checkRunsPlans } from './worker-start-check.js';
import type { RuntimeOptions } from './runtime-options.js';
import type { LocalRuntime } from './local-runtime.js';
import {
  defaultWorkerName,
  finalOutcome,
  heldBy,
  hold,
  isConnectionError,
  JOB_LOCK_MS,
  JOB_MAX_STALLS,
  OUTAGES,
  PlanQueue,
  planLabel,
  type Holding,
  type PlanJob,
  type QueueSettings,
} from './workers/index.js';

/**
 * What a worker needs: where its project is, the queue, the remote, and the store it shares with every other process.
 *
 * @example
 * const options: WorkerOptions = {
 *   root: '/srv/worker',
 *   queue: { url: 'redis://queue:6379', name: 'troupe', setting: 'TROUPE_REDIS_URL' },
 *   remote: { url: '/srv/git/app.git', setting: 'TROUPE_REMOTE_URL' },
 *   store,
 *   concurrency: 4,
 * };
 */
export interface WorkerOptions {
  /** The project the worker was started in (its `.troupe/` holds the worker's clone). */
  root: string;
  queue: QueueSettings;
  remote: { url: string; setting: string };
  /** The shared store, not yet open (PostgreSQL). */
  store: Store;
  /** The worker's name in plan status and logs (`troupe worker --name`; default `<host>-<pid>`). */
  name?: string;
  /** Jobs this process runs at once (default 1). */
  concurrency?: number;
  /** The directory of the worker's clone (default `<root>/.troupe/worker/clone`). */
  clone?: string;
  /** A line for the operator (default: nothing). */
  log?: (line: string) => void;
  /** Passed to the worker's runtime: warnings, reports, and an embedding app's own tools, checks and actors. */
  runtime?: Pick<RuntimeOptions, 'report' | 'warn' | 'tools' | 'checks' | 'actors'>;
}

/**
 * A started worker: what it is, and how to stop it.
 *
 * @example
 * const worker: RunningWorker = await startWorker(options);
 * process.once('SIGTERM', () => void worker.close());
 */
export interface RunningWorker {
  /** Its name, as plan status shows it. */
  readonly name: string;
  readonly clone: string;
  readonly runtime: LocalRuntime;
  /** Stop taking jobs; jobs running now are left to the queue (another worker takes them) unless `drain`. */
  close(options?: { drain?: boolean }): Promise<void>;
}

/**
 * Start a worker (`troupe worker`, docs/how-to/scale-out.md): run its start check
 * (one plan on this machine alone; a failure is thrown before anything
 * shared is opened), make or refresh its own clone of the shared remote,
 * open a runtime there on the shared store whose sandboxes push every step
 * commit to the remote, and take child
 * plans from the BullMQ queue — each job one attempt of one child, driven
 * to `(validate, complete)` or its end. A job whose worker dies comes back
 * to another worker once its lock lapses (BullMQ's stalled-job check); the
 * step commits on the pushed branch and the stored snapshot make the step
 * that was running land once. When the database or the remote goes away
 * the worker stops taking jobs and tries again with backoff.
 *
 * @example
 * const worker = await startWorker({ root, queue, remote, store: new PostgresStore({ url, schema, setting }), concurrency: 4 });
 * process.on('SIGTERM', () => void worker.close());
 */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const log = options.log ?? (() => {});
  // a worker runs git for several plans at once, for as long as it lives: the helper starts them, not this process
  startGitHelper();
  // a plan of its own first, on this machine alone: a worker that cannot run one takes no job (nothing shared is opened yet)
  const checkedMs = await checkRunsPlans(options.root, pick(options.runtime));
  log(`start check: a plan ran here end to end in ${checkedMs} ms`);
  const clone = options.clone ?? join(options.root, '.troupe', 'worker', 'clone');
  // a step commit is pushed only while this worker still holds its plan: one cut off from the database pushes nothing stale
  const remote = new RemoteBranches(options.remote.url, options.remote.setting, {
    heldHere: (planIds) => options.store.heldHere(planIds),
  });
  await ensureClone(options.root, clone, remote);
  const queue = new PlanQueue(options.queue);
  await queue.ping();
  const runtime = await createRuntime({
    dir: clone,
    // the settings of the directory the worker was started in, not of the repository it clones
    configRoot: options.root,
    store: options.store,
    resume: false,
    scaleOut: { queue, remote, publish: true },
    // a worker meets an outage by failing the job and pausing (waitOut below): the queue gives the job back after it
    storeOutage: { timeoutMs: 0 },
    ...options.runtime,
  });
  const { Worker, DelayedError } = await queue.bull();
  const name = options.name ?? defaultWorkerName();
  const running = new Map<string, { abort: AbortController; label: (more?: string) => string }>();
  // the plans this worker took lately, by id, as its lines name them (the last NAMED_PLANS)
  const named = new Map<string, (more?: string) => string>();
  // per plan, the end of the last job of it this worker took: a job of a plan that runs here waits its turn
  const turns = new Map<string, Promise<void>>();
  let outage: Promise<void> | null = null;
  let closing = false;

  const worker = new Worker<PlanJob, RunChildOutput>(
    options.queue.name,
    async (job, token) => {
      const { planId, attempt } = job.data;
      // the plan's job again while this worker runs it: a Redis that came back empty lost the first, and the
      // parent put it back. It waits for that run (whose sandbox it must not reset) and goes on from where it left the plan
      const earlier = turns.get(planId);
      let ended!: () => void;
      const mine = new Promise<void>((resolve) => (ended = resolve));
      turns.set(planId, mine);
      if (earlier) {
        log(
          `${(running.get(planId)?.label ?? planLabel(planId, null))(`attempt ${attempt}`)}: running here already; this job waits for that run`,
        );
        await earlier;
      }
      const abort = new AbortController();
      let label = planLabel(planId, null);
      let holding: Promise<Holding> | null = null;
      try {
        // one read of the record: its name for the log lines, its sandbox for the job; a store away is an outage
        // (the job goes back, this worker waits), not a plan that does not exist. Beside it, whether another
        // process holds the plan (this one does not: its own run of it ended above)
        const [record, held] = await Promise.all([options.store.getPlan(planId), options.store.claimedPlans([planId])]);
        // the plan by name and id in every line: an operator knows it by its name, the queue by its id
        label = planLabel(planId, record);
        // a copy of the job of a plan another worker runs (the parent put it back): that worker stays its holder
        if (record && held.includes(planId))
          throw new TroupeError('STORE_LOCKED', `plan ${label()} is running in another process`);
        // a child that ended while its job was given here again (its worker frozen past the job's lock and let go, a
        // Redis that came back empty): the job answers how it ended, and this worker neither takes nor holds it
        const over = record && job.data.kind !== 'root' ? finalOutcome(record) : null;
        if (over) {
          log(`${label(`attempt ${attempt}`)}: ${over.ok ? 'validated' : 'cancelled'} already; nothing to run here`);
          return over;
        }
        running.set(planId, { abort, label });
        named.delete(planId);
        named.set(planId, label);
        if (named.size > NAMED_PLANS) named.delete(named.keys().next().value!);
        log(`taking ${label(`attempt ${attempt}`)}`);
        // written while the sandbox is taken (a heartbeat that fails is reported, never thrown)
        holding = hold(options.store, name, planId, (error) => log(`heartbeat of ${label()}: ${error.message}`));
        if (!record) throw new TroupeError('NOT_FOUND', `no plan ${planId} for job ${planId}-${attempt}`);
        const outcome = await runJob(runtime, record, queue, remote, clone, job.data, abort.signal);
        log(`${label(`attempt ${attempt}`)}: ${outcome.ok ? 'validated' : outcome.error.code}`);
        // the child stopped because the remote or the database went away, not on its own work: the job runs again later
        if (!outcome.ok && !outcome.cancelled && OUTAGES.has(outcome.error.code))
          throw new TroupeError(outcome.error.code as 'REMOTE_UNAVAILABLE', outcome.error.message);
        return outcome;
      } catch (error) {
        const code = error instanceof TroupeError ? error.code : 'INTERNAL_ERROR';
        if (code === 'STORE_LOCKED' && token !== undefined) {
          // another worker runs it (the same job put back, see above): this one waits for the plan, spending none of
          // the job's attempts — a long child would otherwise use them all up and fail a plan that is running fine.
          // The line names the holder its record names, as plan status does
          const holder = await options.store.getHolder(planId).catch(() => null);
          log(
            `${label(`attempt ${attempt}`)}: ${heldBy(holder)}; this job waits for it (next look in ${HELD_RETRY_MS / 1000} s)`,
          );
          await job.moveToDelayed(Date.now() + HELD_RETRY_MS, token);
          throw new DelayedError();
        }
        if (isOutage(error)) {
          log(`${label(`attempt ${attempt}`)}: given back to the queue (${code})`);
          outage ??= waitOut(error);
        } else {
          log(`${label(`attempt ${attempt}`)}: the job failed: ${code}: ${(error as Error).message}`);
        }
        throw error;
      } finally {
        running.delete(planId);
        if (holding) await (await holding).release();
        ended();
        if (turns.get(planId) === mine) turns.delete(planId);
      }
    },
    {
      connection: queue.connection(),
      concurrency: Math.max(1, options.concurrency ?? 1),
      lockDuration: JOB_LOCK_MS,
      stalledInterval: JOB_LOCK_MS,
      maxStalledCount: JOB_MAX_STALLS,
    },
  );
  worker.on('error', (error) => {
    // Redis away: said once, by the wait for it (pausing, still unavailable, resumed), not at every reconnect of every connection
    if (isConnectionError(error)) {
      if (!closing) outage ??= waitOut(queue.unavailable(error));
      return;
    }
    log(`queue: ${withPlanNames(error.message)}`);
  });

  // BullMQ names a job by its id (`<planId>-<attempt>`): a plan this worker took is named as the other lines name it —
  // also once its job ended, as BullMQ's complaints about a lock the queue lost (Redis came back empty) come then
  function withPlanNames(message: string): string {
    for (const [planId, label] of named) if (message.includes(planId)) return `${message} (${label()})`;
    return message;
  }

  // the database, the queue or the remote went away: take no job until all three answer again
  async function waitOut(error: unknown): Promise<void> {
    log(`pausing: ${(error as Error).message}`);
    await worker.pause(true);
    for (let delay = 1_000; !closing; delay = Math.min(delay * 2, 30_000)) {
      await sleep(delay);
      const back = await Promise.all([
        options.store.listProjects().then(
          () => true,
          () => false,
        ),
        queue.ping().then(
          () => true,
          () => false,
        ),
        remote.reachable(clone),
      ]);
      if (back.every(Boolean)) break;
      log(`still unavailable; next try in ${Math.min(delay * 2, 30_000) / 1000} s`);
    }
    if (!closing) {
      await worker.resume();
      log('resumed');
    }
    outage = null;
  }

  const stopCancels = await queue.onCancel((planId, reason) => {
    const job = running.get(planId);
    if (!job) return;
    void runtime
      .cancel(planId, { reason })
      .catch((error: unknown) => log(`cancel ${job.label()}: ${(error as Error).message}`));
  });
  log(
    `worker on ${options.queue.name} at ${redactedUrl(options.queue.url)} named ${name}, clone ${clone}, ${options.concurrency ?? 1} at once`,
  );

  return {
    name,
    clone,
    runtime,
    async close({ drain = false } = {}) {
      closing = true;
      stopCancels();
      // without drain, running jobs stay locked until their lock lapses, then go to another worker
      await worker.close(!drain);
      for (const job of running.values()) job.abort.abort();
      await runtime.close();
    },
  };
}

// one attempt of one child, on this worker
async function runJob(
  runtime: LocalRuntime,
  record: PlanRecord,
  queue: PlanQueue,
  remote: RemoteBranches,
  clone: string,
  job: PlanJob,
  signal: AbortSignal,
): Promise<RunChildOutput> {
  // the sandbox where the store says it is (a sandbox of another registered project stays on its machine), and meanwhile whether a cancel was asked
  const taking = record.sandbox?.repo ? Promise.resolve() : takeSandbox(runtime, remote, clone, record);
  // its failure is the job's, thrown where it is awaited below: not an unhandled rejection meanwhile
  taking.catch(() => {});
  let reason: string | null;
  try {
    reason = job.kind === 'root' ? null : await queue.cancelRequested(job.planId);
  } catch (error) {
    // nothing goes on behind the job's back: the sandbox is taken (or not) before the job fails
    await taking.catch(() => {});
    throw error;
  }
  if (job.kind === 'root' || reason !== null) await taking;
  if (job.kind === 'root') {
    const ran = await runtime.runRootJob(job.planId, job.until ?? 'validate');
    return ran.status === 'failed'
      ? {
          ok: false,
          error: { code: ran.error?.code ?? 'INTERNAL_ERROR', message: ran.error?.message ?? `${ran.name} failed` },
        }
      : { ok: true, head: ran.sandbox?.headCommit ?? '' };
  }
  if (reason !== null) {
    await runtime.cancel(job.planId, { reason }).catch(() => {});
    return { ok: false, cancelled: true, error: { code: 'CANCELLED', message: `${record.name}: ${reason}` } };
  }
  // the record read when the job was taken: the child is restored from it, not read again, while its sandbox is taken
  return runtime.runChildJob(job.planId, job.attempt, signal, { known: record, ready: taking });
}

/**
 * The plan's sandbox in this clone, where the store recorded it: its head
 * and base fetched only when the clone lacks them (children spawned at one
 * commit share it), its worktree checked out there when the clone has
 * none. The store is the truth: the remote holds at least what it
 * recorded, maybe a step commit more that was pushed and never stored — a
 * step that runs again from the recorded head, as after a crash on one
 * machine. A sandbox whose recorded commits the remote lacks (never
 * pushed) is taken as the remote has its branch.
 */
async function takeSandbox(
  runtime: LocalRuntime,
  remote: RemoteBranches,
  clone: string,
  record: PlanRecord,
): Promise<void> {
  const branch = record.sandbox?.branch ?? sandboxBranchName(record.name, record.id);
  const refs = { planId: record.id, branch };
  const recorded =
    record.sandbox &&
    (await remote.bring(clone, refs, { head: record.sandbox.headCommit, base: record.sandbox.baseCommit }))
      ? record.sandbox.headCommit
      : null;
  const head = recorded ?? (await remote.take(clone, refs));
  const worktree = join(clone, WORKTREES_DIR, record.id);
  // a worktree this clone had for the plan is moved to where the branch now is
  if (head !== null && existsSync(join(worktree, '.git'))) {
    if (recorded !== null) await gitCommand(clone).plumb(['update-ref', `refs/heads/${branch}`, head]);
    await gitCommand(worktree).run(['reset', '--quiet', '--hard', head]);
    await gitCommand(worktree).run(['clean', '-fdq']);
  }
  await runtime.adoptSandbox(record);
}

// the worker's own clone of the shared remote, made once and fetched at every start
async function ensureClone(root: string, clone: string, remote: RemoteBranches): Promise<void> {
  if (!existsSync(join(clone, '.git'))) {
    await mkdir(join(clone, '..'), { recursive: true });
    try {
      await gitCommand(root).plumb(['clone', '--quiet', '--no-checkout', '--', remote.url, clone]);
    } catch (error) {
      if (!(error instanceof GitCommandError)) throw error;
      throw new TroupeError(
        'REMOTE_UNAVAILABLE',
        `cannot clone the shared remote ${redactedUrl(remote.url)}: ${error.stderr.trim().split('\n')[0] ?? ''}`,
        {
          hint: 'check remote.url in .troupe/config.json (or TROUPE_REMOTE_URL): every worker clones it',
        },
      );
    }
  }
}

// how many plans a worker remembers the names of for BullMQ's lines about their jobs (those come soon after a job)
const NAMED_PLANS = 256;

// how long a job whose plan another worker holds waits before it looks again (ms)
const HELD_RETRY_MS = 5_000;

// the database, the queue or the remote is gone: the job goes back with backoff, and this worker waits
function isOutage(error: unknown): boolean {
  return error instanceof TroupeError && OUTAGES.has(error.code);
}

// what of the worker's runtime options its start check takes: where warnings and reports go
function pick(options: WorkerOptions['runtime']): Pick<RuntimeOptions, 'warn' | 'report'> {
  return { ...(options?.warn ? { warn: options.warn } : {}), ...(options?.report ? { report: options.report } : {}) };
}
