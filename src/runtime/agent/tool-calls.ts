// One tool call on an agent-driven plan (SPEC §16): a tool that writes becomes the plan's next
// step, a read runs at once and is recorded as a tool_call decision, and a call troupe refuses
// is recorded and changes nothing else.
import { planPosition, type PlanContext } from '../../../machines/index.js';
import {
  PhaseGuardError,
  ValidationError,
  newId,
  type Decision,
  type JournalEntry,
  type SerializedError,
  type ToolCallPayload,
} from '../../domain/index.js';
import type { LivePlan } from '../checkpoints/index.js';
import { appendStep, toolContext, type AgentHost } from './agent-host.js';
import type { ToolCallRequest, ToolCallResult } from './agent-api.js';
import { notOpen, openablePlan } from './open-plans.js';

// tools an agent reaches through their own calls, not as a step's tool
const NOT_CALLABLE: Record<string, string> = {
  'builtin/plan-subplan': 'child plans are spawned with subplan_spawn (runtime.spawnSubplans)',
  'system/create-checkpoint': 'checkpoints are taken with checkpoint_create (runtime.createCheckpoint)',
  'service/capture': 'what a service wrote is kept by service_stop, or by the next step (runtime.stopService)',
};

/** A tool call as {@link checkCall} let it through: an input (`{}` when none) and an actor (`agent` when none). */
export interface CheckedCall {
  tool: string;
  input: unknown;
  rationale?: string;
  actor: string;
  call?: string;
}

/** The call, checked for its shape before it is queued; `VALIDATION_ERROR` (nothing recorded) for a malformed one. */
export function checkCall(call: ToolCallRequest): CheckedCall {
  const issues = [];
  if (typeof call !== 'object' || call === null)
    throw new ValidationError([{ path: '', message: 'must be {tool, input, rationale?}' }], { subject: 'tool call' });
  if (typeof call.tool !== 'string' || call.tool === '')
    issues.push({ path: 'tool', message: 'must be a tool name such as fs/write-file' });
  if (call.rationale !== undefined && typeof call.rationale !== 'string')
    issues.push({ path: 'rationale', message: 'must be text' });
  if (call.actor !== undefined && (typeof call.actor !== 'string' || call.actor.length > 200))
    issues.push({ path: 'actor', message: 'must be a name of at most 200 characters' });
  if (call.callId !== undefined && (typeof call.callId !== 'string' || call.callId.length > 200))
    issues.push({ path: 'callId', message: 'must be an id of at most 200 characters' });
  if (issues.length > 0) throw new ValidationError(issues, { subject: 'tool call' });
  return {
    tool: call.tool,
    input: call.input ?? {},
    ...(call.rationale === undefined ? {} : { rationale: call.rationale.slice(0, 4000) }),
    actor: call.actor ?? 'agent',
    ...(call.callId === undefined ? {} : { call: call.callId }),
  };
}

/**
 * Take one checked call on the plan `id`, in its turn: an unknown tool or a
 * phase rule's refusal is recorded as a refused call, a read runs at once,
 * anything that may write becomes the next step.
 */
export async function takeToolCall(host: AgentHost, id: string, request: CheckedCall): Promise<ToolCallResult> {
  try {
    const live = await openablePlan(host, id, 'take a tool call on');
    const tool = host.tools.registry.get(request.tool);
    const notCallable = NOT_CALLABLE[request.tool];
    if (!tool || notCallable) {
      const message = notCallable
        ? `${request.tool} is not called as a tool here: ${notCallable}`
        : `unknown tool "${request.tool}"`;
      return await refuseCall(host, id, request, {
        code: 'VALIDATION_ERROR',
        message,
        hint: `the tools are: ${callable(host).join(', ')}`,
      });
    }
    if (!host.tools.writes(request.tool)) return await readCall(host, id, live, request);
    return await stepCall(host, id, live, request);
  } catch (error) {
    return guarded(host, id, request, error);
  }
}

