import { setTimeout as sleep } from 'node:timers/promises';
import {
  isTerminalStatus,
  sandboxBranchName,
  TroupeError,
  type PlanError,
  type PlanRecord,
  type SandboxInfo,
} from '../../domain/index.js';
import type { RunChildOutput } from '../../../machines/index.js';
import { WORKTREES_DIR } from '../../sandbox/index.js';
import { startGitHelper } from '../../sandbox/git-spawn.js';
import type { RemoteBranches } from '../../sandbox/remote-branches.js';
import type { Store } from '../../store/index.js';
import { OUTAGES, type PlanJob, type PlanQueue } from './plan-queue.js';
import { Wakeup } from './wakeup.js';

/** What the runtime lends {@link RemoteChildren}. */
export interface RemoteChildHost {
  store: Store;
  queue: PlanQueue;
  remote: RemoteBranches;
  /** The repository the parent's sandboxes live in (spawn points are pushed from, children's heads fetched into, here). */
  repoRoot: string;
  /** Cancel a plan in this process (restoring it here): only for a plan at rest that no worker runs. */
  cancelHere(planId: string, reason: string): Promise<void>;
  /** The attempt the stored child is on, or null. */
  attemptOf(planId: string): Promise<number | null>;
  /** Every record of a followed child as it is read (its new step commits: conflicts are predicted from them). */
  seen?: (record: PlanRecord) => void;
}

// how often a watched child's record is read when no change notice came (the store's feed wakes it at once)
const POLL_MS = 2_000;
// how often the job of a root plan run on a worker is asked whether it ended
const ROOT_POLL_MS = 500;
// how often the job behind a watched child is asked about (a job that failed for good ends the attempt)
const JOB_CHECK_MS = 2_000;
// how long a merge waits for a shared remote that does not answer before it fails (a worker waits for it as long)
const REMOTE_WAIT_MS = 5 * 60_000;
// spawn points remembered as pushed (a forgotten one is pushed again: that changes nothing)
const SPAWN_POINTS_KEPT = 64;

/**
 * Child plans that run on workers (docs/how-to/scale-out.md): their sandboxes
 * start on the shared remote, each attempt is a job of the queue, the
 * parent follows a child by its stored record and fetches its branch back
 * for the merge. A child of another registered project, or a manual one,
 * stays local ({@link RemoteChildren.places}).
 */
export class RemoteChildren {
  readonly #host: RemoteChildHost;
  readonly #changed = new Map<string, Set<() => void>>();
  // spawn points this process pushed (or is pushing): children spawned at one commit share one push
  readonly #spawnPoints = new Map<string, Promise<void>>();

  constructor(host: RemoteChildHost) {
    this.#host = host;
  }

  /** Whether a child of this kind runs on a worker: this project's, not driven by hand. */
  places(child: { project: string; automation: string }, defaultProject: string): boolean {
    return child.project === defaultProject && child.automation !== 'manual';
  }

