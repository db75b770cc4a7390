import { z } from 'zod';
import { planPosition, type PlanContext } from '../../../machines/index.js';
import type { ActorServices } from '../../../actors/index.js';
import { groupDecisions } from '../../../actors/subplans/group-decisions.js';
import {
  PhaseGuardError,
  ValidationError,
  maxParallelSchema,
  newId,
  planName,
  scopeGlob,
  toFieldIssues,
  type Decision,
  type JournalEntry,
  type PlanRecord,
  type SerializedError,
  type SubplanStep,
  type ToolCallPayload,
} from '../../domain/index.js';
import type { SpawnRecorder, ToolRunner } from '../../tools/index.js';
import type { LivePlan } from '../checkpoints/index.js';
import type { PlanMemory } from '../persistence/index.js';
import type { PlanPersistence } from '../persistence/index.js';
import type { ConflictList } from '../children/index.js';
import type { RunOptions } from '../plans/index.js';
import type { SubplanSpawnRequest, SubplanSpawnResult, SubplanWaitResult, ToolCallRequest, ToolCallResult } from './agent-api.js';
import type { Store } from '../../store/index.js';

/** What the runtime lends {@link RuntimeAgentCalls}. */
export interface AgentHost {
  tools: ToolRunner;
  services: Omit<ActorServices, 'children' | 'checkpoints'>;
  memory: PlanMemory;
  persistence: PlanPersistence;
  store: Store;
  now(): string;
  /** The plan's id for a ref (id, name or id prefix). */
  resolve(ref: string): Promise<string>;
  /** The plan's live actor, restored if needed; null for a plan that ended. */
  live(planId: string): Promise<LivePlan | null>;
  readPlan(planId: string): Promise<PlanRecord>;
  conflicts(planId: string): Promise<ConflictList>;
}

// tools an agent reaches through their own calls, not as a step's tool
const NOT_CALLABLE: Record<string, string> = {
  'builtin/plan-subplan': 'child plans are spawned with subplan_spawn (runtime.spawnSubplans)',
  'system/create-checkpoint': 'checkpoints are taken with checkpoint_create (runtime.createCheckpoint)',
};

// how long subplan_spawn waits for the children it started to open for their agents
const CHILDREN_OPEN_MS = 120_000;

const spawnRequestSchema = z.strictObject({
  children: z
    .array(
      z.strictObject({
        name: planName.optional(),
        goal: z.string().trim().min(1, { error: 'must not be empty' }).max(2000, { error: 'must be at most 2000 characters' }),
        resourceScopes: z.array(scopeGlob).min(1, { error: 'must list at least one glob, or leave the field out to use the plan’s' }).optional(),
      }),
    )
    .min(1, { error: 'must list at least one child' })
    .max(50, { error: 'must list at most 50 children' }),
  maxParallel: maxParallelSchema.optional(),
  rationale: z.string().max(4000).optional(),
  actor: z.string().max(200).optional(),
});

/**
 * Agent-driven plans (SPEC §16): a plan without `strategy.steps` rests open
 * in execute, and each tool call made on it from outside becomes a step like
 * a scripted one — its `step` decision (with the caller's rationale), the
 * call through the ToolRunner in the contained sandbox, a step commit when
 * it wrote, a `step` checkpoint and the reconciliation after it — so
 * explain, changes, rollback and resume work as for any plan. A read (a
 * tool that changes nothing) is no step: it runs and is recorded as a
 * `tool_call` decision and a `tool.called` entry, without a commit, a
 * checkpoint or a reconciliation (nothing changed to check). A call troupe
 * refuses — bad input, a path outside the sandbox or the scopes, a sandbox
 * that cannot start — changes nothing, is recorded, and the plan stays open.
 *
 * Calls on one plan run one at a time, in the order they came; calls on
 * different plans run side by side.
 */
export class RuntimeAgentCalls {
  readonly #host: AgentHost;
  // the last call queued on each plan: the next one starts after it
  readonly #queues = new Map<string, Promise<unknown>>();
  // the lookup of the last call that arrived: the next call's lookup waits for it
  #arrivals: Promise<unknown> = Promise.resolve();

