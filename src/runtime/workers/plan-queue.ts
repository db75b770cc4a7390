import { TroupeError } from '../../domain/index.js';
import { redactedUrl } from '../../sandbox/remote-branches.js';
import type * as BullMQ from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * A job of the queue (docs/how-to/scale-out.md): a child plan's attempt, or a root
 * plan run with `--remote` (`until`: how far; `attempt`: a number that
 * makes each such run a job of its own).
 *
 * @example
 * const job: PlanJob = { planId: child.id, attempt: 1, rootId: child.rootId };
 * await queue.enqueue(job);
 */
export interface PlanJob {
  planId: string;
  attempt: number;
  rootId: string;
  kind?: 'child' | 'root';
  until?: 'strategize' | 'execute' | 'validate';
}

/**
 * Where the queue is: a Redis URL, the BullMQ queue's name, and how messages name the setting.
 *
 * @example
 * const settings: QueueSettings = { url: 'redis://127.0.0.1:6379', name: 'troupe', setting: 'TROUPE_REDIS_URL' };
 */
export interface QueueSettings {
  url: string;
  name: string;
  setting: string;
}

/** How long a worker's lock on a job lasts without renewal, and how often stalled jobs are looked for (ms). */
export const JOB_LOCK_MS = 10_000;

// a job whose worker keeps dying is given up after this many stalls (the plan's own retries are the supervisor's)
const MAX_STALLS = 20;

type Bull = typeof BullMQ;

/**
 * The BullMQ queue child plans travel on (DESIGN §10): one job per attempt
 * of a child, id `<planId>-<attempt>` so that asking twice enqueues once; a
 * cancel request is a Redis key (so a worker that takes the job later still
 * sees it) and a pub/sub message (so the worker running it hears at once).
 * bullmq and ioredis are imported on first use: a project without a queue
 * never loads them.
 *
 * @example
 * const queue = new PlanQueue({ url: 'redis://127.0.0.1:6379', name: 'troupe', setting: 'TROUPE_REDIS_URL' });
 * await queue.enqueue({ planId, attempt: 1, rootId });
 */
export class PlanQueue {
  readonly settings: QueueSettings;
  #bull: Promise<Bull> | null = null;
  #queue: Promise<BullMQ.Queue> | null = null;
  #redis: Promise<Redis> | null = null;
  #subscriber: Redis | null = null;
  readonly #cancelListeners = new Set<(planId: string, reason: string) => void>();
  #closed = false;
  #lastConnectionError: Error | null = null;

  constructor(settings: QueueSettings) {
    this.settings = settings;
  }

  /** BullMQ's module (for the worker). */
  bull(): Promise<Bull> {
    return (this.#bull ??= import('bullmq'));
  }

  /**
   * Connect and load BullMQ now, ahead of the first job (a parent about to
   * spawn children: the first wave does not wait for the module); a failure
   * is left for the first call that needs the queue to report.
   */
  prepare(): void {
    this.#open().catch(() => {});
  }

  /** Put an attempt of a child on the queue; a second call for the same attempt adds nothing. */
  async enqueue(job: PlanJob): Promise<void> {
    const queue = await this.#open();
    await this.#call(() =>
      queue.add('plan', job, {
        jobId: job.kind === 'root' ? `${job.planId}-run-${job.attempt}` : jobIdOf(job.planId, job.attempt),
        // infrastructure failures (database, remote) are retried; a plan's own failure is not a job failure
        attempts: 8,
        backoff: { type: 'exponential', delay: 2_000 },
        removeOnComplete: { age: 24 * 3600 },
        removeOnFail: { age: 7 * 24 * 3600 },
      }),
    );
  }

