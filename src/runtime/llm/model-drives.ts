import type { Phase, PlanRecord } from '../../domain/index.js';
import type { ModelDriveHost } from './model-drive-host.js';
import { runModelLoop, takesCalls } from './model-loop.js';

/**
 * The plans a model drives in this process: a plan with an
 * `agent` block and no steps rests open in execute, and whoever drives it —
 * `plan run`, `plan execute`, `plan resume`, its parent for a child — hands
 * it to its model here. One loop per plan: a second drive joins the first.
 * A cancel or a rollback stops the plan's loop first; closing the runtime
 * stops them all (a plan resumes its conversation when it is next run).
 *
 * @example
 * const models = new ModelDrives(host);
 * const record = (await models.drive(planId, { until: 'validate' })) ?? (await runtime.getPlan(planId));
 */
export class ModelDrives {
  readonly #host: ModelDriveHost;
  readonly #loops = new Map<string, { done: Promise<PlanRecord>; abort: AbortController; held: Promise<void> }>();
  #closed = false;

  constructor(host: ModelDriveHost) {
    this.#host = host;
  }

  /**
   * Let the plan's model drive it while it is an open plan with a model:
   * resolves with the plan where the model left it (finished and driven on
   * to `until`, failed, or waiting), or null when the plan is not one a
   * model drives just now.
   */
  async drive(planId: string, options: { until?: Phase } = {}): Promise<PlanRecord | null> {
    const running = this.#loops.get(planId);
    if (running) return running.done;
    if (this.#closed || !(await this.drives(planId))) return null;
    // another drive may have started while this one looked
    const started = this.#loops.get(planId);
    if (started) return started.done;
    const abort = new AbortController();
    const loop = { abort, held: Promise.resolve(), done: null as unknown as Promise<PlanRecord> };
    // a loop stopped for a command answers with the plan as that command left it
    loop.done = runModelLoop(this.#host, planId, { ...options, signal: abort.signal })
      .then(async (record) => (abort.signal.aborted ? (await loop.held, this.#host.readPlan(planId)) : record))
      .finally(() => {
        if (this.#loops.get(planId) === loop) this.#loops.delete(planId);
      });
    this.#loops.set(planId, loop);
    return loop.done;
  }

  /** Drive a plan nobody waits for (a child plan its parent runs): what goes wrong is reported. */
  start(planId: string, options: { until?: Phase } = {}): void {
    this.drive(planId, options).catch(async (error: unknown) =>
      this.#host.report(`the model of plan ${await this.#host.named(planId)} stopped`, error),
    );
  }

  /** Whether the plan is open for calls and names a model. */
  async drives(planId: string): Promise<boolean> {
    const live = await this.#host.live(planId);
    if (!live || !takesCalls(live)) return false;
    return (await this.#host.services.readSpec(planId)).agent !== undefined;
  }

  /**
   * Stop the plan's loop and do `work` (a cancel, a rollback): the model is
   * asked nothing more, a call under way is let go, and whoever waits on the
   * loop gets the plan as `work` left it. Resolves with what `work` did, once
   * the loop ended.
   */
  async stopFor<T>(planId: string, work: () => Promise<T>): Promise<T> {
    const running = this.#loops.get(planId);
    if (!running) return work();
    let release!: () => void;
    running.held = new Promise<void>((resolve) => (release = resolve));
    running.abort.abort();
    try {
      return await work();
    } finally {
      release();
      await running.done.catch(() => undefined);
    }
  }

  /** Stop every loop, for good (the runtime closes). */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#loops.keys()].map((planId) => this.stopFor(planId, async () => undefined)));
  }
}