  constructor(host: AgentHost) {
    this.#host = host;
  }

  async callTool(ref: string, call: ToolCallRequest): Promise<ToolCallResult> {
    const request = checkCall(call);
    return this.#inOrder(ref, async (id) => {
      try {
        const live = await this.#openable(id, 'take a tool call on');
        const tool = this.#host.tools.registry.get(request.tool);
        const notCallable = NOT_CALLABLE[request.tool];
        if (!tool || notCallable) {
          const message = notCallable ? `${request.tool} is not called as a tool here: ${notCallable}` : `unknown tool "${request.tool}"`;
          return await this.#refuse(id, request, { code: 'VALIDATION_ERROR', message, hint: `the tools are: ${this.#callable().join(', ')}` });
        }
        if (!this.#host.tools.writes(request.tool)) return await this.#read(id, live, request);
        return await this.#step(id, live, request);
      } catch (error) {
        return this.#guarded(id, request, error);
      }
    });
  }

  // a call a phase rule refused on a live agent-driven plan (its children run, it was finished): recorded like any refusal
  async #guarded(id: string, request: CheckedCall, error: unknown): Promise<ToolCallResult> {
    if (!(error instanceof PhaseGuardError)) throw error;
    const live = await this.#host.live(id);
    const context = live?.snapshot().context;
    if (!context?.open || context.decisionRootId === null) throw error;
    return this.#refuse(id, request, error.toJSON());
  }

  async finish(ref: string, options: RunOptions = {}): Promise<PlanRecord> {
    return this.#inOrder(ref, async (id) => {
      const live = await this.#openable(id, 'finish');
      const event = { type: 'plan.finish' as const, ...(options.until ? { until: options.until } : {}) };
      if (!live.can(event)) throw this.#notOpen(live, 'finish');
      live.send(event);
      return live.untilRest();
    });
  }

  async spawnSubplans(ref: string, request: SubplanSpawnRequest): Promise<SubplanSpawnResult> {
    const parsed = spawnRequestSchema.safeParse(request);
    if (!parsed.success) throw new ValidationError(toFieldIssues(parsed.error.issues, request), { subject: 'subplan_spawn' });
    const wanted = parsed.data;
    let id = '';
    const spawned = await this.#inOrder(ref, async (resolved) => {
      id = resolved;
      const live = await this.#openable(id, 'spawn subplans of');
      if (!live.can({ type: 'plan.step', group: true })) throw this.#notOpen(live, 'spawn subplans of');
      const { context } = live.snapshot();
      const spec = await this.#host.services.readSpec(id);
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
          entries: wanted.children.map((child) => ({
            ...(child.name === undefined ? {} : { name: child.name }),
            goal: child.goal,
            // the parent's scopes by default; a parent without any (anything) gives its children none
            ...(child.resourceScopes ?? spec.resourceScopes ? { resourceScopes: child.resourceScopes ?? spec.resourceScopes } : {}),
            dependsOn: [],
            invariants: [],
            validate: [],
          })),
        },
      };
      const now = this.#host.now();
      const recorded: Decision[] = [];
      const earlier = (await this.#host.store.listDecisions(id)).filter((decision) => decision.type === 'subplan_spawn' || decision.type === 'subplan_parallel_spawn').length;
      const base: Decision = {
        id: newId(),
        planId: id,
        parentId: context.decisionRootId,
        type: 'step',
        title: step.title,
        rationale: wanted.rationale ?? `run ${wanted.children.length} subplan(s) side by side, at most ${maxParallel} at once`,
        payload: { index, subplans: {} },
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
        decision: (decisionId) => recorded.find((decision) => decision.id === decisionId) ?? (decisionId === base.id ? base : undefined),
        newId: () => newId(),
        record: (made) => {
          const decision: Decision = { ...made, planId: id, parentId: made.parentId, actor: wanted.actor ?? 'agent', createdAt: now, status: 'active' };
          recorded.push(decision);
          return decision;
        },
      };
      const root = this.#host.services.sandboxes.pathOf(context.sandbox!);
      const toolContext = await this.#toolContext(id, root, 'execute', spec.resourceScopes, spec.env, { spawns });
      const group = await groupDecisions({ step, index, decision: base, run: (spawn) => this.#host.tools.run('builtin/plan-subplan', spawn, toolContext) });
      this.#appendStep(id, group, [group, ...recorded]);
      live.send({ type: 'plan.step', group: true });
      return { live, index, children: recorded.map((decision) => decision.payload as { childId: string; childName: string; goal: string }), maxParallel };
    });
    const children = (await this.#untilChildrenOpen(spawned.live, spawned.children.map((child) => child.childId), spawned.maxParallel)) as Record<string, SubplanSpawnResult['children'][number]['status']>;
    return {
      planId: id,
      step: spawned.index,
      children: spawned.children.map((child) => ({ id: child.childId, name: child.childName, goal: child.goal, status: children[child.childId] ?? 'pending' })),
    };
  }

  async waitSubplans(ref: string, options: { timeoutMs?: number } = {}): Promise<SubplanWaitResult> {
    const timeoutMs = options.timeoutMs ?? Number.POSITIVE_INFINITY;
    if (!(timeoutMs >= 0)) throw new ValidationError([{ path: 'timeoutMs', message: 'must be a number of milliseconds, 0 or more' }], { subject: 'subplan_wait' });
    const id = await this.#host.resolve(ref);
    const live = await this.#host.live(id);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<null>((resolve) => {
      if (Number.isFinite(timeoutMs)) timer = setTimeout(() => resolve(null), timeoutMs);
    });
    const rested = live ? await Promise.race([live.untilRest(), timedOut]).finally(() => clearTimeout(timer)) : await this.#host.readPlan(id);
    const plan = rested ?? (await this.#host.readPlan(id));
    const { conflicts } = await this.#host.conflicts(id);
    return {
      done: rested !== null,
      plan,
      children: Object.entries(plan.subplanStatuses).map(([childId, status]) => ({ id: childId, name: status.name, status: status.status, attempt: status.attempt })),
      conflicts,
    };
  }

  /** Open an agent-driven plan again after a rollback left it queued in execute (SPEC §16); whether it did. */
  async reopen(planId: string): Promise<boolean> {
    const live = await this.#host.live(planId);
    if (!live) return false;
    const { value, context } = live.snapshot();
    const position = planPosition(value as never, context);
    if (!context.open || position.phase !== 'execute' || position.status !== 'queued') return false;
    live.send({ type: 'plan.execute' });
    await live.untilRest();
    return true;
  }

  // a read: run at once in the sandbox, recorded as a tool_call decision (no step, commit or checkpoint)
  async #read(id: string, live: LivePlan, request: CheckedCall): Promise<ToolCallResult> {
    const { context } = live.snapshot();
    const spec = await this.#host.services.readSpec(id);
    const root = this.#host.services.sandboxes.pathOf(context.sandbox!);
    const started = performance.now();
    const result = await this.#host.tools.run(request.tool, request.input, await this.#toolContext(id, root, context.phase, spec.resourceScopes, spec.env, { readOnly: true, tool: request.tool }));
    const durationMs = Math.round(performance.now() - started);
    this.#recordCall(id, context, request, { outcome: 'read', success: result.success, durationMs, ...(result.success ? {} : { code: result.error.code }) });
    const plan = await live.untilRest();
    if (!result.success) return { ok: false, planId: id, tool: request.tool, error: result.error, step: null, plan };
    return { ok: true, planId: id, tool: request.tool, output: result.output, step: null, commit: context.sandbox?.headCommit ?? null, wrote: false, plan };
  }

  // a call that may write: the plan's next step
  async #step(id: string, live: LivePlan, request: CheckedCall): Promise<ToolCallResult> {
    if (!live.can({ type: 'plan.step' })) throw this.#notOpen(live, 'take a step on');
    const { context } = live.snapshot();
    const spec = await this.#host.services.readSpec(id);
    // what can be judged without running it: refused before it becomes a step
    const problems = this.#host.tools.check(request.tool, request.input, { ...(spec.resourceScopes ? { scopes: spec.resourceScopes } : {}) });
    if (problems.length > 0) {
      const first = problems[0]!;
      return this.#refuse(id, request, {
        code: first.code as SerializedError['code'],
        message: `${request.tool}: ${problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ')}`,
        details: { issues: problems.map(({ path, message }) => ({ path, message })) },
        ...(first.code === 'SCOPE_VIOLATION' ? { hint: `the plan may write only ${spec.resourceScopes?.join(', ') || 'nothing'} (resourceScopes)` } : {}),
      });
    }
    const index = (context.lastCompletedStep ?? -1) + 1;
    const decision: Decision = {
      id: newId(),
      planId: id,
      parentId: context.decisionRootId,
      type: 'step',
      title: stepTitle(request),
      rationale: request.rationale ?? `call ${request.tool}`,
      payload: { index, tool: request.tool, input: request.input as Record<string, unknown> },
      actor: request.actor,
      createdAt: this.#host.now(),
      status: 'active',
    };
    this.#appendStep(id, decision, [decision]);
    const key = `${id}#${index}`;
    this.#host.services.stepResults.set(key, null);
    const before = context.sandbox?.headCommit ?? null;
    try {
      live.send({ type: 'plan.step' });
      const plan = await live.untilRest();
      const outcome = this.#host.services.stepResults.get(key);
      const after = live.snapshot().context;
      const last = outcome?.results.at(-1);
      if (outcome?.error) return { ok: false, planId: id, tool: request.tool, error: outcome.error, step: index, plan };
      if (!last) {
        // the step never ran here (the plan stopped, or another process took it over)
        return { ok: false, planId: id, tool: request.tool, error: { code: 'CANCELLED', message: `step ${index + 1} of ${plan.name} did not run: the plan is (${plan.phase}, ${plan.status})` }, step: index, plan };
      }
      if (!last.success) return { ok: false, planId: id, tool: request.tool, error: last.error, step: index, plan };
      const commit = after.sandbox?.headCommit ?? null;
      return { ok: true, planId: id, tool: request.tool, output: last.output, step: index, commit, wrote: commit !== before, plan };
    } finally {
      this.#host.services.stepResults.delete(key);
    }
  }

  // the step decision goes right after the last executed step; the list is written with the next snapshot
  #appendStep(id: string, step: Decision, decisions: Decision[]): void {
    const { memory, persistence } = this.#host;
    const list = memory.stepIds(id).map((decisionId, at) => ({ decisionId, title: memory.stepTitle(id, at) ?? '' }));
    list.push({ decisionId: step.id, title: step.title });
    memory.remember(id, decisions);
    memory.setSteps(id, list);
    persistence.record(id, { decisions });
  }

  async #refuse(id: string, request: CheckedCall, error: SerializedError): Promise<ToolCallResult> {
    const live = (await this.#host.live(id))!;
    const { value, context } = live.snapshot();
    this.#recordCall(id, context, request, { outcome: 'refused', success: false, code: error.code, durationMs: 0 });
    // a plan whose children run is not at rest until their agents finish them: answer with it as it stands
    const busy = planPosition(value as never, context).status === 'processing';
    const plan = busy ? await this.#host.readPlan(id) : await live.untilRest();
    return { ok: false, planId: id, tool: request.tool, error, step: null, plan };
  }

  // a call that is no step: a tool_call decision and a tool.called entry, in the plan's next batch
  #recordCall(id: string, context: PlanContext, request: CheckedCall, outcome: Pick<ToolCallPayload, 'outcome' | 'success' | 'code' | 'durationMs'>): void {
    const payload: ToolCallPayload = { tool: request.tool, input: request.input, ...outcome };
    const decision: Decision = {
      id: newId(),
      planId: id,
      parentId: context.decisionRootId,
      type: 'tool_call',
      title: `${outcome.outcome === 'read' ? 'read' : 'refused'}: ${stepTitle(request)}`,
      rationale: request.rationale ?? (outcome.outcome === 'read' ? `read with ${request.tool}` : `troupe refused the call (${outcome.code})`),
      payload,
      actor: request.actor,
      createdAt: this.#host.now(),
      status: 'active',
    };
    const entry: JournalEntry = {
      type: 'tool.called',
      phase: context.phase,
      data: { [outcome.outcome]: true, calls: [{ tool: request.tool, success: outcome.success, writes: false, durationMs: outcome.durationMs, ...(outcome.code ? { code: outcome.code } : {}) }] },
    };
    this.#host.memory.remember(id, [decision]);
    this.#host.persistence.record(id, { decisions: [decision], entries: [entry] });
  }

  async #toolContext(id: string, root: string, phase: PlanContext['phase'], scopes: string[] | undefined, env: Record<string, string>, options: { readOnly?: boolean; spawns?: SpawnRecorder; tool?: string }) {
    const { services } = this.#host;
    const paths = await services.pathGuard(root, scopes);
    const commands = await services.commandRunner(id, root, options.readOnly ? { readOnly: true } : {});
    const signal = new AbortController().signal;
    return {
      planId: id,
      phase,
      cwd: root,
      paths,
      env: services.commandEnv(env),
      signal,
      runCommand: (command: string, commandOptions: { timeoutMs?: number; tailBytes?: number } = {}) =>
        commands(command, { ...commandOptions, signal, log: { kind: 'read' as const, ...(options.tool ? { tool: options.tool } : {}) } }),
      ...(options.spawns ? { spawns: options.spawns } : {}),
    };
  }

  // the plan, alive, agent-driven and past strategize (a rollback may have left it queued: it opens again)
  async #openable(id: string, what: string): Promise<LivePlan> {
    const live = await this.#host.live(id);
    if (!live) {
      const record = await this.#host.readPlan(id);
      throw new PhaseGuardError(record.name, what, `the plan is ${record.status} (nothing leaves a terminal status)`, `troupe plan status ${record.name} shows how it ended`);
    }
    // its children run as long as their agents take: say so now rather than wait for them
    const now = live.snapshot();
    if (now.context.group && planPosition(now.value as never, now.context).status === 'processing') throw this.#notOpen(live, what);
    const record = await live.untilRest();
    const { context } = live.snapshot();
    if (record.phase === 'strategize') {
      throw new PhaseGuardError(record.name, what, `it has not strategized yet (${record.phase}, ${record.status})`, `run it first (plan_run, or troupe plan run ${record.name}): it then stays open for tool calls`);
    }
    if (!context.open) {
      throw new PhaseGuardError(record.name, what, 'it is not agent-driven: its steps come from its plan file', 'create a plan without strategy.steps to drive it one tool call at a time (docs/mcp.md)');
    }
    await this.reopen(id);
    return live;
  }

  #notOpen(live: LivePlan, what: string): PhaseGuardError {
    const { value, context } = live.snapshot();
    const { phase, status } = planPosition(value as never, context);
    const name = context.name;
    if (phase === 'execute' && status === 'waiting' && context.merge) {
      return new PhaseGuardError(name, what, 'it waits on merge conflicts of its subplans', `see them with plan_conflicts and settle each with plan_resolve (troupe plan conflicts ${name})`);
    }
    if (phase === 'execute' && status === 'processing') {
      return new PhaseGuardError(name, what, 'it is running a step or its subplans', context.group ? `wait for its children (subplan_wait); each child is finished with plan_finish (troupe plan finish <child>)` : 'wait for the call under way');
    }
    if (phase === 'execute' && status === 'failed') {
      return new PhaseGuardError(name, what, `execute failed (${context.error?.code ?? 'an error'})`, `see why with troupe plan status ${name} (plan_status); correct it (troupe plan correct ${name} --mode append|revert) or go back (troupe plan rollback ${name}, or plan_rollback)`);
    }
    return new PhaseGuardError(name, what, `it is no longer open for steps: it is (${phase}, ${status})`, phase === 'execute' ? undefined : `it was finished; to go on taking calls, roll it back to a checkpoint taken while it was open (troupe plan rollback ${name} --to <checkpoint>, or plan_rollback)`);
  }

  // the children started (at most maxParallel), open for their agents — or the parent at rest (a child failed)
  async #untilChildrenOpen(live: LivePlan, childIds: string[], maxParallel: number): Promise<Record<string, string>> {
    const deadline = Date.now() + CHILDREN_OPEN_MS;
    const expected = Math.min(childIds.length, maxParallel);
    for (;;) {
      const { context } = live.snapshot();
      const statuses = { ...Object.fromEntries(Object.entries(context.subplanStatuses).map(([childId, status]) => [childId, status.status])), ...Object.fromEntries(Object.entries(context.group?.statuses ?? {}).map(([childId, status]) => [childId, status.status])) };
      const running = childIds.filter((childId) => statuses[childId] === 'running');
      const open = await Promise.all(running.map((childId) => this.#host.readPlan(childId).then((record) => record.status !== 'processing' && record.phase !== 'strategize', () => false)));
      const settled = childIds.filter((childId) => statuses[childId] !== undefined && statuses[childId] !== 'pending' && statuses[childId] !== 'running').length;
      const position = planPosition(live.snapshot().value as never, context);
      if ((running.length + settled >= expected && open.every(Boolean)) || position.status !== 'processing' || Date.now() > deadline) return statuses;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  #callable(): string[] {
    return this.#host.tools.registry.names().filter((name) => !(name in NOT_CALLABLE));
  }

  // A call takes its place in its plan's queue in the order it arrived: the
  // lookups of refs run one after another, and each call is queued as soon as
  // its own lookup ends, so a slow lookup cannot let a later call overtake it.
  #inOrder<T>(ref: string, work: (id: string) => Promise<T>): Promise<T> {
    const queued = this.#arrivals.then(() => this.#host.resolve(ref)).then((id) => ({ done: this.#serial(id, () => work(id)) }));
    this.#arrivals = queued.catch(() => undefined);
    return queued.then(({ done }) => done);
  }

  #serial<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(id) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(work);
    this.#queues.set(id, next);
    void next.catch(() => {}).then(() => {
      if (this.#queues.get(id) === next) this.#queues.delete(id);
    });
    return next;
  }
}

