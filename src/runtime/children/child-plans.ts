import {
  DEFAULT_PROJECT,
  TroupeError,
  ValidationError,
  planFileSchema,
  type PlanRecord,
  type PlanSpec,
  type ProjectRecord,
  type SandboxInfo,
  type SubplanSpawnPayload,
} from '../../domain/index.js';
import {
  planIdentityOf,
  type ChildOrigin,
  type PlanContext,
  type PlanMachineInput,
  type PlanIdentity,
  type RunChildOutput,
} from '../../../machines/index.js';
import type { ActorServices, ChildPlans } from '../../../actors/index.js';
import type { Store } from '../../store/index.js';
import type { RemoteChildren } from '../workers/index.js';
import { endedOutcome, watchAttempt } from './child-attempt.js';
import { applyProjectChildren } from './project-children.js';
import type { WatchedPlan } from './watched-plan.js';

/** What the runtime lends {@link RuntimeChildPlans}: its store, ports, and the address book. */
export interface ChildPlanHost {
  store: Store;
  services: Omit<ActorServices, 'children' | 'checkpoints'>;
  now(): string;
  /** The plan's live actor, restored if needed (from `known`, its record as the caller just read it); null for a plan that ended. */
  ensure(planId: string, known?: PlanRecord): Promise<WatchedPlan | null>;
  /**
   * Create a plan record with its first snapshot and start its actor (one
   * atomic write; a taken name is VALIDATION_ERROR). `here: false`: written
   * only, for a worker to run.
   */
  create(identity: PlanIdentity, input: PlanMachineInput, spec: PlanSpec, options?: { here: boolean }): Promise<void>;
  /**
   * Replace a plan's actor with a fresh one from `input` (a new attempt),
   * journaling why, in one write — with `spec`, the plan file it goes on
   * with; `here: false`: written only.
   */
  restart(
    identity: PlanIdentity,
    input: PlanMachineInput,
    attempt: number,
    options?: { here: boolean; spec?: PlanSpec },
  ): Promise<void>;
  /** Children that run on workers (docs/how-to/scale-out.md); null when this runtime has no queue. */
  remote: RemoteChildren | null;
  cancel(planId: string, reason: string): Promise<void>;
  /** Everything the plan did so far is written. */
  settled(planId: string): Promise<void>;
  /** Let merged children's sandboxes go (housekeeping). */
  release(childIds: readonly string[]): Promise<void>;
  /** An applied root plan and every plan under it leave no sandbox, branch or ref behind (housekeeping). */
  releaseApplied(rootId: string): Promise<void>;
  /** A child with a model, open in execute, is handed to its model (which finishes it up to `until`). */
  models?: { start(planId: string, options: { until: 'validate' }): void };
}

/**
 * Child plans (SPEC §8) as separate root actors of the runtime: made at
 * their spawn point from the spawn decision, started over for a retry, after
 * a rollback invalidated them, or when a new spawn decision of their parent
 * takes them over, driven to `(validate, complete)` and watched, cancelled,
 * and ended `done` once merged. Every operation is idempotent, as the
 * supervisor's actors run again after a restore.
 */
export class RuntimeChildPlans implements ChildPlans {
  readonly #host: ChildPlanHost;

  constructor(host: ChildPlanHost) {
    this.#host = host;
  }

