import { z } from 'zod';
import { planRecordSchema } from '../domain/index.js';

// The structured content of the sandbox tools (their MCP outputSchema): the
// output of the troupe tool each one calls (fs/read-file, shell/exec…) and,
// for a call that may write, the step it became. Objects are loose where a
// tool's output is: a field a tool adds later is let through.

/**
 * What a call that may write answers besides its output: whether it was a
 * step or a read (a call that changed nothing), the step it became (counted
 * from 1, as `plan_logs` takes it; null for a read) or the read, the sandbox's
 * head after it, whether it wrote, and the plan (no longer open when an
 * invariant broke).
 *
 * @example
 * const written = writeFileResult.parse(result.structuredContent);
 * await client.callTool({ name: 'plan_logs', arguments: { plan: written.plan.id, step: written.step } });
 */
export const stepFields = {
  /** `step` when the call changed the sandbox (or failed as a step), `read` when it changed nothing: no step number, commit or checkpoint. */
  kind: z.enum(['step', 'read']),
  step: z.number().int().positive().nullable(),
  /** The read it was (counted from 1, as `plan_logs` takes it); null for a step. */
  read: z.number().int().positive().nullable(),
  commit: z.string().nullable(),
  wrote: z.boolean(),
  plan: planRecordSchema,
};

/**
 * `read_file`: the content (UTF-8, or base64 for binary), its size, and for a page its first line, line count and the file's total.
 *
 * @example
 * const { content, totalLines } = readFileResult.parse(result.structuredContent);
 */
export const readFileResult = z.looseObject({
  path: z.string(),
  content: z.string(),
  bytes: z.number().int().nonnegative(),
  encoding: z.enum(['utf8', 'base64']),
  offset: z.number().int().positive().optional(),
  lines: z.number().int().nonnegative().optional(),
  totalLines: z.number().int().nonnegative().optional(),
});

/**
 * `list_files`: root-relative paths, and whether the list was cut.
 *
 * @example
 * const { files } = listFilesResult.parse(result.structuredContent);
 */
export const listFilesResult = z.looseObject({ files: z.array(z.string()), truncated: z.boolean() });

/** One matching line of `search_files`, with the lines around it when asked. */
export const searchMatchSchema = z.looseObject({
  path: z.string(),
  line: z.number().int().positive(),
  column: z.number().int().positive(),
  text: z.string(),
  before: z.array(z.string()).optional(),
  after: z.array(z.string()).optional(),
});

/**
 * `search_files`: the matching lines, whether there were more, and how many files were searched.
 *
 * @example
 * const { matches } = searchFilesResult.parse(result.structuredContent);
 */
export const searchFilesResult = z.looseObject({
  matches: z.array(searchMatchSchema),
  truncated: z.boolean(),
  files: z.number().int().nonnegative(),
});

/**
 * `write_file`: the file, its size, whether it was created, and the step.
 *
 * @example
 * const { created, step } = writeFileResult.parse(result.structuredContent);
 */
export const writeFileResult = z.looseObject({
  path: z.string(),
  bytes: z.number().int().nonnegative(),
  created: z.boolean(),
  ...stepFields,
});

/**
 * `edit_file`: the file, how many edits and replacements, its size after, and the step.
 *
 * @example
 * const { replacements } = editFileResult.parse(result.structuredContent);
 */
export const editFileResult = z.looseObject({
  path: z.string(),
  edits: z.number().int().positive(),
  replacements: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  ...stepFields,
});

/**
 * `apply_patch`: each file the patch changed (`modified`, `created`, `deleted`, with its hunks), all hunks, and the step.
 *
 * @example
 * const { files, hunks } = applyPatchResult.parse(result.structuredContent);
 */
export const applyPatchResult = z.looseObject({
  files: z.array(
    z.object({
      path: z.string(),
      action: z.enum(['modified', 'created', 'deleted']),
      hunks: z.number().int().nonnegative(),
    }),
  ),
  hunks: z.number().int().nonnegative(),
  ...stepFields,
});

/**
 * `delete_file`: the file, and the step.
 *
 * @example
 * const { deleted } = deleteFileResult.parse(result.structuredContent);
 */
export const deleteFileResult = z.looseObject({ path: z.string(), deleted: z.literal(true), ...stepFields });

/**
 * `run_command`: how the command ended (a non-zero exit is a result), the
 * tails of its streams, and the step; `limit` names a resource limit it hit.
 *
 * @example
 * const { exitCode, stderr } = runCommandResult.parse(result.structuredContent);
 */
export const runCommandResult = z.looseObject({
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  timedOut: z.boolean(),
  stdout: z.string(),
  stderr: z.string(),
  durationMs: z.number().nonnegative(),
  limit: z.enum(['processes', 'memory', 'file size']).optional(),
  limitValue: z.number().optional(),
  ...stepFields,
});

/**
 * `call_tool`: the tool's own output (as its tool says), and the step (null for a tool that changes nothing).
 *
 * @example
 * const { output, step } = callToolResult.parse(result.structuredContent);
 */
export const callToolResult = z.object({ output: z.unknown(), ...stepFields });