// a call a phase rule refused on a live agent-driven plan (its children run, it was finished): recorded like any refusal
async function guarded(host: AgentHost, id: string, request: CheckedCall, error: unknown): Promise<ToolCallResult> {
  if (!(error instanceof PhaseGuardError)) throw error;
  const live = await host.live(id);
  const context = live?.snapshot().context;
  if (!context?.open || context.decisionRootId === null) throw error;
  return refuseCall(host, id, request, error.toJSON());
}

// a read: run at once in the sandbox, recorded as a tool_call decision (no step, commit or checkpoint)
async function readCall(host: AgentHost, id: string, live: LivePlan, request: CheckedCall): Promise<ToolCallResult> {
  const { context } = live.snapshot();
  const spec = await host.services.readSpec(id);
  const root = host.services.sandboxes.pathOf(context.sandbox!);
  const started = performance.now();
  const result = await host.tools.run(
    request.tool,
    request.input,
    await toolContext(host, id, root, context.phase, spec.resourceScopes, spec.env, {
      readOnly: true,
      tool: request.tool,
    }),
  );
  const durationMs = Math.round(performance.now() - started);
  recordCall(host, id, context, request, {
    outcome: 'read',
    success: result.success,
    durationMs,
    ...(result.success ? {} : { code: result.error.code }),
  });
  const plan = await live.untilRest();
  if (!result.success) return { ok: false, planId: id, tool: request.tool, error: result.error, step: null, plan };
  return {
    ok: true,
    planId: id,
    tool: request.tool,
    output: result.output,
    step: null,
    read: null,
    commit: context.sandbox?.headCommit ?? null,
    wrote: false,
    plan,
  };
}

