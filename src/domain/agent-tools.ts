// The tools an agent drives an open plan with (SPEC §16): the same names,
// descriptions and input schemas whether the agent is an MCP client
// (src/mcp, which adds `plan` and `rationale`) or the plan's own model,
// and the words each one answers in. Each maps to the troupe
// tool it calls, whose input is exactly its arguments.
import { z } from 'zod';
import { maxParallelSchema } from './plan-file.js';
import { planName, scopeGlob } from './plan-file-fields.js';
import { OVERLAP_POLICIES } from './overlap.js';
import type { OverlapPayload } from './decisions.js';
import { limitText, type ResourceLimitName } from './resource-limits.js';

/**
 * One sandbox tool of an agent: its name and description as a model reads
 * them, its arguments (without the plan they act on), the troupe tool it
 * calls with them, and how its output reads (`note`: where the call left
 * the plan — its step, its commit — which a read does not say).
 *
 * @example
 * const write = AGENT_SANDBOX_TOOLS.find((tool) => tool.name === 'write_file')!;
 * write.answer({ path: 'a.txt', bytes: 2, created: true }, 'step 1, commit 1a2b3c4'); // 'created a.txt (2 bytes) — step 1, commit 1a2b3c4'
 */
export interface AgentSandboxTool {
  name: string;
  title: string;
  description: string;
  input: z.ZodObject;
  /** The troupe tool the call becomes (`fs/write-file`, `shell/exec`…). */
  tool: string;
  /** A read answers with what it read; any other call may become a step (a command that changed nothing is a read too). */
  reads: boolean;
  answer(output: unknown, note: string): string;
}

const path = z
  .string()
  .min(1)
  .max(4096)
  .meta({ description: 'A path relative to the plan’s sandbox root, e.g. src/app.ts' });
const lineNumber = z.number().int().positive().max(100_000_000);

/** How a command ended, as `run_command` reports it. */
export interface CommandOutput {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  durationMs: number;
  limit?: ResourceLimitName;
  limitValue?: number;
}

function commandText(output: CommandOutput, note: string): string {
  const how = output.timedOut
    ? `timed out after ${output.durationMs} ms`
    : output.signal
      ? `killed by ${output.signal}`
      : `exit ${output.exitCode}`;
  const ended = output.limit ? `stopped at ${limitText(output.limit, output.limitValue)}, ${how}` : how;
  const streams = [
    output.stdout ? `--- stdout\n${output.stdout}` : '',
    output.stderr ? `--- stderr\n${output.stderr}` : '',
  ]
    .filter(Boolean)
    .join('\n');
  return `${ended} (${output.durationMs} ms) — ${note}${streams ? `\n${streams}` : ''}`;
}

/** One line that matched `fs/search` (`search_files`): where (1-based line and column) and the line itself, with the lines around it when asked. */
export interface TextMatch {
  path: string;
  line: number;
  column: number;
  text: string;
  before?: string[];
  after?: string[];
}

function searchText(output: { matches: TextMatch[]; truncated: boolean; files: number }): string {
  const lines = output.matches.flatMap((match) => [
    ...(match.before ?? []).map(
      (text, index) => `${match.path}-${match.line - (match.before?.length ?? 0) + index}-${text}`,
    ),
    `${match.path}:${match.line}:${match.column}: ${match.text}`,
    ...(match.after ?? []).map((text, index) => `${match.path}-${match.line + 1 + index}-${text}`),
  ]);
  const tail = output.truncated ? '\n… (more: narrow the pattern or glob, or raise maxResults)' : '';
  return output.matches.length === 0
    ? `no matches in ${output.files} file${output.files === 1 ? '' : 's'}`
    : `${lines.join('\n')}${tail}`;
}

/**
 * The sandbox tools (SPEC §16, §19): reads (`read_file`, `list_files`,
 * `search_files`), writes (`write_file`, `edit_file`, `apply_patch`, `delete_file`) and
 * `run_command`. A write is a step; a read, and a command that changed
 * nothing, is recorded without one.
 */
