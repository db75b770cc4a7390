import {
  DEFAULT_PROJECT,
  PhaseGuardError,
  ValidationError,
  isTerminalStatus,
  planCalled,
  type MergeStrategy,
  type Phase,
  type PlanRecord,
} from '../../domain/index.js';
import type { RunChildOutput } from '../../../machines/index.js';
import type { ActorServices } from '../../../actors/index.js';
import type { Store } from '../../store/index.js';
import { readStoredPlan } from '../persistence/index.js';
import type { RuntimeChildPlans } from '../children/index.js';
import type { RemoteChildren } from '../workers/index.js';
import { isHeldElsewhere, type LivePlans } from './live-plans.js';
import type { RunOptions } from './plan-api.js';
import { liveRefusal, storedRefusal } from './phase-refusal.js';

/** What the runtime lends `PlanRuns`. */
export interface PlanRunsHost {
  store: Store;
  plans: LivePlans;
  services: Pick<ActorServices, 'cleanSandboxes' | 'sandboxes'>;
  /** Plans that run on workers (docs/how-to/scale-out.md); null when this runtime has no queue. */
  remote: RemoteChildren | null;
  children: Pick<RuntimeChildPlans, 'runHere'>;
  /** Cancel a plan this process runs (or restores to cancel), as the runtime's cancel does; one that already ended is left as it is. */
  cancelHere(planId: string, reason: string): Promise<void>;
  /** End a child already merged into a parent that is now cancelled as `cancelled` too. */
  cancelMerged(child: PlanRecord, reason: string): Promise<void>;
  /** The plans a model drives: a plan that rests open with a model is handed to it (null: it is not one). */
  models: { drive(planId: string, options: { until?: Phase }): Promise<PlanRecord | null> };
  /** Where a plan that could not be resumed is said (resume of every plan goes on with the others). */
  report(message: string, error: unknown): void;
}

/**
 * Driving plans (SPEC §5, §10): `plan run` sends a plan on as far as its
 * automation (or `until`) lets it — here, or on a worker; a phase command
 * runs one phase; resume continues what was interrupted; and a worker runs
 * the jobs it takes from the queue. Every drive waits until the plan is at
 * rest and its state written, and answers with its record.
 *
 * @example
 * const runs = new PlanRuns(host);
 * const record = await runs.run(planId, { until: 'validate' });
 */
export class PlanRuns {
  readonly #host: PlanRunsHost;

  constructor(host: PlanRunsHost) {
    this.#host = host;
  }

  /** Run the plan here, or with `remote` as a job for a worker, followed here to its end. */
  async run(planId: string, options: RunOptions = {}): Promise<PlanRecord> {
    if (options.remote) return this.#runRemote(planId, options.until);
    return this.drive(planId, options);
  }

