// Child plans an agent spawns on its open plan, and waiting on them (SPEC §16): the group
// becomes the plan's next step, its children open for agents of their own.
import { z } from 'zod';
import { planPosition } from '../../../machines/index.js';
import { groupDecisions, type GroupPayload } from '../../../actors/subplans/group-decisions.js';
import {
  OVERLAP_POLICIES,
  ValidationError,
  maxParallelSchema,
  newId,
  planName,
  scopeGlob,
  toFieldIssues,
  type Decision,
  type OverlapPayload,
  type SubplanStep,
} from '../../domain/index.js';
import type { SpawnRecorder } from '../../tools/index.js';
import type { LivePlan } from '../checkpoints/index.js';
import { appendStep, toolContext, type AgentHost } from './agent-host.js';
import type { SubplanSpawnRequest, SubplanSpawnResult, SubplanWaitResult } from './agent-api.js';
import { notOpen, openablePlan } from './open-plans.js';

// how long subplan_spawn waits for the children it started to open for their agents
const CHILDREN_OPEN_MS = 120_000;

const spawnRequestSchema = z.strictObject({
  children: z
    .array(
      z.strictObject({
        name: planName.optional(),
        goal: z
          .string()
          .trim()
          .min(1, { error: 'must not be empty' })
          .max(2000, { error: 'must be at most 2000 characters' }),
        resourceScopes: z
          .array(scopeGlob)
          .min(1, { error: 'must list at least one glob, or leave the field out to use the plan’s' })
          .optional(),
      }),
    )
    .min(1, { error: 'must list at least one child' })
    .max(50, { error: 'must list at most 50 children' }),
  maxParallel: maxParallelSchema.optional(),
  overlap: z.enum(OVERLAP_POLICIES).optional(),
  rationale: z.string().max(4000).optional(),
  actor: z.string().max(200).optional(),
  callId: z.string().max(200).optional(),
});

/** A spawn request as {@link checkSpawnRequest} let it through. */
export type CheckedSpawn = z.infer<typeof spawnRequestSchema>;

/** A group of children spawned and recorded as the parent's step, before they open for their agents. */
export interface SpawnedGroup {
  planId: string;
  live: LivePlan;
  /** The group's step (0-based) in the parent. */
  index: number;
  children: { childId: string; childName: string; goal: string }[];
  /** The group's overlap decision, when its children's scopes meet. */
  overlap: OverlapPayload | null;
  /** How many may start at once: `maxParallel`, or fewer when `overlap: serialize` makes some wait for another's merge. */
  startable: number;
}

/** The request, checked before it is queued; `VALIDATION_ERROR` (nothing recorded) naming every bad field. */
export function checkSpawnRequest(request: SubplanSpawnRequest): CheckedSpawn {
  const parsed = spawnRequestSchema.safeParse(request);
  if (!parsed.success)
    throw new ValidationError(toFieldIssues(parsed.error.issues, request), { subject: 'subplan_spawn' });
  return parsed.data;
}

/**
 * Spawn the children as the plan's next step: a parallel group of
 * agent-driven subplans, recorded with their decisions, the plan sent on to
 * start them. Runs in the plan's turn; waiting for them to open does not.
 */
export async function spawnGroup(host: AgentHost, id: string, wanted: CheckedSpawn): Promise<SpawnedGroup> {
  const live = await openablePlan(host, id, 'spawn subplans of');
  if (!live.can({ type: 'plan.step', group: true })) throw notOpen(live, 'spawn subplans of');
  const { context } = live.snapshot();
  const spec = await host.services.readSpec(id);
  const index = (context.lastCompletedStep ?? -1) + 1;
  const maxParallel = wanted.maxParallel ?? 4;
  // an agent's children each get their own agent: a failing one does not stop the others
  const step: SubplanStep = {
    title: `Spawn ${wanted.children.length} agent-driven subplan(s)`,
    subplans: {
      mode: 'parallel',
      maxParallel,
      mergeStrategy: 'three-way',
      failurePolicy: 'continue',
      retries: 0,
      contextView: 'skeleton',
      ...(wanted.overlap === undefined ? {} : { overlap: wanted.overlap }),
      entries: wanted.children.map((child) => ({
        ...(child.name === undefined ? {} : { name: child.name }),
        goal: child.goal,
        // the parent's scopes by default; a parent without any (anything) gives its children none
        ...((child.resourceScopes ?? spec.resourceScopes)
          ? { resourceScopes: child.resourceScopes ?? spec.resourceScopes }
          : {}),
        dependsOn: [],
        invariants: [],
        validate: [],
      })),
    },
  };
  const now = host.now();
  const recorded: Decision[] = [];
  const earlier = (await host.store.listDecisions(id)).filter(
    (decision) => decision.type === 'subplan_spawn' || decision.type === 'subplan_parallel_spawn',
  ).length;
  const base: Decision = {
    id: newId(),
    planId: id,
    parentId: context.decisionRootId,
    type: 'step',
    title: step.title,
    rationale:
      wanted.rationale ?? `run ${wanted.children.length} subplan(s) side by side, at most ${maxParallel} at once`,
    payload: { index, subplans: {}, ...(wanted.callId === undefined ? {} : { call: wanted.callId }) },
    actor: wanted.actor ?? 'agent',
    createdAt: now,
    status: 'active',
  };
  const record = await live.untilRest();
  const spawns: SpawnRecorder = {
    planName: record.name,
    rootId: context.decisionRootId ?? base.id,
    spawned: () => earlier + recorded.length,
    parentScopes: spec.resourceScopes ?? null,
    decision: (decisionId) =>
      recorded.find((decision) => decision.id === decisionId) ?? (decisionId === base.id ? base : undefined),
    newId: () => newId(),
    record: (made) => {
      const decision: Decision = {
        ...made,
        planId: id,
        parentId: made.parentId,
        actor: wanted.actor ?? 'agent',
        createdAt: now,
        status: 'active',
      };
      recorded.push(decision);
      return decision;
    },
  };
  const root = host.services.sandboxes.pathOf(context.sandbox!);
  const callContext = await toolContext(host, id, root, 'execute', spec.resourceScopes, spec.env, { spawns });
  const group = await groupDecisions({
    step,
    index,
    decision: base,
    run: (spawn) => host.tools.run('builtin/plan-subplan', spawn, callContext),
    spawnOf: (decisionId) => recorded.find((decision) => decision.id === decisionId),
    overlapDefault: host.services.overlapDefault,
    tree: () => host.services.sandboxes.files(context.sandbox!, context.sandbox!.headCommit),
    newId: () => newId(),
  });
  appendStep(host, id, group.decision, [group.decision, ...recorded, ...group.decisions], group.entries);
  live.send({ type: 'plan.step', group: true });
  const overlap =
    (group.decisions.find((decision) => decision.type === 'overlap')?.payload as OverlapPayload | undefined) ?? null;
  // a child that waits for an overlapping sibling's merge is not started now (every wait is in the group's payload)
  const after = (group.decision.payload.subplans as GroupPayload).overlap?.after ?? {};
  const waiting = recorded.filter((decision) => (after[decision.id]?.length ?? 0) > 0).length;
  const children = recorded.map((decision) => decision.payload as { childId: string; childName: string; goal: string });
  const startable = Math.min(maxParallel, children.length - waiting);
  return { planId: id, live, index, children, overlap, startable };
}