  /** A stored plan was changed by some process (the store's change feed): wake whoever follows it. */
  notify(planId: string): void {
    const wake =
      planId === '*' ? [...this.#changed.values()].flatMap((set) => [...set]) : [...(this.#changed.get(planId) ?? [])];
    for (const each of wake) each();
  }

  /**
   * The sandbox of a new child (or a new attempt), at `spawnHead`: the
   * spawn point goes to the remote once for all the children spawned there
   * (a worker fetches it when its clone lacks it), and the record says
   * where the sandbox is; its branch reaches the remote with its first
   * step commit.
   */
  async place(child: { id: string; name: string }, spawnHead: string): Promise<SandboxInfo> {
    // children on workers come back to be fetched and merged here, many side by side: the helper starts that git;
    // and each becomes a job: the queue is made ready while the first ones are written
    startGitHelper();
    this.#host.queue.prepare();
    const branch = sandboxBranchName(child.name, child.id);
    await this.#spawnPoint(spawnHead);
    return { worktree: `${WORKTREES_DIR}/${child.id}`, branch, baseCommit: spawnHead, headCommit: spawnHead };
  }

  // one push per spawn point; one that failed is pushed again by the next child
  #spawnPoint(commit: string): Promise<void> {
    let pushed = this.#spawnPoints.get(commit);
    if (!pushed) {
      pushed = this.#host.remote.publishSpawnPoint(this.#host.repoRoot, commit);
      this.#spawnPoints.set(commit, pushed);
      pushed.catch(() => this.#spawnPoints.delete(commit));
      // the recent ones are enough: a sequential group spawns each child at a new commit
      if (this.#spawnPoints.size > SPAWN_POINTS_KEPT) this.#spawnPoints.delete(this.#spawnPoints.keys().next().value!);
    }
    return pushed;
  }

  /**
   * Put a child's attempt on the queue as soon as its record is written (a
   * worker may take it while the parent records the start); an outage of
   * the queue is left to {@link run}, which puts it there again (one job id
   * per attempt: asking twice enqueues once).
   */
  async queue(job: PlanJob): Promise<void> {
    await this.#host.queue.enqueue(job).catch(outageAsNull);
  }

  /**
   * Put the attempt on the queue and follow it to `(validate, complete)` or
   * its end, as its stored record says (its head is fetched by the merge:
   * {@link fetchHeads}). At `deadline` the child is cancelled (TIMEOUT).
   */
  async run(
    request: { childId: string; attempt: number; deadline: number | null },
    signal: AbortSignal,
    record: PlanRecord,
  ): Promise<RunChildOutput> {
    const { store, queue } = this.#host;
    const ended = outcomeOf(record);
    if (ended && isTerminalStatus(record.status)) return this.#answered(record, ended);
    const job = { planId: request.childId, attempt: request.attempt, rootId: record.rootId };
    // a queue away now is waited out below, like one that goes away later
    let queued = await queue.enqueue(job).then(() => true, outageAsFalse);
    let lastJobCheck = Date.now();
    const wakeup = new Wakeup();
    const stopHearing = this.#hear(request.childId, wakeup.notify);
    try {
      for (;;) {
        if (signal.aborted)
          return { ok: false, cancelled: true, error: { code: 'CANCELLED', message: 'no longer watched' } };
        if (request.deadline !== null && Date.now() >= request.deadline) {
          await this.cancel(request.childId, `attempt ${request.attempt} timed out`);
          return {
            ok: false,
            error: {
              code: 'TIMEOUT',
              message: `${record.name} did not validate in time (attempt ${request.attempt}); it was cancelled on its worker`,
              retryable: true,
            },
          };
        }
        // the database or the queue away for a while: keep waiting, the child's worker waits too
        const now = await store.getPlan(request.childId).catch(outageAsNull);
        if (now) this.#host.seen?.(now);
        const outcome = now ? outcomeOf(now) : null;
        // stopped by an outage on its worker: the job runs again (with backoff) until it gives up
        const outage = outcome !== null && !outcome.ok && OUTAGES.has(outcome.error.code);
        if (now && outcome && !outage) return this.#answered(now, outcome);
        if (!queued) queued = await queue.enqueue(job).then(() => true, outageAsFalse);
        else if (Date.now() - lastJobCheck >= JOB_CHECK_MS) {
          lastJobCheck = Date.now();
          const state = await queue
            .state(request.childId, request.attempt)
            .then((found) => found ?? 'gone', outageAsNull);
          // retried by BullMQ until it gave up: the attempt failed on the workers' side (database, remote…)
          if (state !== null && state !== 'gone' && state.state === 'failed') {
            return {
              ok: false,
              error: {
                code: 'INTERNAL_ERROR',
                message: `${record.name}: its job failed on the workers: ${state.failedReason ?? 'no reason given'}`,
                retryable: true,
              },
            };
          }
          // a Redis that came back empty lost the job: the same attempt goes on the queue again (one job id per attempt;
          // a worker still running it keeps the plan's claim, so a second taker waits, and step commits land once)
          if (state === 'gone') queued = await queue.enqueue(job).then(() => true, outageAsFalse);
        }
        const until =
          request.deadline === null ? POLL_MS : Math.max(0, Math.min(POLL_MS, request.deadline - Date.now()));
        await wakeup.wait(until, signal);
      }
    } finally {
      stopHearing();
    }
  }

  // call `listener` whenever the store's feed says the plan changed, until the returned function is called
  #hear(planId: string, listener: () => void): () => void {
    const listeners = this.#changed.get(planId) ?? new Set();
    this.#changed.set(planId, listeners);
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.#changed.delete(planId);
    };
  }

