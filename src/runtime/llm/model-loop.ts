import { planPosition } from '../../../machines/index.js';
import {
  PhaseGuardError,
  TroupeError,
  asTroupeError,
  modelCallDecision,
  modelCalledData,
  planBrief,
  sharesHostLoopback,
  type AgentSettings,
  type Phase,
  type PlanRecord,
  type PlanSpec,
} from '../../domain/index.js';
import type { LivePlan } from '../checkpoints/index.js';
import { conversationOf, type Conversation } from './conversation.js';
import { driveSystem } from './drive-prompt.js';
import type { ModelDriveHost } from './model-drive-host.js';
import { modelTools } from './model-tools.js';

/**
 * The LLM executor's loop on one open plan: the conversation is
 * rebuilt from what the plan recorded, tool calls the last answer left
 * pending run, and then model and tools take turns — each answer recorded
 * (`model_call` decision, `model.called` entry) before its calls run, each
 * call through the runtime's agent calls, each answer journaled
 * (`model.tool_result`). It ends when the model asks for no tool (the plan
 * is finished, driven on to `until` or as its automation says), when the
 * plan stops being open (an invariant broke, it was cancelled, its merge
 * waits on conflicts), or with the plan failed: `MODEL_STEP_LIMIT` at
 * `maxSteps` calls, `MODEL_UNAVAILABLE` when the provider does not answer.
 * Aborting `signal` stops it between calls (or the model call under way).
 */
export async function runModelLoop(
  host: ModelDriveHost,
  planId: string,
  options: { until?: Phase; signal: AbortSignal },
): Promise<PlanRecord> {
  const { signal } = options;
  const spec = await host.services.readSpec(planId);
  const agent = spec.agent!;
  // what this process recorded of the plan is in the store before the conversation is read from it
  await host.persistence.settled(planId);
  const talk = conversationOf(
    await opening(host, planId, spec),
    await host.store.listDecisions(planId),
    await host.store.readEvents(planId),
  );
  const tools = modelTools(host, planId, agent.model);
  const system = driveSystem(agent);
  const sharedLoopback = sharesHostLoopback(await host.services.sandboxPolicy(planId));
  for (;;) {
    const live = await host.live(planId);
    if (!live || !takesCalls(live) || signal.aborted) return host.readPlan(planId);
    if (talk.pending) {
      await runPending(host, planId, talk, tools.run, signal);
      continue;
    }
    if (talk.done) {
      // a plan that stopped being open meanwhile (a cancel, another agent's finish) is left as it is
      return host.agents.finish(planId, options.until ? { until: options.until } : {}).catch(async (error: unknown) => {
        if (error instanceof PhaseGuardError) return host.readPlan(planId);
        throw error;
      });
    }
    if (talk.used >= agent.maxSteps) {
      return failPlan(
        live,
        new TroupeError(
          'MODEL_STEP_LIMIT',
          `the model of ${spec.name} made its ${agent.maxSteps} call(s) (agent.maxSteps) without finishing`,
          {
            hint: `see what it did with troupe plan explain ${spec.name}; a correction gives it ${agent.maxSteps} more (troupe plan correct ${spec.name} --mode revert, or --mode append --step …), troupe plan rollback ${spec.name} goes back`,
            details: { maxSteps: agent.maxSteps },
          },
        ),
      );
    }
    const answered = await callModel(host, planId, agent, talk, { system, tools: tools.specs, sharedLoopback }, signal);
    if (answered instanceof TroupeError) return signal.aborted ? host.readPlan(planId) : failPlan(live, answered);
  }
}

type ModelTools = ReturnType<typeof modelTools>;

