import { z } from 'zod';
import { ERROR_CODES, asTroupeError, planRecordSchema, type SerializedError } from '../domain/index.js';

/** What an MCP tool answers: a short text for people and models, and the same as structured content. */
export interface McpToolAnswer<T = Record<string, unknown>> {
  text: string;
  structured: T;
}

/** A troupe error as structured content (SPEC §12): its stable code, message, hint and details. */
export const serializedErrorSchema = z.looseObject({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  hint: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});

/**
 * The structured content of a result with `isError`: the error, and for a
 * tool call troupe refused on an open plan, the step it would have been
 * (counted from 1, null for a read) and the plan, still open.
 */
export const toolErrorSchema = z.object({
  error: serializedErrorSchema,
  step: z.number().int().positive().nullable().optional(),
  plan: planRecordSchema.optional(),
});

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