export const AGENT_SANDBOX_TOOLS: readonly AgentSandboxTool[] = [
  {
    name: 'read_file',
    title: 'Read a file',
    description:
      'Read a file of the plan’s sandbox (UTF-8 text, or base64 for binary; at most 5 MiB), or a page of a text file: offset (first line, from 1) and limit (lines), up to 64 MiB; totalLines says how many there are. Recorded as a read, no step.',
    input: z.strictObject({
      path,
      offset: lineNumber.meta({ description: 'The first line to return, counting from 1' }).optional(),
      limit: lineNumber.meta({ description: 'How many lines to return (default: to the end)' }).optional(),
    }),
    tool: 'fs/read-file',
    reads: true,
    answer(result) {
      const output = result as {
        content: string;
        bytes: number;
        encoding: 'utf8' | 'base64';
        offset?: number;
        lines?: number;
        totalLines?: number;
      };
      if (output.encoding === 'base64') return `(binary, ${output.bytes} bytes, base64)\n${output.content}`;
      const page =
        output.offset === undefined
          ? ''
          : `(lines ${output.offset}–${output.offset + (output.lines ?? 0) - 1} of ${output.totalLines})\n`;
      return `${page}${output.content}`;
    },
  },
  {
    name: 'list_files',
    title: 'List files',
    description:
      'List the files of the plan’s sandbox under path (default: all), optionally filtered by a glob matched against root-relative paths (e.g. src/**/*.ts). At most 10,000; .git is never listed.',
    input: z.strictObject({
      path: path.optional(),
      glob: z
        .string()
        .min(1)
        .max(1024)
        .meta({ description: 'A glob matched against root-relative paths, dotfiles included' })
        .optional(),
    }),
    tool: 'fs/list-files',
    reads: true,
    answer(result) {
      const output = result as { files: string[]; truncated: boolean };
      return output.files.length === 0
        ? 'no files'
        : `${output.files.join('\n')}${output.truncated ? '\n… (more: narrow path or glob)' : ''}`;
    },
  },
  {
    name: 'search_files',
    title: 'Search files',
    description:
      'Search the plan’s sandbox for lines matching a regular expression (RE2 syntax: linear time, no backreferences or lookaround), over what git would track (ignored files only with ignored: true). {matches: [{path, line, column, text, before?, after?}], truncated}. Recorded as a read, no step.',
    input: z.strictObject({
      pattern: z
        .string()
        .min(1)
        .max(4096)
        .meta({ description: 'A regular expression, e.g. "function \\w+\\(" or "TODO|FIXME"' }),
      glob: z
        .string()
        .min(1)
        .max(1024)
        .meta({ description: 'Only files whose root-relative path matches, e.g. src/**/*.ts' })
        .optional(),
      ignoreCase: z.boolean().meta({ description: 'Match letters in either case' }).optional(),
      maxResults: z
        .number()
        .int()
        .positive()
        .max(2000)
        .meta({ description: 'At most this many matching lines (default 100)' })
        .optional(),
      contextLines: z
        .number()
        .int()
        .min(0)
        .max(20)
        .meta({ description: 'Lines to show before and after each match (default 0)' })
        .optional(),
      ignored: z
        .boolean()
        .meta({ description: 'Also search files git ignores (node_modules, build output…)' })
        .optional(),
    }),
    tool: 'fs/search',
    reads: true,
    answer: (result) => searchText(result as { matches: TextMatch[]; truncated: boolean; files: number }),
  },
  {
    name: 'write_file',
    title: 'Write a file',
    description:
      'Write a file of the plan’s sandbox (creating directories). A step: committed, checkpointed and reconciled; outside the plan’s resourceScopes it is refused with SCOPE_VIOLATION.',
    input: z.strictObject({
      path,
      content: z
        .string()
        .max(16 * 1024 * 1024)
        .meta({ description: 'The whole new content, as UTF-8 text' }),
    }),
    tool: 'fs/write-file',
    reads: false,
    answer(result, note) {
      const output = result as { path: string; bytes: number; created: boolean };
      return `${output.created ? 'created' : 'wrote'} ${output.path} (${output.bytes} bytes) — ${note}`;
    },
  },
  {
    name: 'edit_file',
    title: 'Edit a file',
    description:
      'Replace exact text in a file of the plan’s sandbox: edits [{oldText, newText, replaceAll?}] applied in order, all or nothing, as one step. oldText must match exactly (whitespace included) and once, unless replaceAll; otherwise nothing changes and the error names the edit.',
    input: z.strictObject({
      path,
      edits: z
        .array(
          z.strictObject({
            oldText: z
              .string()
              .min(1)
              .max(16 * 1024 * 1024)
              .meta({ description: 'Text to find, exactly as in the file' }),
            newText: z
              .string()
              .max(16 * 1024 * 1024)
              .meta({ description: 'What replaces it' }),
            replaceAll: z
              .boolean()
              .meta({ description: 'Replace every occurrence (default: oldText must occur once)' })
              .optional(),
          }),
        )
        .min(1)
        .max(100),
    }),
    tool: 'fs/edit-file',
    reads: false,
    answer(result, note) {
      const output = result as { path: string; replacements: number; bytes: number };
      return `edited ${output.path} (${output.replacements} replacement${output.replacements === 1 ? '' : 's'}, ${output.bytes} bytes) — ${note}`;
    },
  },
  {
    name: 'apply_patch',
    title: 'Apply a patch',
    description:
      'Apply a unified diff (git diff, diff -u) to the plan’s sandbox: all hunks of all files or nothing, as one step. Context must match exactly (no fuzz); /dev/null creates or deletes a file. A hunk that does not apply is VALIDATION_ERROR naming the file and hunk.',
    input: z.strictObject({
      patch: z
        .string()
        .min(1)
        .max(10 * 1024 * 1024)
        .meta({ description: 'The unified diff, paths relative to the sandbox root (a/ b/ prefixes taken off)' }),
    }),
    tool: 'fs/apply-patch',
    reads: false,
    answer(result, note) {
      const output = result as { files: { path: string; action: string }[]; hunks: number };
      const files = output.files.map((file) => `${file.path} (${file.action})`).join(', ');
      return `patched ${files}: ${output.hunks} hunk${output.hunks === 1 ? '' : 's'} — ${note}`;
    },
  },
  {
    name: 'delete_file',
    title: 'Delete a file',
    description: 'Delete a file of the plan’s sandbox. A step, like write_file.',
    input: z.strictObject({ path }),
    tool: 'fs/delete-file',
    reads: false,
    answer: (result, note) => `deleted ${(result as { path: string }).path} — ${note}`,
  },
  {
    name: 'run_command',
    title: 'Run a command',
    description:
      'Run a shell command (sh -c) in the plan’s sandbox, contained: only the sandbox and a private /tmp are writable, no network unless the plan has network: true — or, with network: {allow: [hosts]}, only those hosts, through the proxy HTTPS_PROXY names (any other answers 403). A non-zero exit is a result, not an error: {exitCode, stdout, stderr} with the last 16 KiB of each. A command that changed files is a step (committed, checkpointed); one that changed nothing is a read (kind: read, its number in read, for plan_logs), with no step, commit or checkpoint.',
    input: z.strictObject({
      command: z
        .string()
        .min(1)
        .max(64 * 1024)
        .meta({ description: 'Shell text, run with sh -c in the sandbox root' }),
      timeoutMs: z
        .number()
        .int()
        .positive()
        .max(3_600_000)
        .meta({ description: 'Kill it after this many milliseconds (default 60000)' })
        .optional(),
    }),
    tool: 'shell/exec',
    reads: false,
    answer: (result, note) => commandText(result as CommandOutput, note),
  },
];

