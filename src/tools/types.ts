import type { z } from 'zod';
import type {
  CommandResult,
  Decision,
  DecisionType,
  ErrorCode,
  FieldIssue,
  Phase,
  PathGuard,
} from '../domain/index.js';

// the sandbox implements these and tools use them, so they live in src/domain;
// named here too, as tool authors know them from ToolContext
export type { PathGuard, SandboxDirectory, SandboxEntry } from '../domain/index.js';

/** What a tool may do besides answering (SPEC §7). */
export const SIDE_EFFECTS = ['fs_write', 'exec', 'spawn_subplan', 'checkpoint'] as const;
/**
 * One side effect a tool declares: one of {@link SIDE_EFFECTS}.
 *
 * @example
 * const effects: SideEffect[] = ['fs_write'];
 * const touch = defineTool({
 *   name: 'acme/touch', description: 'Create an empty file', input: z.strictObject({ path: z.string() }), sideEffects: effects,
 *   handler: async ({ path }, { paths }) => writeFile(await paths.resolve(path, 'write'), ''),
 * });
 */
export type SideEffect = (typeof SIDE_EFFECTS)[number];

/** Side effects that change the sandbox: refused outside execute (`READ_ONLY_PHASE`). */
export const WRITE_SIDE_EFFECTS: readonly SideEffect[] = ['fs_write', 'exec'];

/**
 * What a tool handler is given besides its input.
 *
 * @example
 * handler: async ({ path }, context: ToolContext) => {
 *   if (context.signal.aborted) return { written: false };
 *   await writeFile(await context.paths.resolve(path, 'write'), `by ${context.planId} in ${context.phase}
 * `);
 *   return { written: true };
 * },
 */
export interface ToolContext {
  planId: string;
  phase: Phase;
  /** Absolute path of the sandbox root; commands run here. */
  cwd: string;
  paths: PathGuard;
  /** Environment for commands: the allowlist plus the plan's `env`. */
  env: Record<string, string>;
  /** Aborted when the plan is cancelled or the step is abandoned. */
  signal: AbortSignal;
  /**
   * Run `sh -c command` for the plan: in its sandbox (the worktree is the
   * working directory and, with a private `/tmp`, the only writable place;
   * no network unless the plan allows it; nothing it starts outlives it),
   * with `env`, stopped when `signal` aborts. A non-zero exit is a result,
   * not a throw; it rejects with `SANDBOX_UNAVAILABLE` when the sandbox
   * cannot start (SPEC §15).
   */
  runCommand(command: string, options?: RunCommandOptions): Promise<CommandResult>;
  /** Records subplan spawn decisions; present while the plan strategizes (see `builtin/plan-subplan`). */
  spawns?: SpawnRecorder;
  /** Takes the plan's checkpoints; present while a step executes (see `system/create-checkpoint`). */
  checkpoints?: { create(label: string): Promise<{ id: string; label: string | null }> };
}

/**
 * Options of {@link ToolContext.runCommand}.
 *
 * @example
 * const options: RunCommandOptions = { timeoutMs: 120_000, tailBytes: 16_384 };
 * const result = await context.runCommand('npx eslint .', options);
 */
export interface RunCommandOptions {
  /** Kill the command (and everything it started) after this many milliseconds; no limit when omitted. */
  timeoutMs?: number;
  /** How many bytes of the end of stdout and of stderr to keep (default 4096). */
  tailBytes?: number;
}

/**
 * Where `builtin/plan-subplan` records a spawn decision: the decisions of
 * the plan being strategized. Implemented by the strategize actor.
 */
export interface SpawnRecorder {
  /** The parent plan's name: an unnamed child is `<name>-<n>`. */
  readonly planName: string;
  /** How many spawn decisions the parent has recorded so far (the next child is n = this + 1). */
  spawned(): number;
  /** A decision this strategize recorded (the strategy root included), by id. */
  decision(id: string): Decision | undefined;
  /** The root of the decision tree being recorded: the default parent of a spawn. */
  readonly rootId: string;
  newId(): string;
  /** Record a decision; returns it as recorded. */
  record(request: {
    id: string;
    type: DecisionType;
    title: string;
    rationale: string;
    payload: Record<string, unknown>;
    parentId: string;
  }): Decision;
  /**
   * The child plan of an earlier strategy of this plan (before a retry, or a
   * rollback it runs again after) that holds `name`, once per name: the new
   * spawn takes it over, with its id, so it starts over in place
   * (docs/reference/subplans.md). Absent or null: a new child.
   */
  formerChild?(name: string): Promise<{ id: string; project: string } | null>;
  /**
   * The parent's resourceScopes; null when it has none (it may write
   * anything), and then a child without resourceScopes or a project has
   * none either. Absent or a list: such a child is refused.
   */
  readonly parentScopes?: readonly string[] | null;
}

/**
 * A tool: a namespaced name, a zod input schema, declared side effects and a handler.
 * By convention a top-level string field named `path` in the input is a
 * sandbox-relative path: the ToolRunner's static check refuses unsafe ones
 * and, for write tools, ones outside the plan's resourceScopes.
 *
 * @example
 * const greet: ToolSpec<{ who: string }, { greeting: string }> = defineTool({
 *   name: 'acme/greet', description: 'Say hello to someone', input: z.strictObject({ who: z.string() }), sideEffects: [],
 *   handler: async ({ who }) => ({ greeting: `hello ${who}` }),
 * });
 */
export interface ToolSpec<I = unknown, O = unknown> {
  name: string;
  description: string;
  input: z.ZodType<I>;
  sideEffects: readonly SideEffect[];
  handler(input: I, context: ToolContext): Promise<O>;
}

/**
 * A tool call's answer: never a throw.
 *
 * @example
 * const result: ToolResult = await runner.run('fs/read-file', { path: 'README.md' }, context);
 * if (result.success) console.log(result.output);
 * else console.log(result.error.code, result.error.message);
 */
export type ToolResult<O = unknown> =
  | { success: true; output: O }
  | { success: false; error: { code: ErrorCode; message: string; hint?: string; details?: Record<string, unknown> } };

/**
 * A tool of any input and output, as the registry and runner hold it.
 *
 * @example
 * const tools: AnyToolSpec[] = [greet, deploy];
 * const runtime = await createRuntime({ dir: '/path/to/repo', tools });
 */
// `any`, not `unknown`: a handler that takes `{path: string}` must still fit here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above: input is contravariant in a handler
export type AnyToolSpec = ToolSpec<any, any>;

/**
 * One problem the static preflight (`ToolRunner.check`) finds in a step:
 * a {@link FieldIssue} plus the code the call would fail with at run time
 * (`VALIDATION_ERROR`, `SANDBOX_ESCAPE` or `SCOPE_VIOLATION`).
 */
export interface ToolProblem extends FieldIssue {
  readonly code: ErrorCode;
}