/** A call that may write: the plan's next step (also the step that keeps what a service wrote, `service/capture`). */
export async function stepCall(
  host: AgentHost,
  id: string,
  live: LivePlan,
  request: CheckedCall,
): Promise<ToolCallResult> {
  if (!live.can({ type: 'plan.step' })) throw notOpen(live, 'take a step on');
  const { context } = live.snapshot();
  const spec = await host.services.readSpec(id);
  // what can be judged without running it: refused before it becomes a step
  const problems = host.tools.check(request.tool, request.input, {
    ...(spec.resourceScopes ? { scopes: spec.resourceScopes } : {}),
  });
  if (problems.length > 0) {
    const first = problems[0]!;
    return refuseCall(host, id, request, {
      code: first.code as SerializedError['code'],
      message: `${request.tool}: ${problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ')}`,
      details: { issues: problems.map(({ path, message }) => ({ path, message })) },
      ...(first.code === 'SCOPE_VIOLATION'
        ? { hint: `the plan may write only ${spec.resourceScopes?.join(', ') || 'nothing'} (resourceScopes)` }
        : {}),
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
    payload: {
      index,
      tool: request.tool,
      input: request.input as Record<string, unknown>,
      ...(request.call === undefined ? {} : { call: request.call }),
    },
    actor: request.actor,
    createdAt: host.now(),
    status: 'active',
  };
  appendStep(host, id, decision, [decision]);
  const key = `${id}#${index}`;
  host.services.stepResults.set(key, null);
  const before = context.sandbox?.headCommit ?? null;
  const readsBefore = context.reads ?? 0;
  try {
    live.send({ type: 'plan.step' });
    const plan = await live.untilRest();
    const outcome = host.services.stepResults.get(key);
    const after = live.snapshot().context;
    const last = outcome?.results.at(-1);
    if (outcome?.error) return { ok: false, planId: id, tool: request.tool, error: outcome.error, step: index, plan };
    if (!last) {
      // the step never ran here (the plan stopped, or another process took it over)
      return {
        ok: false,
        planId: id,
        tool: request.tool,
        error: {
          code: 'CANCELLED',
          message: `step ${index + 1} of ${plan.name} did not run: the plan is (${plan.phase}, ${plan.status})`,
        },
        step: index,
        plan,
      };
    }
    // it changed nothing: the plan took the step back and recorded it as its next read
    const read = (after.reads ?? 0) > readsBefore && after.lastCompletedStep !== index ? (after.reads ?? 0) : null;
    if (!last.success)
      return { ok: false, planId: id, tool: request.tool, error: last.error, step: read === null ? index : null, plan };
    const commit = after.sandbox?.headCommit ?? null;
    if (read !== null)
      return {
        ok: true,
        planId: id,
        tool: request.tool,
        output: last.output,
        step: null,
        read,
        commit,
        wrote: false,
        plan,
      };
    return {
      ok: true,
      planId: id,
      tool: request.tool,
      output: last.output,
      step: index,
      read: null,
      commit,
      wrote: commit !== before,
      plan,
    };
  } finally {
    host.services.stepResults.delete(key);
  }
}

async function refuseCall(
  host: AgentHost,
  id: string,
  request: CheckedCall,
  error: SerializedError,
): Promise<ToolCallResult> {
  const live = (await host.live(id))!;
  const { value, context } = live.snapshot();
  recordCall(host, id, context, request, { outcome: 'refused', success: false, code: error.code, durationMs: 0 });
  // a plan whose children run is not at rest until their agents finish them: answer with it as it stands
  const busy = planPosition(value as never, context).status === 'processing';
  const plan = busy ? await host.readPlan(id) : await live.untilRest();
  return { ok: false, planId: id, tool: request.tool, error, step: null, plan };
}

// a call that is no step: a tool_call decision and a tool.called entry, in the plan's next batch
function recordCall(
  host: AgentHost,
  id: string,
  context: PlanContext,
  request: CheckedCall,
  outcome: Pick<ToolCallPayload, 'outcome' | 'success' | 'code' | 'durationMs'>,
): void {
  const payload: ToolCallPayload = {
    tool: request.tool,
    input: request.input,
    ...outcome,
    ...(request.call === undefined ? {} : { call: request.call }),
  };
  const decision: Decision = {
    id: newId(),
    planId: id,
    parentId: context.decisionRootId,
    type: 'tool_call',
    title: `${outcome.outcome === 'read' ? 'read' : 'refused'}: ${stepTitle(request)}`,
    rationale:
      request.rationale ??
      (outcome.outcome === 'read' ? `read with ${request.tool}` : `troupe refused the call (${outcome.code})`),
    payload,
    actor: request.actor,
    createdAt: host.now(),
    status: 'active',
  };
  const entry: JournalEntry = {
    type: 'tool.called',
    phase: context.phase,
    data: {
      [outcome.outcome]: true,
      calls: [
        {
          tool: request.tool,
          success: outcome.success,
          writes: false,
          durationMs: outcome.durationMs,
          ...(outcome.code ? { code: outcome.code } : {}),
        },
      ],
    },
  };
  host.memory.remember(id, [decision]);
  host.persistence.record(id, { decisions: [decision], entries: [entry] });
}

function callable(host: AgentHost): string[] {
  return host.tools.registry.names().filter((name) => !(name in NOT_CALLABLE));
}

// "fs/write-file src/a.ts", "shell/exec npm test": what the call is about, in a line
function stepTitle(call: CheckedCall): string {
  const input = (typeof call.input === 'object' && call.input !== null ? call.input : {}) as Record<string, unknown>;
  const about =
    typeof input.path === 'string'
      ? input.path
      : typeof input.command === 'string'
        ? input.command
        : typeof input.name === 'string'
          ? input.name
          : '';
  // a title goes into the step's commit message and onto terminals: one line, no control characters
  const line = `${call.tool}${about ? ` ${about}` : ''}`.replace(/[\s\u0000-\u001f\u007f-\u009f]+/g, ' ');
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
