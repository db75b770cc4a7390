import type { ModelMessage } from 'ai';
import type { ConversationMessage } from '../domain/index.js';

/**
 * A plan's conversation as the AI SDK's model messages: troupe's words as
 * user messages, the model's answers with their tool calls, and the calls'
 * results (an error as `error-text`, which providers mark as failed).
 *
 * @example
 * toModelMessages([{ role: 'user', text: 'Goal: add a README' }]); // [{ role: 'user', content: 'Goal: add a README' }]
 */
export function toModelMessages(messages: readonly ConversationMessage[]): ModelMessage[] {
  return messages.map((message): ModelMessage => {
    if (message.role === 'user') return { role: 'user', content: message.text };
    if (message.role === 'assistant') {
      return {
        role: 'assistant',
        content: [
          ...(message.text === '' ? [] : [{ type: 'text' as const, text: message.text }]),
          // a call the model malformed goes back as it came: its input as far as it parsed
          ...message.toolCalls.map((call) => ({
            type: 'tool-call' as const,
            toolCallId: call.id,
            toolName: call.name,
            input: isObject(call.input) ? call.input : {},
          })),
        ],
      };
    }
    return {
      role: 'tool',
      content: message.results.map((result) => ({
        type: 'tool-result' as const,
        toolCallId: result.id,
        toolName: result.name,
        output: result.isError
          ? { type: 'error-text' as const, value: result.text }
          : { type: 'text' as const, value: result.text },
      })),
    };
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