/** The spawned group as the agent sees it once its first children are open for their agents (or the parent stopped). */
export async function spawnedChildren(host: AgentHost, spawned: SpawnedGroup): Promise<SubplanSpawnResult> {
  const children = (await untilChildrenOpen(
    host,
    spawned.live,
    spawned.children.map((child) => child.childId),
    spawned.startable,
  )) as Record<string, SubplanSpawnResult['children'][number]['status']>;
  return {
    planId: spawned.planId,
    step: spawned.index,
    children: spawned.children.map((child) => ({
      id: child.childId,
      name: child.childName,
      goal: child.goal,
      status: children[child.childId] ?? 'pending',
    })),
    overlap: spawned.overlap,
  };
}

/** Wait until the plan's running group ended or `timeoutMs` passed; the plan, its children and its open conflicts as they stand. */
export async function waitForSubplans(
  host: AgentHost,
  ref: string,
  options: { timeoutMs?: number },
): Promise<SubplanWaitResult> {
  const timeoutMs = options.timeoutMs ?? Number.POSITIVE_INFINITY;
  if (!(timeoutMs >= 0))
    throw new ValidationError([{ path: 'timeoutMs', message: 'must be a number of milliseconds, 0 or more' }], {
      subject: 'subplan_wait',
    });
  const id = await host.resolve(ref);
  const live = await host.live(id);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<null>((resolve) => {
    if (Number.isFinite(timeoutMs)) timer = setTimeout(() => resolve(null), timeoutMs);
  });
  const rested = live
    ? await Promise.race([live.untilRest(), timedOut]).finally(() => clearTimeout(timer))
    : await host.readPlan(id);
  const plan = rested ?? (await host.readPlan(id));
  const { conflicts } = await host.conflicts(id);
  return {
    done: rested !== null,
    plan,
    children: Object.entries(plan.subplanStatuses).map(([childId, status]) => ({
      id: childId,
      name: status.name,
      status: status.status,
      attempt: status.attempt,
    })),
    conflicts,
  };
}

// the children started (`startable` of them), open for their agents — or the parent at rest (a child failed)
async function untilChildrenOpen(
  host: AgentHost,
  live: LivePlan,
  childIds: string[],
  startable: number,
): Promise<Record<string, string>> {
  const deadline = Date.now() + CHILDREN_OPEN_MS;
  const expected = startable;
  for (;;) {
    const { context } = live.snapshot();
    const statuses = {
      ...Object.fromEntries(
        Object.entries(context.subplanStatuses).map(([childId, status]) => [childId, status.status]),
      ),
      ...Object.fromEntries(
        Object.entries(context.group?.statuses ?? {}).map(([childId, status]) => [childId, status.status]),
      ),
    };
    const running = childIds.filter((childId) => statuses[childId] === 'running');
    const open = await Promise.all(
      running.map((childId) =>
        host.readPlan(childId).then(
          (record) => record.status !== 'processing' && record.phase !== 'strategize',
          () => false,
        ),
      ),
    );
    const settled = childIds.filter(
      (childId) =>
        statuses[childId] !== undefined && statuses[childId] !== 'pending' && statuses[childId] !== 'running',
    ).length;
    const position = planPosition(live.snapshot().value as never, context);
    if (
      (running.length + settled >= expected && open.every(Boolean)) ||
      position.status !== 'processing' ||
      Date.now() > deadline
    )
      return statuses;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