  /**
   * Run a root plan on a worker (`plan run --remote`): its sandbox's branch
   * goes to the remote (from this project's HEAD when it has none yet), the
   * run is a job, and once the job ended the branch comes back here, so
   * `plan apply` and `plan changes` work in this project.
   */
  async runRoot(record: PlanRecord, until: 'strategize' | 'execute' | 'validate', run: number): Promise<void> {
    const { remote, repoRoot, queue } = this.#host;
    const refs = { planId: record.id, branch: sandboxBranchName(record.name, record.id) };
    if (record.sandbox) await remote.publishBranch(repoRoot, refs);
    else await remote.publishStart(repoRoot, refs, await remote.headOf(repoRoot));
    const rootJob: PlanJob = { planId: record.id, attempt: run, rootId: record.id, kind: 'root', until };
    await queue.enqueue(rootJob);
    const wakeup = new Wakeup();
    const stopHearing = this.#hear(record.id, wakeup.notify);
    try {
      await this.#untilRootJobEnds(record, run, rootJob, wakeup);
    } finally {
      stopHearing();
    }
    await remote.take(repoRoot, refs);
  }

  // the job of a root plan's run, followed until it completed (or failed: an error)
  async #untilRootJobEnds(record: PlanRecord, run: number, rootJob: PlanJob, wakeup: Wakeup): Promise<void> {
    const { queue } = this.#host;
    for (;;) {
      const job = await queue.state(record.id, run, 'root').then((found) => found ?? 'gone', outageAsNull);
      // a Redis that came back empty lost the run: it goes on the queue again, under the same job id
      if (job === 'gone') {
        await queue.enqueue(rootJob).catch(outageAsNull);
        continue;
      }
      if (job?.state === 'completed') return;
      if (job?.state === 'failed') {
        throw new TroupeError(
          'INTERNAL_ERROR',
          `the run of ${record.name} failed on the workers: ${job.failedReason ?? 'no reason given'}`,
          { hint: `troupe plan status ${record.name} says where it stopped` },
        );
      }
      // a job's end makes no notice of its own: asked again at least this often
      await wakeup.wait(ROOT_POLL_MS);
    }
  }

  /**
   * Cancel a child wherever it runs: a worker that has (or will take) its
   * job cancels it there, where its sandbox and processes are; a child at
   * rest that no job holds is cancelled here.
   */
  async cancel(childId: string, reason: string): Promise<void> {
    const { store, queue } = this.#host;
    const attempt = await this.#host.attemptOf(childId);
    for (let tries = 0; ; tries += 1) {
      const record = await store.getPlan(childId);
      if (!record || isTerminalStatus(record.status)) return;
      const job = attempt === null ? null : await queue.state(childId, attempt);
      const held = job !== null && job.state !== 'completed' && job.state !== 'failed';
      // a job still waiting is taken off the queue: nobody runs the child, it is cancelled here
      if (held && job.state !== 'active' && attempt !== null && (await queue.remove(childId, attempt))) continue;
      if (!held) {
        try {
          await this.#host.cancelHere(childId, reason);
          return;
        } catch (error) {
          // the worker that just finished the job lets the plan go a moment later
          if (!(error instanceof TroupeError) || error.code !== 'STORE_LOCKED' || tries > 100) throw error;
          await sleep(100);
          continue;
        }
      }
      await queue.requestCancel(childId, reason);
      await sleep(Math.min(2_000, 200 * (tries + 1)));
    }
  }

  // the answer goes at once, freeing the child's slot: its head is fetched meanwhile (for its merge, which fetches it
  // again if this failed, and for `plan changes` here), not waited for
  #answered(record: PlanRecord, outcome: RunChildOutput): RunChildOutput {
    if (outcome.ok) void this.#fetchOnce([{ record, head: outcome.head }]).catch(() => {});
    return outcome;
  }

  /**
   * The heads of children that ran on workers, fetched into the parent's
   * repository for their merge: those of one round in one fetch (none when
   * every commit is here already). A child's head is fetched when its merge
   * needs it, not when the child ended: the parent frees the child's slot
   * without waiting for git, and a parent that restarts between the two
   * fetches it then. A remote that does not answer is waited for (with
   * backoff, up to `waitMs`, 5 minutes unless given), as a worker waits for
   * it; one that answers without the commit fails the merge at once.
   */
  async fetchHeads(
    children: readonly { record: PlanRecord; head: string }[],
    { waitMs = REMOTE_WAIT_MS }: { waitMs?: number } = {},
  ): Promise<void> {
    const deadline = Date.now() + waitMs;
    for (let delay = 200; ; delay = Math.min(delay * 2, 5_000)) {
      try {
        return await this.#fetchOnce(children);
      } catch (error) {
        if (!unreachable(error) || Date.now() + delay > deadline) throw error;
        // unref'd: a process stopping meanwhile does not stay up for it
        await sleep(delay, undefined, { ref: false });
      }
    }
  }

  async #fetchOnce(children: readonly { record: PlanRecord; head: string }[]): Promise<void> {
    const { remote, repoRoot } = this.#host;
    await Promise.all(
      children.flatMap(({ record, head }) =>
        record.sandbox ? [remote.fetch(repoRoot, { planId: record.id, branch: record.sandbox.branch }, head)] : [],
      ),
    );
  }
}

