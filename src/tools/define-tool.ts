import type { z } from 'zod';
import { ValidationError, toFieldIssues, toolNameSchema, type FieldIssue } from '../domain/index.js';
import { SIDE_EFFECTS, type SideEffect, type ToolContext, type ToolSpec } from './types.js';

/** What {@link defineTool} takes: a {@link ToolSpec} whose handler input is inferred from `input`. */
export interface ToolDefinition<S extends z.ZodType, O> {
  /** Namespaced, e.g. `fs/read-file` or `acme/deploy`. */
  name: string;
  /** One sentence for users and LLM actors: what the tool does. */
  description: string;
  input: S;
  sideEffects: readonly SideEffect[];
  handler(input: z.output<S>, context: ToolContext): Promise<O>;
}

/**
 * A tool, checked and frozen. The handler's input type is inferred from the
 * zod schema, and a bad definition (a name that is not namespaced, an
 * unknown side effect, no schema or handler) throws a `ValidationError`
 * here, when the tool is defined, not when a plan first calls it.
 *
 * @example
 * const greet = defineTool({
 *   name: 'acme/greet',
 *   description: 'Say hello to someone',
 *   input: z.strictObject({ who: z.string() }),
 *   sideEffects: [],
 *   handler: async ({ who }) => ({ greeting: `hello ${who}` }),
 * });
 */
export function defineTool<S extends z.ZodType, O>(definition: ToolDefinition<S, O>): ToolSpec<z.output<S>, O> {
  assertToolSpec(definition);
  return Object.freeze({
    name: definition.name,
    description: definition.description,
    input: definition.input as z.ZodType<z.output<S>>,
    sideEffects: Object.freeze([...definition.sideEffects]),
    handler: definition.handler,
  });
}

/**
 * Throw a `ValidationError` listing every problem with a tool definition.
 * The registry calls it too, for specs built without {@link defineTool}.
 */
export function assertToolSpec(spec: unknown): void {
  const issues = toolSpecIssues(spec);
  if (issues.length === 0) return;
  const name = isRecord(spec) && typeof spec['name'] === 'string' ? spec['name'] : '?';
  throw new ValidationError(issues, {
    subject: `tool "${name.slice(0, 100)}"`,
    hint: 'see defineTool in the embedding API docs',
  });
}

function toolSpecIssues(spec: unknown): FieldIssue[] {
  if (!isRecord(spec)) return [{ path: '', message: 'a tool must be an object made with defineTool' }];
  const issues: FieldIssue[] = [];
  const name = toolNameSchema.safeParse(spec['name']);
  if (!name.success) issues.push(...toFieldIssues(name.error.issues, spec['name'], 'name'));
  if (typeof spec['description'] !== 'string' || spec['description'].trim() === '') {
    issues.push({ path: 'description', message: 'must be a non-empty string' });
  }
  if (!isZodSchema(spec['input'])) issues.push({ path: 'input', message: 'must be a zod schema' });
  const sideEffects = spec['sideEffects'];
  if (!Array.isArray(sideEffects)) {
    issues.push({ path: 'sideEffects', message: `must be a list of ${SIDE_EFFECTS.join(', ')} (empty for none)` });
  } else {
    sideEffects.forEach((effect: unknown, index) => {
      if (!(SIDE_EFFECTS as readonly unknown[]).includes(effect)) {
        issues.push({ path: `sideEffects[${index}]`, message: `must be one of ${SIDE_EFFECTS.join(', ')}` });
      }
    });
  }
  if (typeof spec['handler'] !== 'function') issues.push({ path: 'handler', message: 'must be a function' });
  return issues;
}

// any zod 4 schema (classic or mini) carries `_zod`; classic ones also have safeParse, which the runner uses.
function isZodSchema(value: unknown): value is z.ZodType {
  return isRecord(value) && '_zod' in value && typeof value['safeParse'] === 'function';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
