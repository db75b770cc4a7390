import { z } from 'zod';
import { ValidationError, inputJsonSchema as domainInputJsonSchema, toFieldIssues } from '../domain/index.js';
import type { Runtime } from '../runtime/index.js';
import { toolErrorSchema, type McpToolAnswer } from './tool-result.js';

/** What a tool may ask the client: a yes/no question (MCP elicitation), when the client supports it. */
export type Confirm = (message: string) => Promise<boolean | null>;

/** What an MCP tool handler gets besides its arguments. */
export interface McpToolContext {
  /** The Runtime of the project (this process's, or the store owner's over its socket). */
  runtime(): Promise<Runtime>;
  /** Who calls: the MCP client's name, recorded as the actor of the decisions it causes. */
  client: string;
  /** Ask the user yes or no through the client; null when the client cannot ask. */
  confirm: Confirm;
}

/**
 * The MCP tool annotations of a troupe tool, each hint stated rather than left
 * to the spec's defaults. `destructiveHint` is true when a call may overwrite
 * or remove what was there (a file, the user's branch, a plan's state);
 * `openWorldHint` when it runs a plan's commands, which may reach the network
 * (a plan with `network: true`).
 *
 * @example
 * const annotations: McpToolAnnotations = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
 */
export interface McpToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/** Annotations of a tool that only reads troupe's own records. */
export const READS: McpToolAnnotations = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};

/**
 * One tool of `troupe mcp` (SPEC §16): its name, a description a model reads,
 * a strict zod schema of its arguments (listed as JSON Schema), a zod schema
 * of the structured content it answers (listed as its `outputSchema`), and
 * its handler, which answers text and that content or throws a troupe error.
 */
export interface McpTool<S extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  input: S;
  /**
   * The arguments as `tools/list` shows them, when the handler checks part of
   * them itself: `plan_create` lists its `spec` as the plan file and leaves
   * parsing it to the plan-file parser. Default: `input`.
   */
  listedInput?: z.ZodObject;
  /** The structured content of a call that succeeds; a refused call answers {@link toolErrorSchema} instead. */
  output: O;
  /** What a client may assume of a call (MCP tool annotations), every hint stated: see {@link McpToolAnnotations}. */
  annotations: McpToolAnnotations;
  run(args: z.output<S>, context: McpToolContext): Promise<McpToolAnswer<z.output<O>>>;
  /**
   * Present when a client may call the tool as an MCP task (listed with
   * `execution.taskSupport: optional`; docs/reference/mcp.md#tasks). `resume` is what
   * a restarted `troupe mcp` does for such a task whose server stopped
   * mid-call; by default it runs the call again.
   */
  task?: { resume?: (args: z.output<S>, context: McpToolContext) => Promise<McpToolAnswer<z.output<O>>> };
}

/**
 * Define an MCP tool (types only: the handler's arguments follow its input
 * schema, its structured content its output schema).
 *
 * @example
 * const planStatus = mcpTool({ name: 'plan_status', title: 'Plan status', description: 'The plan record', annotations: READS, input: z.strictObject({ plan: planRef }), output: planResult, run: async ({ plan }, { runtime }) => ({ text: plan, structured: { plan: await (await runtime()).getPlan(plan) } }) });
 */
export function mcpTool<S extends z.ZodObject, O extends z.ZodObject>(tool: McpTool<S, O>): McpTool<S, O> {
  return tool;
}

/** The arguments of a call, parsed by the tool's schema; a `VALIDATION_ERROR` naming each field otherwise. */
export function parseArguments<S extends z.ZodObject>(tool: McpTool<S>, args: unknown): z.output<S> {
  const parsed = tool.input.safeParse(args ?? {});
  if (parsed.success) return parsed.data;
  throw new ValidationError(toFieldIssues(parsed.error.issues, args), {
    subject: tool.name,
    hint: `see the tool's inputSchema (tools/list), or docs/reference/mcp.md#${tool.name.replaceAll('_', '-')}`,
  });
}

/** The tool's arguments as a JSON Schema for `tools/list` (its `listedInput` when it has one). */
export function inputJsonSchema(tool: McpTool): Record<string, unknown> {
  return { type: 'object', ...domainInputJsonSchema(tool.listedInput ?? tool.input) };
}

/**
 * The tool's `outputSchema` for `tools/list`: its structured content, or the
 * error a refused call answers (`{error, step?, plan?}`). Both, because the
 * SDK's client (1.32.2) checks `structuredContent` against the schema even
 * on a result with `isError`, and a refused call's error is structured too.
 */
export function outputJsonSchema(tool: McpTool): Record<string, unknown> {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(z.union([tool.output, toolErrorSchema]), {
    io: 'output',
    unrepresentable: 'any',
    // a plan record in the result and in the error is listed once, under $defs
    reused: 'ref',
    override: ({ jsonSchema }) => {
      // an integer's safe range says nothing a client needs
      if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
      if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
    },
  }) as Record<string, unknown>;
  return { type: 'object', ...schema };
}

/** `plan`: the plan a tool works on — its id, its name (`namespace/name`) or a unique id prefix of at least 6 characters. */
export const planRef = z
  .string()
  .min(1)
  .max(200)
  .meta({ description: 'The plan: its id, its name (namespace/name) or a unique id prefix (at least 6 characters)' });

/** `rationale`: why the caller makes the call, recorded in the plan's decision tree. */
export const rationale = z
  .string()
  .max(4000)
  .meta({ description: 'Why you make this call: recorded as the rationale of its decision (troupe plan explain)' })
  .optional();
