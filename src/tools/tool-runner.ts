import type { z } from 'zod';
import {
  compileGlobs,
  TroupeError,
  ValidationError,
  normalizeRelativePath,
  toFieldIssues,
  unsafePathProblem,
  type FieldIssue,
} from '../domain/index.js';
import { applyPatchTool, deleteFileTool, writeFileTool } from './builtins/index.js';
import { writtenPaths } from './written-paths.js';
import { createToolRegistry, unknownToolMessage, type ToolRegistry } from './tool-registry.js';
import {
  WRITE_SIDE_EFFECTS,
  type AnyToolSpec,
  type SideEffect,
  type ToolContext,
  type ToolProblem,
  type ToolResult,
} from './types.js';

/** Where {@link ToolRunner.check} looks: the plan's scopes and where the step sits in the plan file. */
export interface ToolCheckOptions {
  /** The plan's resourceScopes; none (or empty) means the plan may write anywhere. */
  scopes?: readonly string[];
  /**
   * The field path of the step in the plan file, e.g. `strategy.steps[0]`.
   * Problems are reported at `<pathPrefix>.tool` and `<pathPrefix>.input.<field>`
   * (`tool` and `input.<field>` without a prefix, as `run` reports them).
   */
  pathPrefix?: string;
}

// a hostile input can have thousands of problems; a message lists the first few
const MAX_ISSUES_SHOWN = 20;

const WRITE_VERBS: Partial<Record<SideEffect, string>> = { exec: 'runs commands', fs_write: 'writes files' };

// tools a step reaches another way than by name
const NOT_A_STEP: ReadonlySet<string> = new Set(['builtin/plan-subplan', 'service/capture']);

/**
 * Every tool call goes through a ToolRunner (SPEC §7). `run` validates the
 * input, refuses a tool that changes the sandbox outside execute, counts the
 * call and answers with a {@link ToolResult}: it never throws, whatever the
 * tool name, input or handler does. `check` is the same judgement made
 * statically when a plan file is created, before any sandbox exists.
 *
 * @example
 * const runner = new ToolRunner(createToolRegistry());
 * const result = await runner.run('fs/read-file', { path: 'README.md' }, context);
 * if (!result.success) console.log(result.error.code, result.error.message);
 */
export class ToolRunner {
  readonly registry: ToolRegistry;
  #calls = 0;
  readonly #byTool = new Map<string, number>();

  constructor(registry: ToolRegistry = createToolRegistry()) {
    this.registry = registry;
  }

  /**
   * How many calls `run` has answered, refused ones included: an actor that
   * keeps calling unknown tools or writing in strategize is still busy, and
   * the plan record's `toolCalls` should show it.
   */
  get calls(): number {
    return this.#calls;
  }

