// What troupe says to a model and what it answers, in troupe's own
// words rather than a provider's: the conversation a plan's model sees, one
// call's answer with its cost, and the totals `plan status` and `plan
// explain` show. The model port (src/models) turns these into a provider's.
import { z } from 'zod';
import type { Decision, ModelCallPayload } from './decisions.js';

/**
 * A tool call a model asked for: its id (the provider's), the tool's name, its input; `invalid` says why it cannot run (not JSON).
 *
 * @example
 * const call: ModelToolCall = { id: 'call_1', name: 'write_file', input: { path: 'NOTES.md', content: '# Notes\n' } };
 */
export interface ModelToolCall {
  id: string;
  name: string;
  input: unknown;
  invalid?: string;
}

/** What one tool call answered, as the model reads it. */
export interface ModelToolResult {
  id: string;
  name: string;
  text: string;
  isError: boolean;
}

/**
 * One message of a plan's conversation with its model: troupe's words
 * (`user`), the model's answer with the tool calls it asked for
 * (`assistant`), or what those calls answered (`tool`).
 *
 * @example
 * const messages: ConversationMessage[] = [
 *   { role: 'user', text: 'Goal: add a README' },
 *   { role: 'assistant', text: 'I will write it.', toolCalls: [{ id: 'c1', name: 'write_file', input: { path: 'README.md', content: '# x\n' } }] },
 *   { role: 'tool', results: [{ id: 'c1', name: 'write_file', text: 'created README.md (4 bytes) — step 1', isError: false }] },
 * ];
 */
export type ConversationMessage =
  | { role: 'user'; text: string }
  | { role: 'assistant'; text: string; toolCalls: ModelToolCall[] }
  | { role: 'tool'; results: ModelToolResult[] };

/**
 * A tool as a model is offered it: its name, what it does, and its input as a JSON Schema.
 *
 * @example
 * const tool: ModelToolSpec = { name: 'read_file', description: 'Read a file', inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } };
 */
