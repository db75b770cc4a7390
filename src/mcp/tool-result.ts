import { asTroupeError, type SerializedError } from '../domain/index.js';

/** What an MCP tool answers: a short text for people and models, and the same as structured content. */
export interface McpToolAnswer {
  text: string;
  structured: Record<string, unknown>;
}

/** An MCP `CallToolResult` (the fields troupe uses). */
export interface CallToolResult {
  [key: string]: unknown;
  content: { type: 'text'; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

/**
 * A tool's answer as an MCP result: its text, and its structured content.
 *
 * @example
 * const result = toolResult({ text: 'created demo/x', structured: { plan: record } });
 */
export function toolResult(answer: McpToolAnswer): CallToolResult {
  return { content: [{ type: 'text', text: answer.text }], structuredContent: answer.structured };
}

/**
 * A troupe error as an MCP tool result (SPEC §16): `isError: true`, the text
 * `error[CODE]: message` and the hint, and the error as structured content —
 * never a protocol error, so a model reads it and can act on it.
 *
 * @example
 * return errorResult(new TroupeError('NOT_FOUND', 'no plan matches "demo/x"'));
 */
export function errorResult(error: unknown): CallToolResult {
  const troupe = asTroupeError(error);
  const serialized: SerializedError = troupe.toJSON();
  return errorResultOf(serialized);
}

/** A serialized troupe error (a tool call's `error`) as an MCP tool result. */
export function errorResultOf(error: SerializedError, extra: Record<string, unknown> = {}): CallToolResult {
  const lines = [`error[${error.code}]: ${error.message}`, ...(error.hint ? [`hint: ${error.hint}`] : [])];
  return { content: [{ type: 'text', text: lines.join('\n') }], structuredContent: { error, ...extra }, isError: true };
}