// a remote that did not answer (not one that answered without the commit or the branch: waiting will not bring them)
function unreachable(error: unknown): boolean {
  if (!(error instanceof TroupeError) || error.code !== 'REMOTE_UNAVAILABLE' || error.details?.['commit'] !== undefined)
    return false;
  return !/couldn't find remote ref/i.test(String(error.details?.['stderr'] ?? ''));
}

// a queue or database away: not done yet, tried again on the next turn; any other error is the caller's
function outageAsFalse(error: unknown): false {
  return outageAsNull(error) ?? false;
}

// an outage reads as "nothing new yet"; any other error is the caller's
function outageAsNull(error: unknown): null {
  if (error instanceof TroupeError && OUTAGES.has(error.code)) return null;
  throw error;
}

/**
 * A child's outcome when it has ended for good — validated, done, cancelled
 * — which no later attempt changes; null otherwise (a failed child runs
 * again on its next attempt). A worker that takes a job of such a child
 * (its first holder ended it while the queue had given the job to another)
 * answers this without taking the plan.
 *
 * @example
 * const ended = finalOutcome(record); // { ok: true, head: '3f…' } for a validated child
 */
export function finalOutcome(record: PlanRecord): RunChildOutput | null {
  const outcome = outcomeOf(record);
  return outcome !== null && (outcome.ok || outcome.cancelled === true) ? outcome : null;
}

/** How an attempt ended, from the child's stored record; null while it goes on (or waits for the user). */
function outcomeOf(record: PlanRecord): RunChildOutput | null {
  const head = record.sandbox?.headCommit ?? '';
  if (record.status === 'done') return { ok: true, head };
  if (record.status === 'cancelled' || record.status === 'invalidated') {
    // the child plan itself was cancelled on purpose: the group goes on without it
    return {
      ok: false,
      cancelled: true,
      ...(record.status === 'cancelled' ? { withdrawn: true } : {}),
      error: { code: 'CANCELLED', message: `${record.name} was ${record.status}` },
    };
  }
  if (record.status === 'failed') {
    const error: PlanError = record.error ?? {
      code: 'INTERNAL_ERROR',
      message: `${record.name} failed`,
      phase: record.phase,
      retryable: false,
    };
    return {
      ok: false,
      error: {
        code: error.code,
        message: `${record.name}: ${error.message}`,
        ...(error.details ? { details: error.details } : {}),
        retryable: error.retryable,
      },
    };
  }
  if (record.phase === 'validate' && record.status === 'complete') return { ok: true, head };
  return null;
}