/** `subplan_spawn`'s children: a goal each, an optional name and scopes (default: the parent's). */
export const subplanChildrenSchema = z
  .array(
    z.strictObject({
      name: planName
        .meta({ description: 'The child’s name (namespace/name); default: derived from the parent’s' })
        .optional(),
      goal: z.string().min(1).max(2000).meta({ description: 'What the child should achieve' }),
      resourceScopes: z
        .array(scopeGlob)
        .min(1)
        .meta({
          description:
            'Globs the child may write (default: the parent’s; a parent without resourceScopes gives its children none either, so they may write anything)',
        })
        .optional(),
    }),
  )
  .min(1)
  .max(50);

/** `subplan_spawn`'s `maxParallel`. */
export const subplanMaxParallel = maxParallelSchema.meta({
  description: 'How many children run at once, 1 to 50 (default 4)',
});

/** `subplan_spawn`'s `overlap`: what to do about children whose scopes can meet (docs/reference/subplans.md#overlapping-children). */
export const subplanOverlap = z.enum(OVERLAP_POLICIES).meta({
  description:
    'Children whose resourceScopes can match the same path: warn (run side by side, recorded and journaled), serialize (a later one waits until the earlier one is merged and starts from it), allow (say nothing). Default: the project’s, else warn',
});

/**
 * The lines `subplan_spawn` answers about children that may write the same
 * files, so the agent knows before it works on them: each pair, and under
 * `serialize` which child waits for which.
 *
 * @example
 * spawnOverlapLines(null); // []
 */
export function spawnOverlapLines(overlap: OverlapPayload | null): string[] {
  const pairs = (overlap?.pairs ?? []).map(
    ({ entries, patterns }) =>
      `may write the same files: ${entries.join(' and ')} (${patterns.map((pattern) => pattern ?? 'anywhere').join(' / ')})`,
  );
  const waits = (overlap?.edges ?? []).map(
    ({ from, to }) => `${to} starts once ${from} is merged (overlap: serialize)`,
  );
  return [...pairs, ...waits];
}

/** `checkpoint_create`'s `label`. */
export const checkpointLabel = z
  .string()
  .min(1)
  .max(200)
  .meta({ description: 'A name to roll back to, e.g. before-refactor' });