// the tool calls of the last answer that have not run, in order; each answer journaled as it comes
async function runPending(
  host: ModelDriveHost,
  planId: string,
  talk: Conversation,
  run: ModelTools['run'],
  signal: AbortSignal,
): Promise<void> {
  const pending = talk.pending!;
  while (pending.calls.length > 0 && !signal.aborted) {
    const call = pending.calls[0]!;
    const result = await run(call, pending.rationale);
    host.persistence.record(planId, {
      entries: [
        {
          type: 'model.tool_result',
          phase: 'execute',
          data: { call: call.id, tool: call.name, isError: result.isError, text: result.text },
        },
      ],
    });
    pending.results.push(result);
    pending.calls.shift();
    const live = await host.live(planId);
    // the plan stopped taking calls (an invariant broke, it was cancelled): the rest wait for it to open again
    if (!live || !takesCalls(live)) return;
  }
  if (pending.calls.length > 0) return;
  talk.messages.push({ role: 'tool', results: pending.results });
  talk.pending = null;
}

// one call of the model, recorded before anything it asked for runs; the error it ended with, if any
async function callModel(
  host: ModelDriveHost,
  planId: string,
  agent: AgentSettings,
  talk: Conversation,
  request: { system: string; tools: ModelTools['specs']; sharedLoopback: boolean },
  signal: AbortSignal,
): Promise<TroupeError | null> {
  let turn;
  try {
    const onText = host.services.liveText?.(planId, 'execute') ?? null;
    const { sharedLoopback } = request;
    turn = await host.services.models.call(
      { system: request.system, messages: talk.messages, tools: request.tools },
      { agent, signal, sharedLoopback, ...(onText ? { onText } : {}) },
    );
  } catch (error) {
    return asTroupeError(error);
  }
  const live = await host.live(planId);
  const decision = modelCallDecision(turn, {
    id: host.services.newId(),
    planId,
    parentId: live?.snapshot().context.decisionRootId ?? null,
    purpose: 'execute',
    call: talk.made + 1,
    actor: agent.model,
    createdAt: host.services.now(),
  });
  host.services.record!(planId, {
    decisions: [decision],
    entries: [{ type: 'model.called', phase: 'execute', data: modelCalledData(decision) }],
  });
  // what the model asked for is on disk before any of it runs: a crash then resumes from here
  await host.persistence.written(planId);
  talk.messages.push({ role: 'assistant', text: turn.text, toolCalls: turn.toolCalls });
  talk.made += 1;
  talk.used += 1;
  if (turn.toolCalls.length === 0) talk.done = true;
  else talk.pending = { calls: [...turn.toolCalls], rationale: turn.text, results: [] };
  return null;
}

/** Whether an open plan takes its agent's calls now, or is about to (its children run): in execute, open, not waiting on conflicts. */
export function takesCalls(live: LivePlan): boolean {
  const { value, context } = live.snapshot();
  const { phase, status } = planPosition(value as never, context);
  return (
    context.open && phase === 'execute' && (status === 'waiting' || status === 'processing') && context.merge === null
  );
}

async function failPlan(live: LivePlan, error: TroupeError): Promise<PlanRecord> {
  const event = { type: 'plan.fail' as const, error: error.toJSON() };
  // a plan whose children run fails once they ended and it is open again
  if (!live.can(event)) await live.untilRest();
  if (live.can(event)) live.send(event);
  return live.untilRest();
}

// the plan's brief: goal, scopes, invariants, validate; a child's parent as its contextView lets it know
async function opening(host: ModelDriveHost, planId: string, spec: PlanSpec): Promise<string> {
  const [invariants, live] = await Promise.all([host.services.invariantsOf(planId), host.live(planId)]);
  const child = live?.snapshot().context.child ?? null;
  const parent = child && child.contextView !== 'none' ? await host.readPlan(child.parentId) : null;
  const brief = planBrief(
    spec,
    spec.reconciliation ? invariants : [],
    parent ? { parent: { name: parent.name, goal: parent.goal, decisions: [] } } : {},
  );
  return `${brief}\n\nWork towards the goal with your tools; answer without a tool call when it is reached.`;
}
