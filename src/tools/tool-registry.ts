import { z } from 'zod';
import { TroupeError, ValidationError, didYouMean } from '../domain/index.js';
import { BUILT_IN_TOOLS } from './builtins/index.js';
import { assertToolSpec } from './define-tool.js';
import type { AnyToolSpec } from './types.js';

/** A JSON Schema document (draft 2020-12) as produced by `z.toJSONSchema`. */
export type JsonSchema = Record<string, unknown>;

/**
 * The tools a runtime knows, by name. Names are unique: registering a
 * second tool under a taken name is refused rather than shadowing the first.
 *
 * @example
 * const registry = new ToolRegistry();
 * registry.register(greet);
 * registry.jsonSchema('acme/greet'); // { type: 'object', properties: { who: … }, … }
 */
export class ToolRegistry {
  readonly #tools = new Map<string, AnyToolSpec>();
  readonly #schemas = new Map<string, string>();

  /** Add a tool. Throws `VALIDATION_ERROR` for a bad definition or a name already taken. */
  register(tool: AnyToolSpec): this {
    assertToolSpec(tool);
    if (this.#tools.has(tool.name)) {
      throw new ValidationError([{ path: 'name', message: `a tool named "${tool.name}" is already registered` }], {
        subject: `tool "${tool.name}"`,
        hint: 'give a custom tool its own namespace, e.g. acme/write-file',
      });
    }
    this.#tools.set(tool.name, tool);
    return this;
  }

  /** The tool called `name`, or undefined. */
  get(name: string): AnyToolSpec | undefined {
    return this.#tools.get(name);
  }

  /** Whether a tool called `name` is registered. */
  has(name: string): boolean {
    return this.#tools.has(name);
  }

  /** Every tool, sorted by name. */
  list(): AnyToolSpec[] {
    return [...this.#tools.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Every tool name, sorted. */
  names(): string[] {
    return this.list().map((tool) => tool.name);
  }

  /**
   * The JSON Schema of a tool's input, for LLM actors. It describes what a
   * caller may send (zod's `input` side: fields with defaults are optional)
   * and is the same, key for key, on every call. Types JSON Schema cannot
   * express (dates, transforms' outputs) come out as `{}` (anything).
   * Throws `VALIDATION_ERROR` for an unknown tool.
   */
  jsonSchema(name: string): JsonSchema {
    let text = this.#schemas.get(name);
    if (text === undefined) {
      const tool = this.#tools.get(name);
      if (tool === undefined) throw new TroupeError('VALIDATION_ERROR', unknownToolMessage(name, this.names()));
      text = JSON.stringify(z.toJSONSchema(tool.input, { io: 'input', unrepresentable: 'any' }));
      this.#schemas.set(name, text);
    }
    // a fresh copy each time: callers may annotate it without changing the next answer.
    return JSON.parse(text) as JsonSchema;
  }
}

/**
 * A registry holding the built-in tools (SPEC §7) and then `extra`.
 * A custom tool may not reuse a built-in's name.
 *
 * @example
 * const registry = createToolRegistry([greet]);
 * registry.has('fs/read-file'); // true
 */
export function createToolRegistry(extra: readonly AnyToolSpec[] = []): ToolRegistry {
  const registry = new ToolRegistry();
  for (const tool of BUILT_IN_TOOLS) registry.register(tool);
  for (const tool of extra) registry.register(tool);
  return registry;
}

/** `unknown tool "x" (known: a, b)`, with a hostile name cut short. */
export function unknownToolMessage(name: string, known: readonly string[]): string {
  const shown = name.length > 100 ? `${name.slice(0, 100)}…` : name;
  return `unknown tool ${JSON.stringify(shown)} (known: ${known.join(', ') || 'none'})${didYouMean(name, known)}`;
}