  async start(request: Parameters<ChildPlans['start']>[0]): Promise<void> {
    const { store, services } = this.#host;
    const existing = await store.getPlan(request.childId);
    const origin = (sandbox: SandboxInfo): ChildOrigin => ({
      parentId: request.parentId,
      decisionId: request.decisionId,
      sandbox,
      attempt: request.attempt,
      contextView: request.contextView,
    });
    if (existing) {
      const live = await this.#host.ensure(request.childId);
      const was = live ? live.snapshot().context.child : await storedOrigin(store, request.childId);
      // made already: this attempt of this spawn decision. It starts over for a new attempt, when its
      // parent's rollback invalidated it, and when a new spawn decision of its parent — a strategy made
      // again — takes it over: then as that decision has it (docs/reference/subplans.md)
      const takenOver = was?.decisionId !== request.decisionId;
      if (was?.attempt === request.attempt && !takenOver && existing.status !== 'invalidated') return;
      // from strategize, in a fresh sandbox at the same spawn point
      const made = takenOver ? await this.#childOf(request) : null;
      const identity = made ? { ...made.identity, createdAt: existing.createdAt } : planIdentityOf(existing);
      const restart = made ? { spec: made.spec } : {};
      const remote = this.#remoteFor(existing);
      if (remote) {
        const sandbox = await remote.place(existing, request.spawnHead);
        await this.#host.restart(identity, inputOf(existing, origin(sandbox)), request.attempt, {
          here: false,
          ...restart,
        });
        await remote.queue({ planId: existing.id, attempt: request.attempt, rootId: existing.rootId });
        return;
      }
      await services.processes(request.childId)?.reap();
      const sandbox = await this.#sandboxAt(existing, request.spawnHead);
      await this.#host.restart(identity, inputOf(existing, origin(sandbox)), request.attempt, {
        here: true,
        ...restart,
      });
      return;
    }
    const { identity, spec, project } = await this.#childOf(request);
    // on a worker: the child's branch starts on the shared remote, and its record waits for a worker to take it
    const remote = this.#remoteFor(identity);
    if (remote) {
      const sandbox = await remote.place(identity, request.spawnHead);
      await this.#host.create(
        identity,
        { planId: identity.id, name: identity.name, automation: identity.automation, child: origin(sandbox) },
        spec,
        { here: false },
      );
      await remote.queue({ planId: identity.id, attempt: request.attempt, rootId: identity.rootId });
      return;
    }
    // a worktree checked out here is clean at its head: the child's first step need not ask git
    const onCreated = (head: string) => services.cleanSandboxes.set(request.childId, head);
    const sandbox = project
      ? await services.sandboxes.ensure({ id: request.childId, name: identity.name }, { repo: project.path, onCreated })
      : await services.sandboxes.ensure(
          { id: request.childId, name: identity.name },
          { base: request.spawnHead, onCreated },
        );
    await this.#host.create(
      identity,
      { planId: identity.id, name: identity.name, automation: identity.automation, child: origin(sandbox) },
      spec,
    );
  }

  // the child a spawn decision describes: its identity, its plan file, and the project it works in (null: this one)
  async #childOf(
    request: Parameters<ChildPlans['start']>[0],
  ): Promise<{ identity: PlanIdentity; spec: PlanSpec; project: ProjectRecord | null }> {
    const { store, services } = this.#host;
    const [parent, parentSpec, decision] = await Promise.all([
      services.readPlan(request.parentId),
      services.readSpec(request.parentId),
      services.readDecision(request.parentId, request.decisionId),
    ]);
    const spawn = decision.payload as SubplanSpawnPayload;
    // a child of another project works in a worktree of that repository, from its HEAD (SPEC §8)
    const project = spawn.project === undefined ? null : await store.getProject(spawn.project);
    if (spawn.project !== undefined && !project) {
      throw new ValidationError([{ path: 'project', message: `no project named "${spawn.project}" is registered` }], {
        hint: `troupe project add ${spawn.project} <path>`,
      });
    }
    // the entry's goal, scopes, steps and checks; the parent's automation, environment, network, limits, model and invariant settings
    const spec = planFileSchema.parse({
      name: spawn.childName,
      goal: spawn.goal,
      ...(spawn.definitionOfDone === undefined ? {} : { definitionOfDone: spawn.definitionOfDone }),
      automation: parent.automation,
      ...(spawn.resourceScopes === undefined ? {} : { resourceScopes: spawn.resourceScopes }),
      reconciliation: parentSpec.reconciliation,
      maxReversions: parentSpec.maxReversions,
      invariants: spawn.invariants,
      validate: spawn.validate,
      env: parentSpec.env,
      network: parentSpec.network,
      ...(parentSpec.sandbox === undefined ? {} : { sandbox: parentSpec.sandbox }),
      ...(spawn.strategy === undefined ? {} : { strategy: spawn.strategy }),
      // the parent's model drives a child without steps; the child's strategy is its entry's, never the model's
      ...(parentSpec.agent === undefined ? {} : { agent: { ...parentSpec.agent, strategize: false } }),
    });
    const identity: PlanIdentity = {
      id: request.childId,
      name: spawn.childName,
      goal: spawn.goal,
      parentId: request.parentId,
      rootId: parent.rootId,
      project: project?.name ?? DEFAULT_PROJECT,
      automation: parent.automation,
      createdAt: this.#host.now(),
    };
    return { identity, spec, project };
  }

  async run(request: Parameters<ChildPlans['run']>[0], signal: AbortSignal): Promise<RunChildOutput> {
    const record = await this.#host.services.readPlan(request.childId);
    const remote = this.#remoteFor(record);
    if (remote) return remote.run(request, signal, record);
    return this.runHere(request, signal);
  }

  /** Drive the child in this process (a local child, or a worker's job: `known`, its record as just read) and answer how the attempt ended. */
  async runHere(
    request: Parameters<ChildPlans['run']>[0],
    signal: AbortSignal,
    known?: PlanRecord,
  ): Promise<RunChildOutput> {
    const plan = await this.#host.ensure(request.childId, known);
    if (!plan) return endedOutcome(await this.#host.services.readPlan(request.childId));
    return watchAttempt(plan, request, signal, this.#host);
  }

  async cancel(childIds: readonly string[], reason: string): Promise<void> {
    for (const childId of childIds) {
      const record = await this.#host.store.getPlan(childId);
      const remote = record ? this.#remoteFor(record) : null;
      if (remote) await remote.cancel(childId, reason);
      else await this.#host.cancel(childId, reason);
    }
  }

  async fetchHeads(heads: readonly { childId: string; head: string }[]): Promise<void> {
    const remote = this.#host.remote;
    if (!remote) return;
    const records = await Promise.all(
      heads.map(async ({ childId, head }) => ({ record: await this.#host.services.readPlan(childId), head })),
    );
    await remote.fetchHeads(records.filter(({ record }) => this.#remoteFor(record) !== null));
  }

  async merged(childId: string, commit: string): Promise<void> {
    const plan = await this.#ensureSoon(childId);
    if (plan?.send({ type: 'plan.merged', commit })) await this.#host.settled(childId);
  }

  /** The remote side for a child that runs on workers, or null for one that runs here. */
  #remoteFor(child: { project: string; automation: string }): RemoteChildren | null {
    const remote = this.#host.remote;
    return remote?.places(child, DEFAULT_PROJECT) ? remote : null;
  }

  // a child a worker just finished is let go by that worker a moment after its record says so
  async #ensureSoon(childId: string): Promise<WatchedPlan | null> {
    for (let tries = 0; ; tries += 1) {
      try {
        return await this.#host.ensure(childId);
      } catch (error) {
        if (!(error instanceof TroupeError) || error.code !== 'STORE_LOCKED' || tries >= 300) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  release(childIds: readonly string[]): Promise<void> {
    return this.#host.release(childIds);
  }

  releaseApplied(rootId: string): Promise<void> {
    return this.#host.releaseApplied(rootId);
  }

  applyProjectChildren(rootId: string): Promise<{ name: string; project: string; commit: string | null }[]> {
    return applyProjectChildren(
      {
        store: this.#host.store,
        readPlan: (planId) => this.#host.services.readPlan(planId),
        merged: (childId, commit) => this.merged(childId, commit),
        release: (childIds) => this.release(childIds),
      },
      rootId,
    );
  }

  // the child's sandbox as a new attempt starts it: reset to the spawn point
  async #sandboxAt(record: PlanRecord, spawnHead: string): Promise<SandboxInfo> {
    const { sandboxes } = this.#host.services;
    const repo = record.sandbox?.repo;
    const sandbox = await sandboxes.ensure(
      { id: record.id, name: record.name },
      { base: record.sandbox?.baseCommit ?? spawnHead, ...(repo ? { repo } : {}) },
    );
    // another project's child starts over where it first branched from that project
    const point = repo ? sandbox.baseCommit : spawnHead;
    const fresh = { ...sandbox, baseCommit: point, headCommit: point };
    await sandboxes.reset(fresh, point);
    return fresh;
  }
}

function inputOf(record: PlanRecord, child: ChildOrigin): PlanMachineInput {
  return { planId: record.id, name: record.name, automation: record.automation, child };
}

/** The attempt a stored child is on (from its snapshot), or null. */
export async function storedAttempt(store: Store, childId: string): Promise<number | null> {
  return (await storedOrigin(store, childId))?.attempt ?? null;
}

/** Where a stored child came from (its spawn decision, attempt and sandbox, from its snapshot), or null. */
async function storedOrigin(store: Store, childId: string): Promise<ChildOrigin | null> {
  const stored = await store.getSnapshot(childId);
  const context = (stored?.snapshot as { context?: Partial<PlanContext> } | undefined)?.context;
  return context?.child ?? null;
}
