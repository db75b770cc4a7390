import type { Decision, JournalEntry, ToolCallPayload } from '../../src/domain/index.js';
import type { StepOutcome } from './actor-io.js';
import { journal } from './journal.js';
import type { PlanContext } from './plan-context.js';
import { planSetup } from './plan-setup.js';

// An agent's call that changed nothing is a read, not a step: it
// ran as the plan's next step — its decision was written before it ran, so a
// crash re-runs it rather than losing it — and when it ends with nothing
// changed, that step is taken back: the step count and position stay, the
// decision is stored again as a numbered read, no checkpoint, no reconciliation.

type ReadOutcome = Extract<StepOutcome, { ok: true }> & { read: Decision };

/** The step that just ran was an agent's call that changed nothing: it is recorded as a read. */
export function isRead({ event }: { event: unknown }): boolean {
  const output = (event as { output?: StepOutcome }).output;
  return output?.ok === true && output.read !== undefined && output.changeset === null;
}

/**
 * The call's step decision as the read it turned out to be: a `tool_call`
 * decision with the same id (it replaces the step decision), numbered `read`.
 *
 * @example
 * const decision = readDecision(stepDecision, 3, outcome);
 * decision.title; // 'read 3: shell/exec git status'
 */
export function readDecision(step: Decision, read: number, outcome: Extract<StepOutcome, { ok: true }>): Decision {
  const payload = step.payload as { tool?: unknown; input?: unknown; call?: unknown };
  const failed = outcome.calls.find((call) => !call.success);
  const toolCall: ToolCallPayload = {
    tool: typeof payload.tool === 'string' ? payload.tool : (outcome.calls[0]?.tool ?? ''),
    input: payload.input ?? {},
    outcome: 'read',
    success: failed === undefined,
    ...(failed?.code ? { code: failed.code } : {}),
    durationMs: outcome.calls.reduce((sum, call) => sum + call.durationMs, 0),
    read,
    // the caller's id for the call goes with it (the id of a model's tool call)
    ...(typeof payload.call === 'string' ? { call: payload.call } : {}),
  };
  return { ...step, type: 'tool_call', title: `read ${read}: ${step.title}`, payload: toolCall };
}

/**
 * The actions of reads, for `setup`.
 *
 * @example
 * planSetup.extend({ actions: readActions }).createStateConfig({ invoke: { src: 'executeStep', onDone: { guard: 'isRead', actions: 'recordRead' } } });
 */
export const readActions = {
  /** Take the step back and record the read: its calls, `read.completed`, and its decision rewritten. */
  recordRead: planSetup.enqueueActions(({ context, event, enqueue }) => {
    const outcome = (event as unknown as { output: ReadOutcome }).output;
    const read = (context.reads ?? 0) + 1;
    const decision = readDecision(outcome.read, read, outcome);
    const calls: JournalEntry = { type: 'tool.called', phase: 'execute', data: { read, calls: outcome.calls } };
    // read.completed first: the runtime files the commands' logs of the step under the read when it sees it
    enqueue.emit(
      journal({
        type: 'read.completed',
        phase: 'execute',
        data: {
          read,
          step: outcome.index,
          decisionId: decision.id,
          title: outcome.read.title,
          tool: (decision.payload as ToolCallPayload).tool,
        },
      }),
    );
    enqueue.emit({ type: 'journal' as const, entry: calls });
    enqueue.emit({ type: 'read' as const, step: outcome.index, decision });
    enqueue.assign({
      stepCount: context.stepCount - 1,
      reads: read,
      toolCalls: context.toolCalls + outcome.calls.length,
      groupSteps: context.groupSteps.filter((index) => index !== outcome.index),
    } satisfies Partial<PlanContext>);
  }),
};