  /**
   * Calls per registered tool, refused ones included, keys sorted. Calls to
   * unknown names count only in {@link calls}, so a caller cannot grow this
   * map with made-up names.
   */
  callsByTool(): Record<string, number> {
    return Object.fromEntries([...this.#byTool.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /**
   * The tools a plan's step may call, as a model reads them: each name, its
   * description and its input as a JSON Schema, sorted by name. Tools a step
   * reaches another way are left out (`builtin/plan-subplan`: a `subplans`
   * step; `service/capture`: troupe's own).
   *
   * @example
   * runner.catalog().find((tool) => tool.name === 'fs/write-file')?.inputSchema; // { type: 'object', properties: { path: …, content: … }, … }
   */
  catalog(): { name: string; description: string; inputSchema: Record<string, unknown> }[] {
    return this.registry
      .list()
      .filter((tool) => !NOT_A_STEP.has(tool.name))
      .map((tool) => ({
        name: tool.name,
        description: tool.description,
        inputSchema: this.registry.jsonSchema(tool.name),
      }));
  }

  /**
   * Whether everything a tool writes goes through the plan's path guard
   * first: troupe's own `fs/write-file`, `fs/delete-file` and `fs/apply-patch`, which check
   * each path against the scopes before they touch it and run no command.
   * A plugin's tool or a command may write anything, anywhere.
   */
  writesOnlyGuarded(name: string): boolean {
    const tool = this.registry.get(name);
    return tool === writeFileTool || tool === deleteFileTool || tool === applyPatchTool;
  }

  /**
   * Whether a tool may change the sandbox: it declares `fs_write` or `exec`.
   * An unknown tool counts as writing, so a caller that skips work for
   * read-only tools never skips it by mistake.
   */
  writes(name: string): boolean {
    const tool = this.registry.get(name);
    return tool === undefined || writesTo(tool).length > 0;
  }

  /**
   * Call a tool. Failures come back as `{success: false, error}`:
   * `VALIDATION_ERROR` (unknown tool, bad input, naming the field),
   * `READ_ONLY_PHASE` (a write tool outside execute, refused before its
   * handler runs), `CANCELLED` (signal already aborted), a `TroupeError`'s
   * own code from the handler (`SANDBOX_ESCAPE`, `TIMEOUT`…), and
   * `TOOL_FAILED` for anything else the handler throws.
   */
  async run(name: string, input: unknown, context: ToolContext): Promise<ToolResult> {
    this.#calls += 1;
    try {
      return await this.#run(name, input, context);
    } catch (error) {
      return failureOf(error, name);
    }
  }

  /**
   * The problems a step would run into that can be seen without a sandbox:
   * an unknown tool and input that does not match its schema
   * (`VALIDATION_ERROR`), an unsafe literal `path` (`SANDBOX_ESCAPE`) and,
   * for a tool that changes the sandbox, a `path` outside `scopes`
   * (`SCOPE_VIOLATION`) — for `fs/apply-patch`, each file its `patch` names,
   * and a patch that is not a unified diff (`VALIDATION_ERROR`). Empty when the step looks fine; symlinks are only
   * caught at run time. Does not count as a call and never throws.
   *
   * @example
   * runner.check('fs/write-file', { path: '../x', content: '' }, { pathPrefix: 'strategy.steps[0]' });
   * // [{ code: 'SANDBOX_ESCAPE', path: 'strategy.steps[0].input.path', message: 'must not contain ".." segments ("../x")' }]
   */
  check(name: string, input: unknown, options: ToolCheckOptions = {}): ToolProblem[] {
    const at = (field: string): string => (options.pathPrefix ? `${options.pathPrefix}.${field}` : field);
    try {
      const tool = typeof name === 'string' ? this.registry.get(name) : undefined;
      if (tool === undefined) return [{ code: 'VALIDATION_ERROR', path: at('tool'), message: this.#unknown(name) }];
      const parsed = parseInput(tool, input, at('input'));
      const issues = parsed.ok ? [] : parsed.issues;
      const problems: ToolProblem[] = issues.map((issue) => ({
        code: 'VALIDATION_ERROR',
        path: issue.path,
        message: issue.message,
      }));
      const written = writtenPaths(tool, input);
      const field = written && at(`input.${written.field}`);
      if (!written || issues.some((issue) => issue.path === field)) return problems;
      if (written.problem !== undefined)
        problems.push({ code: 'VALIDATION_ERROR', path: field!, message: written.problem });
      // a patch names its files in its text: each problem says which one
      const named = (path: string, message: string) => (written.field === 'path' ? message : `${path}: ${message}`);
      for (const path of written.paths) {
        const unsafe = unsafePathProblem(path);
        if (unsafe !== null) problems.push({ code: 'SANDBOX_ESCAPE', path: field!, message: named(path, unsafe) });
        else if (writesTo(tool).length > 0 && !inScopes(path, options.scopes)) {
          const outside =
            options.scopes!.length === 0
              ? "is a write, and the plan's resourceScopes is empty (it may not write)"
              : `is outside the plan's resourceScopes (${options.scopes!.join(', ')})`;
          problems.push({ code: 'SCOPE_VIOLATION', path: field!, message: named(path, outside) });
        }
      }
      return problems;
    } catch (error) {
      return [{ code: 'VALIDATION_ERROR', path: at('input'), message: `could not be checked: ${messageOf(error)}` }];
    }
  }

  async #run(name: string, input: unknown, context: ToolContext): Promise<ToolResult> {
    const tool = typeof name === 'string' ? this.registry.get(name) : undefined;
    if (tool === undefined) {
      return refuse(
        'VALIDATION_ERROR',
        this.#unknown(name),
        'a step names one of the registered tools; custom ones are passed to createRuntime({ tools })',
      );
    }
    this.#byTool.set(tool.name, (this.#byTool.get(tool.name) ?? 0) + 1);

    // before the input is looked at: in a read-only phase the call is wrong whatever its input
    const writes = writesTo(tool);
    if (writes.length > 0 && context?.phase !== 'execute') {
      const verbs = writes.map((effect) => WRITE_VERBS[effect] ?? effect).join(' and ');
      return refuse(
        'READ_ONLY_PHASE',
        `${tool.name} ${verbs}; ${String(context?.phase)} is read-only`,
        'tools that change the sandbox run only in execute',
      );
    }
    if (context?.signal?.aborted) return refuse('CANCELLED', `${tool.name} was not run: the plan was cancelled`);

    const parsed = parseInput(tool, input, 'input');
    if (!parsed.ok) {
      const { issues } = parsed;
      const shown =
        issues.length > MAX_ISSUES_SHOWN
          ? [
              ...issues.slice(0, MAX_ISSUES_SHOWN),
              { path: 'input', message: `and ${issues.length - MAX_ISSUES_SHOWN} more problems` },
            ]
          : issues;
      return failureOf(new ValidationError(shown, { subject: tool.name }), tool.name);
    }
    const output: unknown = await tool.handler(parsed.data, context);
    return { success: true, output };
  }

  #unknown(name: unknown): string {
    if (typeof name !== 'string') return `must be a namespaced tool name such as fs/read-file, got ${typeof name}`;
    return unknownToolMessage(name, this.registry.names());
  }
}

type ParsedInput = { ok: true; data: unknown } | { ok: false; issues: FieldIssue[] };

// the parsed input (defaults applied), or its problems with field paths under
// `prefix`; an input whose getters throw is a problem with the input, not a crash.
function parseInput(tool: AnyToolSpec, input: unknown, prefix: string): ParsedInput {
  try {
    const parsed = (tool.input as z.ZodType).safeParse(input);
    if (parsed.success) return { ok: true, data: parsed.data };
    const issues = toFieldIssues(parsed.error.issues, input, prefix, tool.input as z.ZodType);
    // zod always reports something, but an empty list must still read as a failure
    return { ok: false, issues: issues.length > 0 ? issues : [{ path: prefix, message: 'is not valid' }] };
  } catch (error) {
    return { ok: false, issues: [{ path: prefix, message: `could not be read (${messageOf(error)})` }] };
  }
}

// a tool's writing side effects, worked out once per tool (every step asks, several times)
const writesOf = new WeakMap<AnyToolSpec, SideEffect[]>();

function writesTo(tool: AnyToolSpec): SideEffect[] {
  let writes = writesOf.get(tool);
  if (!writes)
    writesOf.set(tool, (writes = tool.sideEffects.filter((effect: SideEffect) => WRITE_SIDE_EFFECTS.includes(effect))));
  return writes;
}

function inScopes(path: string, scopes: readonly string[] | undefined): boolean {
  // no resourceScopes: anywhere; an empty list: nowhere (as the sandbox's path guard says)
  if (scopes === undefined) return true;
  if (scopes.length === 0) return false;
  // a scope refused since its plan was stored grants nothing, as in the sandbox's path guard
  return compileGlobs(scopes, { refused: 'match-nothing' })(normalizeRelativePath(path));
}

function refuse(code: TroupeError['code'], message: string, hint?: string): ToolResult {
  return { success: false, error: { code, message, ...(hint === undefined ? {} : { hint }) } };
}

// whatever was thrown, as a failed result; reading a hostile thrown value must not throw either
function failureOf(error: unknown, name: unknown): ToolResult {
  try {
    if (error instanceof TroupeError) {
      return {
        success: false,
        error: {
          code: error.code,
          message: error.message,
          ...(error.hint === undefined ? {} : { hint: error.hint }),
          ...(error.details === undefined ? {} : { details: error.details }),
        },
      };
    }
    const message = messageOf(error);
    return refuse('TOOL_FAILED', message ? `${String(name)} failed: ${message}` : `${String(name)} failed`);
  } catch {
    return refuse('TOOL_FAILED', 'the tool failed with a value that cannot be shown');
  }
}

function messageOf(error: unknown): string {
  try {
    return error instanceof Error ? String(error.message) : String(error);
  } catch {
    return 'a value that cannot be shown';
  }
}