export interface ModelToolSpec {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

/**
 * One call of a model: the instructions, the conversation so far and the tools it may ask for.
 *
 * @example
 * const request: ModelRequest = { system: 'You change code.', messages: [{ role: 'user', text: 'Goal: add NOTES.md' }], tools: [] };
 * const turn = await context.model!(request); // in a custom strategist
 */
export interface ModelRequest {
  system: string;
  messages: ConversationMessage[];
  tools: ModelToolSpec[];
}

/**
 * Tokens one call used (0 when the provider does not say).
 *
 * @example
 * const usage: TokenUsage = turn.usage;
 * console.log(usage.inputTokens, usage.outputTokens);
 */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

/**
 * A model's answer to one call: its text, the tool calls it asked for (none:
 * it is done), what it cost, and how many attempts it took (a 429 or a 5xx
 * is tried again).
 *
 * @example
 * const turn: ModelTurn = await models.call(request, { planId, agent, signal });
 * if (turn.toolCalls.length === 0) console.log('done:', turn.text);
 */
export interface ModelTurn {
  model: string;
  text: string;
  toolCalls: ModelToolCall[];
  usage: TokenUsage;
  latencyMs: number;
  finishReason: string;
  attempts: number;
}

/**
 * What a plan's model calls cost so far (`plan status`, `plan explain`):
 * every call, a discarded one too (it was paid for).
 *
 * @example
 * const usage: ModelUsage = modelUsageOf(await store.listDecisions(planId));
 * console.log(`${usage.calls} calls, ${usage.inputTokens} in / ${usage.outputTokens} out tokens`);
 */
export interface ModelUsage extends TokenUsage {
  calls: number;
  latencyMs: number;
  /** The models called, in the order first called. */
  models: string[];
}

/** The stored shape of {@link ModelUsage} (the plan record's `models`). */
export const modelUsageSchema = z.object({
  calls: z.number().int().nonnegative(),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  totalTokens: z.number().int().nonnegative(),
  latencyMs: z.number().nonnegative(),
  models: z.array(z.string()),
});

/** The totals of the `model_call` decisions among `decisions`; null when the plan called no model. */
export function modelUsageOf(decisions: readonly Decision[]): ModelUsage | null {
  let usage: ModelUsage | null = null;
  for (const decision of decisions)
    if (decision.type === 'model_call') usage = withModelCall(usage, decision.payload as Partial<ModelCallPayload>);
  return usage;
}

/**
 * `usage` with one more call counted (a new object: records are frozen).
 *
 * @example
 * withModelCall(null, { model: 'openai:gpt-4.1', inputTokens: 10, outputTokens: 2, totalTokens: 12, latencyMs: 800 }).calls; // 1
 */
export function withModelCall(
  usage: ModelUsage | null,
  call: Partial<Pick<ModelCallPayload, 'model' | 'inputTokens' | 'outputTokens' | 'totalTokens' | 'latencyMs'>>,
): ModelUsage {
  const models = usage?.models ?? [];
  return {
    calls: (usage?.calls ?? 0) + 1,
    inputTokens: (usage?.inputTokens ?? 0) + (call.inputTokens ?? 0),
    outputTokens: (usage?.outputTokens ?? 0) + (call.outputTokens ?? 0),
    totalTokens: (usage?.totalTokens ?? 0) + (call.totalTokens ?? 0),
    latencyMs: (usage?.latencyMs ?? 0) + (call.latencyMs ?? 0),
    models: call.model && !models.includes(call.model) ? [...models, call.model] : models,
  };
}

/** The most of a tool's answer a model is given (and journaled): longer answers are cut with a note saying how to read the rest. */
export const MODEL_RESULT_CHARS = 32_000;

/**
 * `text` cut to {@link MODEL_RESULT_CHARS}, with a line saying so: a model's
 * context is small next to a file troupe may read.
 *
 * @example
 * boundedResult('x'.repeat(40_000)).endsWith('read a smaller part (read_file offset and limit, a narrower search)]'); // true
 */
export function boundedResult(text: string): string {
  if (text.length <= MODEL_RESULT_CHARS) return text;
  return `${text.slice(0, MODEL_RESULT_CHARS)}\n[cut: ${text.length - MODEL_RESULT_CHARS} more characters — read a smaller part (read_file offset and limit, a narrower search)]`;
}

/**
 * The `model_call` decision of one call: its title names the tools asked for
 * (or that the model is done), its rationale is the model's text.
 */
export function modelCallDecision(
  turn: ModelTurn,
  at: {
    id: string;
    planId: string;
    parentId: string | null;
    purpose: ModelCallPayload['purpose'];
    call: number;
    actor: string;
    createdAt: string;
  },
): Decision {
  const payload: ModelCallPayload = {
    model: turn.model,
    purpose: at.purpose,
    call: at.call,
    toolCalls: turn.toolCalls.map(({ id, name, input, invalid }) => ({
      id,
      name,
      input,
      ...(invalid === undefined ? {} : { invalid }),
    })),
    inputTokens: turn.usage.inputTokens,
    outputTokens: turn.usage.outputTokens,
    totalTokens: turn.usage.totalTokens,
    latencyMs: turn.latencyMs,
    finishReason: turn.finishReason,
    attempts: turn.attempts,
  };
  const asked = turn.toolCalls.length === 0 ? 'done' : [...new Set(turn.toolCalls.map((call) => call.name))].join(', ');
  return {
    id: at.id,
    planId: at.planId,
    parentId: at.parentId,
    type: 'model_call',
    title: `${at.purpose === 'strategize' ? 'strategy' : 'model'} call ${at.call}: ${asked}`.slice(0, 200),
    rationale: turn.text,
    payload,
    actor: at.actor,
    createdAt: at.createdAt,
    status: 'active',
  };
}

/** The `model.called` journal entry of a call recorded as `decision`: who, what it asked for, what it cost. */
export function modelCalledData(decision: Decision): Record<string, unknown> {
  const payload = decision.payload as ModelCallPayload;
  return {
    decisionId: decision.id,
    model: payload.model,
    purpose: payload.purpose,
    call: payload.call,
    tools: payload.toolCalls.map((call) => call.name),
    inputTokens: payload.inputTokens,
    outputTokens: payload.outputTokens,
    latencyMs: payload.latencyMs,
    finishReason: payload.finishReason,
    attempts: payload.attempts,
  };
}
