import type {
  ConversationMessage,
  Decision,
  JournalEvent,
  ModelCallPayload,
  ModelToolCall,
  ModelToolResult,
} from '../../domain/index.js';

/**
 * Where a plan's conversation with its model stands, as its records tell
 * it: the messages so far, the tool calls of the last answer that have not
 * run yet (with the answer's text, their rationale, and the results of
 * those of its calls that did), whether the model already said it is done,
 * and how many calls it made (in all, and since the last correction, which
 * `maxSteps` counts).
 */
export interface Conversation {
  messages: ConversationMessage[];
  pending: { calls: ModelToolCall[]; rationale: string; results: ModelToolResult[] } | null;
  /** The last answer asked for no tool: the model is done, and the plan is finished next. */
  done: boolean;
  /** Calls since the plan's last correction (a correction gives the model `maxSteps` more). */
  used: number;
  /** Every call the model made in execute, discarded ones included: the next one's number is this plus one. */
  made: number;
}

/**
 * The conversation of a model-driven plan rebuilt from what was recorded:
 * each active `model_call` decision of execute is the model's
 * answer (its rationale the text, its payload the tool calls), and each tool
 * call's answer is its `model.tool_result` journal entry. Nothing recorded is
 * run again: a call whose step or read exists but whose answer was lost with
 * the process is told so; one a rollback discarded is told it was undone;
 * only calls that never became anything are left pending, to run now.
 *
 * @example
 * const talk = conversationOf('Plan: demo/x\nGoal: …', await store.listDecisions(id), await store.readEvents(id));
 * if (talk.pending) for (const call of talk.pending.calls) await run(call);
 */
export function conversationOf(
  opening: string,
  decisions: readonly Decision[],
  events: readonly JournalEvent[],
): Conversation {
  const calls = decisions.filter(
    (decision) => decision.type === 'model_call' && (decision.payload as ModelCallPayload).purpose === 'execute',
  );
  const corrected = decisions.findLast((decision) => decision.type === 'correction' && decision.status === 'active');
  const active = calls.filter((decision) => decision.status === 'active');
  const answers = new Map<string, { text: string; isError: boolean }>();
  for (const event of events) {
    if (event.type !== 'model.tool_result') continue;
    const { call, text, isError } = event.data as { call?: unknown; text?: unknown; isError?: unknown };
    if (typeof call === 'string' && typeof text === 'string') answers.set(call, { text, isError: isError === true });
  }
  const ran = new Map<string, Decision>();
  for (const decision of decisions) {
    const call = (decision.payload as { call?: unknown }).call;
    if ((decision.type === 'step' || decision.type === 'tool_call') && typeof call === 'string')
      ran.set(call, decision);
  }
  const messages: ConversationMessage[] = [{ role: 'user', text: opening }];
  let pending: Conversation['pending'] = null;
  active.forEach((decision, at) => {
    const payload = decision.payload as ModelCallPayload;
    const toolCalls: ModelToolCall[] = payload.toolCalls.map(({ id, name, input, invalid }) => ({
      id,
      name,
      input,
      ...(invalid === undefined ? {} : { invalid }),
    }));
    messages.push({ role: 'assistant', text: decision.rationale, toolCalls });
    if (toolCalls.length === 0) return;
    const last = at === active.length - 1;
    const results: ModelToolResult[] = [];
    const waiting: ModelToolCall[] = [];
    for (const call of toolCalls) {
      const known = answers.get(call.id);
      const result = known ?? answerOfRecord(ran.get(call.id));
      if (result) results.push({ id: call.id, name: call.name, ...result });
      else if (last) waiting.push(call);
      else
        results.push({
          id: call.id,
          name: call.name,
          text: 'not run: troupe stopped before it; call it again if it is still needed',
          isError: true,
        });
    }
    if (waiting.length > 0) pending = { calls: waiting, rationale: decision.rationale, results };
    else messages.push({ role: 'tool', results });
  });
  const lastCall = active.at(-1);
  return {
    messages,
    pending,
    done: lastCall !== undefined && (lastCall.payload as ModelCallPayload).toolCalls.length === 0,
    used: active.filter((decision) => corrected === undefined || decision.id > corrected.id).length,
    made: calls.length,
  };
}

// a call recorded as a step or a read, whose answer went with the process that ran it
function answerOfRecord(decision: Decision | undefined): { text: string; isError: boolean } | null {
  if (!decision) return null;
  if (decision.status === 'discarded')
    return { text: 'undone: the plan was rolled back to before this call, and what it did is gone', isError: true };
  const { index, read, outcome, code } = decision.payload as {
    index?: unknown;
    read?: unknown;
    outcome?: unknown;
    code?: unknown;
  };
  if (outcome === 'refused')
    return {
      text: `error[${typeof code === 'string' ? code : 'VALIDATION_ERROR'}]: troupe refused this call (its full answer was lost in a restart: see troupe plan explain)`,
      isError: true,
    };
  const what =
    decision.type === 'step' && typeof index === 'number'
      ? `as step ${index + 1}`
      : typeof read === 'number'
        ? `as read ${read}`
        : 'as a read';
  return {
    text: `this call ran ${what} before troupe restarted, and its answer was not kept: look again at what you need`,
    isError: false,
  };
}