interface CheckedCall {
  tool: string;
  input: unknown;
  rationale?: string;
  actor: string;
}

function checkCall(call: ToolCallRequest): CheckedCall {
  const issues = [];
  if (typeof call !== 'object' || call === null) throw new ValidationError([{ path: '', message: 'must be {tool, input, rationale?}' }], { subject: 'tool call' });
  if (typeof call.tool !== 'string' || call.tool === '') issues.push({ path: 'tool', message: 'must be a tool name such as fs/write-file' });
  if (call.rationale !== undefined && typeof call.rationale !== 'string') issues.push({ path: 'rationale', message: 'must be text' });
  if (call.actor !== undefined && (typeof call.actor !== 'string' || call.actor.length > 200)) issues.push({ path: 'actor', message: 'must be a name of at most 200 characters' });
  if (issues.length > 0) throw new ValidationError(issues, { subject: 'tool call' });
  return { tool: call.tool, input: call.input ?? {}, ...(call.rationale === undefined ? {} : { rationale: call.rationale.slice(0, 4000) }), actor: call.actor ?? 'agent' };
}

// "fs/write-file src/a.ts", "shell/exec npm test": what the call is about, in a line
function stepTitle(call: CheckedCall): string {
  const input = (typeof call.input === 'object' && call.input !== null ? call.input : {}) as Record<string, unknown>;
  const about = typeof input.path === 'string' ? input.path : typeof input.command === 'string' ? input.command : '';
  // a title goes into the step's commit message and onto terminals: one line, no control characters
  const line = `${call.tool}${about ? ` ${about}` : ''}`.replace(/[\s\u0000-\u001f\u007f-\u009f]+/g, ' ');
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