  /** Where an attempt's job is (`kind: 'root'`: a run of a root plan): `waiting`, `active`, `completed`, `failed`… or null when there is none. */
  async state(
    planId: string,
    attempt: number,
    kind: 'child' | 'root' = 'child',
  ): Promise<{ state: string; failedReason: string | null } | null> {
    const queue = await this.#open();
    const job = await this.#call(() =>
      queue.getJob(kind === 'root' ? `${planId}-run-${attempt}` : jobIdOf(planId, attempt)),
    );
    if (!job) return null;
    const state = await this.#call(() => job.getState());
    return { state, failedReason: job.failedReason || null };
  }

  /** Remove an attempt's job if no worker has it (false when one does). */
  async remove(planId: string, attempt: number): Promise<boolean> {
    const queue = await this.#open();
    const job = await this.#call(() => queue.getJob(jobIdOf(planId, attempt)));
    if (!job) return true;
    return job.remove().then(
      () => true,
      () => false,
    );
  }

  /** Ask whichever worker runs (or will take) the plan to cancel it. */
  async requestCancel(planId: string, reason: string): Promise<void> {
    const redis = await this.#client();
    await this.#call(async () => {
      await redis.set(this.#cancelKey(planId), reason, 'EX', 24 * 3600);
      await redis.publish(this.#cancelChannel(), JSON.stringify({ planId, reason }));
    });
  }

  /** The reason a cancel was asked for the plan, or null. */
  async cancelRequested(planId: string): Promise<string | null> {
    const redis = await this.#client();
    return this.#call(() => redis.get(this.#cancelKey(planId)));
  }

  /** Hear cancel requests as they are made (a worker). */
  async onCancel(listener: (planId: string, reason: string) => void): Promise<() => void> {
    this.#cancelListeners.add(listener);
    if (!this.#subscriber) {
      const { Redis } = await import('ioredis');
      // reconnects forever and subscribes again on its own (ioredis' autoResubscribe)
      const subscriber = new Redis(this.settings.url, {
        maxRetriesPerRequest: null,
        lazyConnect: true,
        retryStrategy: reconnectDelay,
      });
      subscriber.on('error', () => {});
      subscriber.on('message', (_channel: string, message: string) => {
        try {
          const { planId, reason } = JSON.parse(message) as { planId: string; reason: string };
          for (const each of this.#cancelListeners) each(planId, reason);
        } catch {
          // not one of ours
        }
      });
      this.#subscriber = subscriber;
      await this.#call(async () => {
        await subscriber.connect();
        await subscriber.subscribe(this.#cancelChannel());
      });
    }
    return () => this.#cancelListeners.delete(listener);
  }

  /** Answers a PING (a worker checking the queue is back). */
  async ping(): Promise<void> {
    const redis = await this.#client();
    try {
      await this.#call(() => redis.ping());
    } catch (error) {
      // a client that gave up reconnecting is made again for the next try
      if (redis.status === 'end') this.#redis = null;
      throw error;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const closing: Promise<unknown>[] = [];
    if (this.#queue) closing.push(this.#queue.then((queue) => queue.close()));
    if (this.#redis) closing.push(this.#redis.then((redis) => redis.quit()));
    if (this.#subscriber) closing.push(this.#subscriber.quit());
    await Promise.allSettled(closing);
  }

  /** The connection BullMQ's worker and queue use. */
  connection(): { url: string; maxRetriesPerRequest: null } {
    return { url: this.settings.url, maxRetriesPerRequest: null };
  }

  #open(): Promise<BullMQ.Queue> {
    // BullMQ's connection waits for Redis forever: ask once, briefly, so a bad URL is an error, not a hang
    if (!this.#queue) {
      const opening = this.ping()
        .then(() => this.bull())
        .then(({ Queue }) => {
          // a call during an outage fails at once (QUEUE_UNAVAILABLE) instead of waiting in the offline queue
          const queue = new Queue(this.settings.name, {
            connection: { ...this.connection(), maxRetriesPerRequest: 1 },
          });
          queue.on('error', () => {});
          return queue;
        });
      // a failed first try is not remembered: the next call asks again
      opening.catch(() => {
        if (this.#queue === opening) this.#queue = null;
      });
      this.#queue = opening;
    }
    return this.#queue;
  }

  #client(): Promise<Redis> {
    return (this.#redis ??= import('ioredis').then(({ Redis }) => {
      // reconnects forever with backoff (a Redis restart must not leave this client dead); one command fails fast meanwhile
      const redis = new Redis(this.settings.url, {
        maxRetriesPerRequest: 1,
        connectTimeout: 5_000,
        retryStrategy: reconnectDelay,
      });
      // the reason a command gave up is ioredis' "max retries"; the connection's own error says why
      redis.on('error', (error: Error) => (this.#lastConnectionError = error));
      redis.on('ready', () => (this.#lastConnectionError = null));
      return redis;
    }));
  }

  #cancelKey(planId: string): string {
    return `troupe:${this.settings.name}:cancel:${planId}`;
  }

  #cancelChannel(): string {
    return `troupe:${this.settings.name}:cancel`;
  }

  /**
   * The coded error of a Redis that went away (QUEUE_UNAVAILABLE, naming
   * the setting), from what a command or a connection reported.
   *
   * @example
   * worker.on('error', (error) => isConnectionError(error) && report(queue.unavailable(error)));
   */
  unavailable(error: unknown): TroupeError {
    if (error instanceof TroupeError) return error;
    return new TroupeError(
      'QUEUE_UNAVAILABLE',
      `the queue at ${redactedUrl(this.settings.url)} did not answer: ${whyUnanswered(error, this.#lastConnectionError)}`,
      {
        details: { setting: this.settings.setting },
        hint: `check that Redis runs there, or fix ${this.settings.setting}`,
        cause: error,
      },
    );
  }

  // a Redis that went away is QUEUE_UNAVAILABLE, naming the setting
  async #call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw this.unavailable(error);
    }
  }
}

// what a connection that failed says in Node's words: the server is not there (or not reachable) now
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * Whether an error a Redis client reported is its connection failing (the
 * server stopped, restarted, unreachable), not a command's own failure.
 *
 * @example
 * isConnectionError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' })); // true
 */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  return (code !== undefined && CONNECTION_CODES.has(code)) || /^Connection is closed\.?$/.test(error.message);
}

// what went wrong, in the connection's words when a command gave up on a connection that fails
function whyUnanswered(error: unknown, connection: Error | null): string {
  if (!(error instanceof Error)) return String(error);
  // a command that gave up says "max retries": the connection's own error says why; a connection's error says it itself
  const cause = connection && error.name === 'MaxRetriesPerRequestError' ? connection : error;
  const code = (cause as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return `connection refused (${cause.message})`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `no such host (${cause.message})`;
  return cause.message;
}

/** How long a lost Redis connection waits before its next try (ms): backoff to 5 s, never giving up. */
export function reconnectDelay(times: number): number {
  return Math.min(200 * times, 5_000);
}

/** The job id of a child's attempt. */
export function jobIdOf(planId: string, attempt: number): string {
  return `${planId}-${attempt}`;
}

/** Stalls after which BullMQ gives a job up (see {@link JOB_LOCK_MS}). */
export const JOB_MAX_STALLS = MAX_STALLS;

/**
 * The codes of a job that failed because something the workers share went
 * away — not because of the plan's own work: the job is run again with
 * backoff, and the parent keeps waiting for it.
 */
export const OUTAGES: ReadonlySet<string> = new Set(['STORE_UNAVAILABLE', 'REMOTE_UNAVAILABLE', 'QUEUE_UNAVAILABLE']);