  /** Send a plan at rest on as far as its automation (or `until`) lets it: run's drive, also resume's. */
  async drive(planId: string, options: RunOptions = {}): Promise<PlanRecord> {
    const { plans } = this.#host;
    const entry = await plans.ensure(planId);
    if (!entry) return readStoredPlan(this.#host.store, planId);
    // a drive already under way (another command) is joined, not doubled
    await plans.untilRest(entry);
    const event = { type: 'plan.run' as const, ...(options.until ? { until: options.until } : {}) };
    // nothing left to run for this automation / until: the plan stays where it is — unless its model drives it
    if (!entry.actor.getSnapshot().can(event))
      return this.#byModel(await readStoredPlan(this.#host.store, planId), options.until);
    this.forgetCleanSandboxes();
    entry.actor.send(event);
    return this.#byModel(await plans.untilRest(entry), options.until);
  }

  // a plan with a model rests open in execute: its model takes it on from there
  async #byModel(record: PlanRecord, until: Phase | undefined): Promise<PlanRecord> {
    const open =
      record.agentDriven &&
      record.phase === 'execute' &&
      (record.status === 'waiting' || record.status === 'processing');
    if (!open) return record;
    return (await this.#host.models.drive(record.id, until ? { until } : {})) ?? record;
  }

  /** Run one phase of the plan (`strategy`: how apply settles conflicts); refused as the machine refuses it. */
  async runPhase(planId: string, phase: Phase, strategy: MergeStrategy | undefined): Promise<PlanRecord> {
    const { plans } = this.#host;
    const restored = !plans.has(planId);
    const entry = await plans.ensure(planId);
    // work a dead process left in flight (a step, a merge commit) runs again on
    // restore: finish it before judging the command, or it would never get past it
    if (entry && restored) await plans.untilRest(entry);
    const event =
      phase === 'apply'
        ? { type: 'plan.apply' as const, ...(strategy ? { strategy } : {}) }
        : { type: `plan.${phase}` as const };
    if (!entry || !entry.actor.getSnapshot().can(event)) {
      const record = entry ? null : await readStoredPlan(this.#host.store, planId);
      const parent = await this.#parentName(
        entry ? (entry.actor.getSnapshot().context.child?.parentId ?? null) : record!.parentId,
      );
      throw entry ? liveRefusal(phase, entry, parent) : storedRefusal(phase, record!, parent);
    }
    this.forgetCleanSandboxes();
    entry.actor.send(event);
    return this.#byModel(await plans.untilRest(entry), phase);
  }

  // a parent plan as a message names it: by name, its id only when its record is gone
  async #parentName(parentId: string | null): Promise<string | null> {
    if (parentId === null) return null;
    return (await this.#host.store.getPlan(parentId))?.name ?? parentId;
  }

  /** Continue the plan, or every plan that has not ended, from where it was interrupted; their records. */
  async resume(planId: string | undefined): Promise<PlanRecord[]> {
    if (planId !== undefined) return [await this.#resumeOne(planId)];
    const { plans } = this.#host;
    const records: PlanRecord[] = [];
    // the interrupted plans continue; one at rest gets an actor only if it is to be driven
    for (const plan of await plans.restoreAll()) {
      const entry = plans.get(plan.id);
      const rested = entry ? await plans.untilRest(entry) : plan;
      try {
        // a plan its model drives goes on with its conversation (a child's is its parent's to drive)
        if (!neverStarted(rested))
          records.push(rested.parentId === null ? await this.#byModel(rested, undefined) : rested);
        else records.push(await this.drive(plan.id));
      } catch (error) {
        // another process took it meanwhile: it is that process's; any other failure is said, and the others go on
        if (!isHeldElsewhere(error))
          this.#host.report(`could not resume plan ${planCalled(plan.id, plan.name)}`, error);
      }
    }
    return records;
  }

  async #resumeOne(planId: string): Promise<PlanRecord> {
    const { plans } = this.#host;
    const entry = await plans.ensure(planId);
    const rested = entry ? await plans.untilRest(entry) : await readStoredPlan(this.#host.store, planId);
    return entry && neverStarted(rested) ? this.drive(planId) : rested;
  }

  /** Run a root plan as a worker takes it from the queue (`plan run --remote`), then let it go. */
  async runRootJob(planId: string, until: Phase): Promise<PlanRecord> {
    try {
      return await this.drive(planId, { until });
    } finally {
      if (this.#host.plans.has(planId)) await this.#host.plans.stop(planId);
    }
  }

  /**
   * Run a child plan's attempt as a worker takes it from the queue, then let it go (its parent merges it):
   * restored from `known` when given, while `ready` (its sandbox being taken) settles.
   */
  async runChildJob(
    planId: string,
    attempt: number,
    signal: AbortSignal,
    { known, ready }: { known?: PlanRecord; ready?: Promise<unknown> } = {},
  ): Promise<RunChildOutput> {
    const { plans } = this.#host;
    try {
      if (ready) {
        // a child at rest is restored while its sandbox is checked out; one interrupted mid-step runs its work again
        // as it is restored, so only once the sandbox is there
        const early = known && known.status !== 'processing' ? plans.ensure(planId, known) : null;
        const [taken, restored] = await Promise.allSettled([ready, early]);
        if (taken.status === 'rejected') throw taken.reason;
        if (restored.status === 'rejected') throw restored.reason;
      }
      const outcome = await this.#host.children.runHere({ childId: planId, attempt, deadline: null }, signal, known);
      // an attempt is done only once the store has it: a write that failed (the database went away) makes the job run again
      await plans.settled(planId);
      return outcome;
    } finally {
      // a child at rest waits for its parent's merge: not here
      if (plans.has(planId)) await plans.stop(planId);
    }
  }

  /** Cancel the plan (its commands killed) and the children it has not merged, wherever they run. */
  async cancel(planId: string, reason: string | undefined): Promise<PlanRecord> {
    const { plans, remote } = this.#host;
    const entry = await plans.ensure(planId);
    const event = { type: 'plan.cancel' as const, ...(reason ? { reason } : {}) };
    if (!entry || !entry.actor.getSnapshot().can(event)) {
      const record = await readStoredPlan(this.#host.store, planId);
      throw new PhaseGuardError(
        record.name,
        'cancel',
        `the plan is ${record.status} (nothing leaves a terminal status)`,
      );
    }
    entry.actor.send(event);
    const record = await plans.untilRest(entry);
    // a cancelled plan's children stop with it (their processes too); those it merged
    // already end cancelled as well: their work went into a plan that will never apply
    for (const child of await this.#host.store.listPlans()) {
      if (child.parentId !== planId) continue;
      const why = `its parent ${record.name} was cancelled`;
      if (child.status === 'done') await this.#cancelMerged(child, why);
      if (isTerminalStatus(child.status)) continue;
      // a child on a worker is cancelled there, where its sandbox and processes are
      if (remote?.places(child, DEFAULT_PROJECT)) await remote.cancel(child.id, why);
      else await this.#host.cancelHere(child.id, why);
    }
    return record;
  }

  // a merged child, and the children it merged in turn
  async #cancelMerged(child: PlanRecord, why: string): Promise<void> {
    await this.#host.cancelMerged(child, why);
    const merged = (await this.#host.store.listPlans()).filter(
      (plan) => plan.parentId === child.id && plan.status === 'done',
    );
    for (const grandchild of merged) await this.#cancelMerged(grandchild, `its parent ${child.name} was cancelled`);
  }

  /**
   * A worker took the plan's branch from the remote: what this process knew
   * of its sandbox is stale, and a plan that ran on another machine gets
   * its worktree here (on its branch) before its actor runs again.
   */
  async adoptSandbox(record: PlanRecord): Promise<void> {
    const { cleanSandboxes, sandboxes } = this.#host.services;
    cleanSandboxes.delete(record.id);
    // a worktree checked out here is clean at its head: its first step need not ask git (nor reset, nor push)
    if (record.sandbox)
      await sandboxes.reopen({ id: record.id, name: record.name }, record.sandbox, {
        onCreated: (head) => cleanSandboxes.set(record.id, head),
      });
  }

  /**
   * A command from the user (run, a phase, resume, resolve, correct,
   * rollback) may follow edits of any sandbox while plans were at rest (or
   * waited on manual children): what this process saw clean before no
   * longer counts, so the next step or merge asks git again.
   */
  forgetCleanSandboxes(): void {
    this.#host.services.cleanSandboxes.clear();
  }

  // a root plan as a job for a worker, followed here to its end (docs/how-to/scale-out.md)
  async #runRemote(planId: string, until: Phase | undefined): Promise<PlanRecord> {
    const { store, plans, remote } = this.#host;
    if (!remote) {
      throw new ValidationError(
        [
          {
            path: '--remote',
            message:
              'needs a queue and a shared remote (queue and remote in .troupe/config.json, or TROUPE_REDIS_URL and TROUPE_REMOTE_URL) and a PostgreSQL store',
          },
        ],
        {
          hint: 'see docs/how-to/scale-out.md, or run the plan here without --remote',
        },
      );
    }
    if (until === 'apply') {
      throw new ValidationError(
        [
          {
            path: '--until',
            message: 'a plan run on a worker goes at most to validate: it is applied where the project is',
          },
        ],
        { hint: 'run it with --until validate, then troupe plan apply <plan> here' },
      );
    }
    const record = await readStoredPlan(store, planId);
    if (record.parentId !== null) {
      throw new ValidationError([{ path: '--remote', message: `${record.name} is a child plan: its parent runs it` }], {
        hint: `troupe plan run ${await this.#parentName(record.parentId)} --remote`,
      });
    }
    if (isTerminalStatus(record.status)) return record;
    // at rest here: let it go, the worker takes it over (once the store has let it go: a worker finding
    // it still held here would put the job back for a while)
    const live = plans.get(planId);
    if (live) {
      await plans.untilRest(live);
      await plans.handOver(planId);
    }
    await remote.runRoot(record, until === undefined ? 'validate' : until, await store.lastEventSeq(planId));
    return readStoredPlan(store, planId);
  }
}

// A plan created but never started — or whose process was killed before its first
// transition was stored — rests at (strategize, queued) and would stay there: resume
// drives it as plan run drives it. A plan resting anywhere else was left there by a
// drive (manual automation, --until) and stays; a child is its parent's to drive.
function neverStarted(record: PlanRecord): boolean {
  return record.parentId === null && record.phase === 'strategize' && record.status === 'queued';
}
