import type { z } from 'zod';
import type { Decision, DecisionType, ErrorCode, FieldIssue, Phase } from '../domain/index.js';
import type { CommandResult } from '../sandbox/command-sandbox.js';

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
 * Checks sandbox-relative paths and does file I/O on them safely.
 * Implemented by the sandbox (src/sandbox/path-guard.ts); tools only see
 * this interface. Every method refuses absolute paths, `..`, NUL, `.git/`
 * and symlinks that leave the sandbox (`SANDBOX_ESCAPE`); a write or delete
 * also refuses paths outside the plan's resourceScopes (`SCOPE_VIOLATION`).
 * `readFile`, `writeFile`, `deleteFile` and `openDirectory` check and act
 * as one step; other failures are node:fs errors (`code` `ENOENT`,
 * `EISDIR`…) naming the sandbox path, or `TOOL_FAILED`.
 *
 * @example
 * handler: async ({ path }, context) => {
 *   const text = (await context.paths.readFile(path)).toString('utf8'); // SANDBOX_ESCAPE for ../ or .git/
 *   return { text, inScope: context.paths.inScope(path) };
 * },
 */
export interface PathGuard {
  /** The sandbox root, absolute and real (symlinks resolved). */
  readonly root: string;
  /**
   * The absolute path for `relative`, after the checks above. Acting on it
   * afterwards is a second step: a directory on the way swapped for a
   * symlink in between leads the I/O out of the sandbox. Prefer
   * `readFile`, `writeFile`, `deleteFile` and `openDirectory`, which cannot
   * be raced; `resolve` stays for tools that need a path (to hand to a
   * command, say).
   *
   * @example
   * const absolute = await context.paths.resolve('src/a.ts', 'read'); // `${root}/src/a.ts`
   */
  resolve(relative: string, access: 'read' | 'write'): Promise<string>;
  /**
   * Whether a sandbox-relative path is inside the plan's resourceScopes (true when it has none).
   *
   * @example
   * const outside = changedPaths.filter((path) => !context.paths.inScope(path));
   */
  inScope(relative: string): boolean;
  /**
   * The bytes of a regular file of the sandbox, through its symlinks if they
   * stay inside. The file is opened without following a symlink the check
   * did not see and inspected through that descriptor: a FIFO, a device or
   * a file larger than `maxBytes` is `TOOL_FAILED`, a directory `EISDIR`.
   *
   * @example
   * const text = (await context.paths.readFile('src/a.ts', { maxBytes: 1024 * 1024 })).toString('utf8');
   */
  readFile(relative: string, options?: { maxBytes?: number }): Promise<Buffer>;
  /**
   * Writes a file of the sandbox (text as UTF-8), creating it and its
   * directories as needed; `created` says whether it is new. Through a
   * symlink inside the sandbox it writes the target (both must be in
   * scope). An existing file keeps its mode; one hard-linked elsewhere is
   * replaced rather than changed in place, so the other name keeps its
   * content. A directory is `EISDIR`, a FIFO or a device `TOOL_FAILED`.
   *
   * @example
   * const { created } = await context.paths.writeFile('src/hello.ts', 'export {};\n');
   */
  writeFile(relative: string, content: string | Uint8Array): Promise<{ created: boolean }>;
  /**
   * Deletes a file of the sandbox; a symlink itself, never its target.
   * A directory is `EISDIR`, a missing file `ENOENT`.
   *
   * @example
   * await context.paths.deleteFile('src/old.ts');
   */
  deleteFile(relative: string): Promise<void>;
  /**
   * Opens a directory of the sandbox (`.` for the root) to list it; its
   * subdirectories open through it, so none can be swapped for a symlink
   * that leads out. Close it when done. A file is `ENOTDIR`.
   *
   * @example
   * const dir = await context.paths.openDirectory('src');
   * try {
   *   const names = (await dir.entries()).filter((entry) => entry.kind === 'file').map((entry) => entry.name);
   * } finally {
   *   await dir.close();
   * }
   */
  openDirectory(relative: string): Promise<SandboxDirectory>;
}

/**
 * A directory of the sandbox held open by {@link PathGuard.openDirectory}.
 * Its entries and subdirectories are read through it, never through a
 * symlink: a subdirectory swapped for one meanwhile is `SANDBOX_ESCAPE`.
 *
 * @example
 * const src = await context.paths.openDirectory('src');
 * const lib = await src.openDirectory('lib'); // src/lib
 * console.log(await lib.entries()); // [{ name: 'a.ts', kind: 'file' }, …]
 * await Promise.all([lib.close(), src.close()]);
 */
export interface SandboxDirectory {
  /** Its entries in no particular order, `.` and `..` left out; a symlink is an entry of kind `symlink`. */
  entries(): Promise<SandboxEntry[]>;
  /** The subdirectory `name` (one entry name, not `.git`), opened without following a symlink. */
  openDirectory(name: string): Promise<SandboxDirectory>;
  /** Releases the directory; closing it again does nothing. */
  close(): Promise<void>;
}

/**
 * One entry of a {@link SandboxDirectory}: its name and what it is itself (a symlink is not followed).
 *
 * @example
 * const files = (await dir.entries()).filter((entry: SandboxEntry) => entry.kind !== 'directory');
 */
export interface SandboxEntry {
  readonly name: string;
  readonly kind: 'file' | 'directory' | 'symlink' | 'other';
}

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
  record(request: { id: string; type: DecisionType; title: string; rationale: string; payload: Record<string, unknown>; parentId: string }): Decision;
  /**
   * The child plan of an earlier strategy of this plan (before a retry, or a
   * rollback it runs again after) that holds `name`, once per name: the new
   * spawn takes it over, with its id, so it starts over in place
   * (docs/subplans.md). Absent or null: a new child.
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
export type AnyToolSpec = ToolSpec<any, any>;

/**
 * One problem the static preflight (`ToolRunner.check`) finds in a step:
 * a {@link FieldIssue} plus the code the call would fail with at run time
 * (`VALIDATION_ERROR`, `SANDBOX_ESCAPE` or `SCOPE_VIOLATION`).
 */
export interface ToolProblem extends FieldIssue {
  readonly code: ErrorCode;
}
