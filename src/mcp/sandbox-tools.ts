import { z } from 'zod';
import { resumedCommand } from './command-resume.js';
import { limitText, type PlanRecord, type ResourceLimitName } from '../domain/index.js';
import type { Runtime, ToolCallResult } from '../runtime/index.js';
import { READS, mcpTool, planRef, rationale, type McpTool, type McpToolContext } from './mcp-tool.js';
import { callToolResult, deleteFileResult, editFileResult, listFilesResult, readFileResult, runCommandResult, searchFilesResult, writeFileResult } from './sandbox-results.js';
import { planLine } from './plan-lines.js';

const path = z.string().min(1).max(4096).meta({ description: 'A path relative to the plan’s sandbox root, e.g. src/app.ts' });
const lineNumber = z.number().int().positive().max(100_000_000);

/** What a tool call on a plan's sandbox answered: the call's output, or the troupe error that refused it. */
export class RefusedCall extends Error {
  constructor(readonly result: Extract<ToolCallResult, { ok: false }>) {
    super(result.error.message);
  }
}

// one call on the plan's open sandbox: the step (or read) it becomes, or RefusedCall
async function call(runtime: Runtime, plan: string, tool: string, input: Record<string, unknown>, why: string | undefined, context: McpToolContext) {
  const result = await runtime.callTool(plan, { tool, input, actor: context.client, ...(why === undefined ? {} : { rationale: why }) });
  if (!result.ok) throw new RefusedCall(result);
  return result;
}

/** A step as MCP answers count it: from 1, as the text says and `plan_logs` takes it (the runtime counts from 0); null for a read. */
export function stepNumber(step: number | null | undefined): number | null {
  return step === null || step === undefined ? null : step + 1;
}

// where the call left the plan: its step and commit, and a warning when the step ended the plan's openness (an invariant broke)
function stepNote(result: Extract<ToolCallResult, { ok: true }>): {
  line: string;
  structured: { kind: 'step' | 'read'; step: number | null; read: number | null; commit: string | null; wrote: boolean; plan: PlanRecord };
} {
  const step = stepNumber(result.step);
  const where =
    step === null ? (result.read === null ? 'read (no step)' : `read ${result.read} (nothing changed: no step)`) : `step ${step}${result.wrote ? `, commit ${result.commit?.slice(0, 7)}` : ', nothing changed'}`;
  const structured = { kind: step === null ? ('read' as const) : ('step' as const), step, read: result.read, commit: result.commit, wrote: result.wrote, plan: result.plan };
  return { line: `${where}${stillOpen(result.plan) ? '' : `\nthe plan is no longer open: ${planLine(result.plan)}`}`, structured };
}

// run_command's answer: how the command ended, the step it became, and the tails of its output
function commandAnswer(result: Extract<ToolCallResult, { ok: true }>) {
  const output = result.output as { exitCode: number | null; signal: string | null; timedOut: boolean; stdout: string; stderr: string; durationMs: number; limit?: ResourceLimitName; limitValue?: number };
  const how = output.timedOut ? `timed out after ${output.durationMs} ms` : output.signal ? `killed by ${output.signal}` : `exit ${output.exitCode}`;
  const ended = output.limit ? `stopped at ${limitText(output.limit, output.limitValue)}, ${how}` : how;
  const note = stepNote(result);
  const streams = [output.stdout ? `--- stdout\n${output.stdout}` : '', output.stderr ? `--- stderr\n${output.stderr}` : ''].filter(Boolean).join('\n');
  return { text: `${ended} (${output.durationMs} ms) — ${note.line}${streams ? `\n${streams}` : ''}`, structured: { ...output, ...note.structured } };
}

function stillOpen(plan: PlanRecord): boolean {
  return plan.phase === 'execute' && plan.status === 'waiting';
}

/**
 * The sandbox tools of `troupe mcp` (SPEC §16): each is a tool call on an
 * open agent-driven plan, run through the ToolRunner in the plan's
 * contained sandbox. Writes and commands become steps (a decision with
 * your rationale, a commit when it wrote, a checkpoint, reconciliation);
 * reads are recorded as `tool_call` decisions.
 */
export const SANDBOX_TOOLS: McpTool[] = [
  mcpTool({
    name: 'read_file',
    title: 'Read a file',
    description:
      'Read a file of the plan’s sandbox (UTF-8 text, or base64 for binary; at most 5 MiB), or a page of a text file: offset (first line, from 1) and limit (lines), up to 64 MiB; totalLines says how many there are. Recorded as a read, no step.',
    output: readFileResult,
    annotations: READS,
    input: z.strictObject({
      plan: planRef,
      path,
      offset: lineNumber.meta({ description: 'The first line to return, counting from 1' }).optional(),
      limit: lineNumber.meta({ description: 'How many lines to return (default: to the end)' }).optional(),
      rationale,
    }),
    async run({ plan, path: file, offset, limit, rationale: why }, context) {
      const input = { path: file, ...(offset === undefined ? {} : { offset }), ...(limit === undefined ? {} : { limit }) };
      const result = await call(await context.runtime(), plan, 'fs/read-file', input, why, context);
      const output = result.output as { path: string; content: string; bytes: number; encoding: 'utf8' | 'base64'; offset?: number; lines?: number; totalLines?: number };
      if (output.encoding === 'base64') return { text: `(binary, ${output.bytes} bytes, base64)\n${output.content}`, structured: { ...output } };
      const page = output.offset === undefined ? '' : `(lines ${output.offset}–${output.offset + (output.lines ?? 0) - 1} of ${output.totalLines})\n`;
      return { text: `${page}${output.content}`, structured: { ...output } };
    },
  }),
  mcpTool({
    name: 'list_files',
    title: 'List files',
    description: 'List the files of the plan’s sandbox under path (default: all), optionally filtered by a glob matched against root-relative paths (e.g. src/**/*.ts). At most 10,000; .git is never listed.',
    output: listFilesResult,
    annotations: READS,
    input: z.strictObject({
      plan: planRef,
      path: path.optional(),
      glob: z.string().min(1).max(1024).meta({ description: 'A glob matched against root-relative paths, dotfiles included' }).optional(),
      rationale,
    }),
    async run({ plan, path: dir, glob, rationale: why }, context) {
      const input = { ...(dir === undefined ? {} : { path: dir }), ...(glob === undefined ? {} : { glob }) };
      const result = await call(await context.runtime(), plan, 'fs/list-files', input, why, context);
      const output = result.output as { files: string[]; truncated: boolean };
      const text = output.files.length === 0 ? 'no files' : `${output.files.join('\n')}${output.truncated ? '\n… (more: narrow path or glob)' : ''}`;
      return { text, structured: { ...output } };
    },
  }),
  mcpTool({
    name: 'search_files',
    title: 'Search files',
    description:
      'Search the plan’s sandbox for lines matching a regular expression (RE2 syntax: linear time, no backreferences or lookaround), over what git would track (ignored files only with ignored: true). {matches: [{path, line, column, text, before?, after?}], truncated}. Recorded as a read, no step.',
    output: searchFilesResult,
    annotations: READS,
    input: z.strictObject({
      plan: planRef,
      pattern: z.string().min(1).max(4096).meta({ description: 'A regular expression, e.g. "function \\w+\\(" or "TODO|FIXME"' }),
      glob: z.string().min(1).max(1024).meta({ description: 'Only files whose root-relative path matches, e.g. src/**/*.ts' }).optional(),
      ignoreCase: z.boolean().meta({ description: 'Match letters in either case' }).optional(),
      maxResults: z.number().int().positive().max(2000).meta({ description: 'At most this many matching lines (default 100)' }).optional(),
      contextLines: z.number().int().min(0).max(20).meta({ description: 'Lines to show before and after each match (default 0)' }).optional(),
      ignored: z.boolean().meta({ description: 'Also search files git ignores (node_modules, build output…)' }).optional(),
      rationale,
    }),
    async run({ plan, rationale: why, ...input }, context) {
      const result = await call(await context.runtime(), plan, 'fs/search', input, why, context);
      const output = result.output as { matches: { path: string; line: number; column: number; text: string; before?: string[]; after?: string[] }[]; truncated: boolean; files: number };
      const lines = output.matches.flatMap((match) => [
        ...(match.before ?? []).map((text, index) => `${match.path}-${match.line - (match.before?.length ?? 0) + index}-${text}`),
        `${match.path}:${match.line}:${match.column}: ${match.text}`,
        ...(match.after ?? []).map((text, index) => `${match.path}-${match.line + 1 + index}-${text}`),
      ]);
      const tail = output.truncated ? '\n… (more: narrow the pattern or glob, or raise maxResults)' : '';
      const text = output.matches.length === 0 ? `no matches in ${output.files} file${output.files === 1 ? '' : 's'}` : `${lines.join('\n')}${tail}`;
      return { text, structured: { ...output } };
    },
  }),
  mcpTool({
    name: 'write_file',
    title: 'Write a file',
    description: 'Write a file of the plan’s sandbox (creating directories). A step: committed, checkpointed and reconciled; outside the plan’s resourceScopes it is refused with SCOPE_VIOLATION.',
    output: writeFileResult,
    // it overwrites the file's content; as a step it is reconciled, which runs the plan's command checks
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
    input: z.strictObject({ plan: planRef, path, content: z.string().max(16 * 1024 * 1024).meta({ description: 'The whole new content, as UTF-8 text' }), rationale }),
    async run({ plan, path: file, content, rationale: why }, context) {
      const result = await call(await context.runtime(), plan, 'fs/write-file', { path: file, content }, why, context);
      const output = result.output as { path: string; bytes: number; created: boolean };
      const note = stepNote(result);
      return { text: `${output.created ? 'created' : 'wrote'} ${output.path} (${output.bytes} bytes) — ${note.line}`, structured: { ...output, ...note.structured } };
    },
  }),
  mcpTool({
    name: 'edit_file',
    title: 'Edit a file',
    description:
      'Replace exact text in a file of the plan’s sandbox: edits [{oldText, newText, replaceAll?}] applied in order, all or nothing, as one step. oldText must match exactly (whitespace included) and once, unless replaceAll; otherwise nothing changes and the error names the edit.',
    output: editFileResult,
    // it changes the file's content; the same edits twice do not give the same file; reconciled like write_file
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    input: z.strictObject({
      plan: planRef,
      path,
      edits: z
        .array(
          z.strictObject({
            oldText: z.string().min(1).max(16 * 1024 * 1024).meta({ description: 'Text to find, exactly as in the file' }),
            newText: z.string().max(16 * 1024 * 1024).meta({ description: 'What replaces it' }),
            replaceAll: z.boolean().meta({ description: 'Replace every occurrence (default: oldText must occur once)' }).optional(),
          }),
        )
        .min(1)
        .max(100),
      rationale,
    }),
    async run({ plan, path: file, edits, rationale: why }, context) {
      const result = await call(await context.runtime(), plan, 'fs/edit-file', { path: file, edits }, why, context);
      const output = result.output as { path: string; edits: number; replacements: number; bytes: number };
      const note = stepNote(result);
      const changed = `${output.replacements} replacement${output.replacements === 1 ? '' : 's'}`;
      return { text: `edited ${output.path} (${changed}, ${output.bytes} bytes) — ${note.line}`, structured: { ...output, ...note.structured } };
    },
  }),
  mcpTool({
    name: 'delete_file',
    title: 'Delete a file',
    description: 'Delete a file of the plan’s sandbox. A step, like write_file.',
    output: deleteFileResult,
    // reconciled like write_file
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
    input: z.strictObject({ plan: planRef, path, rationale }),
    async run({ plan, path: file, rationale: why }, context) {
      const result = await call(await context.runtime(), plan, 'fs/delete-file', { path: file }, why, context);
      const output = result.output as { path: string; deleted: true };
      const note = stepNote(result);
      return { text: `deleted ${output.path} — ${note.line}`, structured: { ...output, ...note.structured } };
    },
  }),
  mcpTool({
    name: 'run_command',
    title: 'Run a command',
    description:
      'Run a shell command (sh -c) in the plan’s sandbox, contained: only the sandbox and a private /tmp are writable, no network unless the plan has network: true — or, with network: {allow: [hosts]}, only those hosts, through the proxy HTTPS_PROXY names (any other answers 403). A non-zero exit is a result, not an error: {exitCode, stdout, stderr} with the last 16 KiB of each. A command that changed files is a step (committed, checkpointed); one that changed nothing is a read (kind: read, its number in read, for plan_logs), with no step, commit or checkpoint.',
    output: runCommandResult,
    // any shell text, with the network when the plan has network: true
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    input: z.strictObject({
      plan: planRef,
      command: z.string().min(1).max(64 * 1024).meta({ description: 'Shell text, run with sh -c in the sandbox root' }),
      timeoutMs: z.number().int().positive().max(3_600_000).meta({ description: 'Kill it after this many milliseconds (default 60000)' }).optional(),
      rationale,
    }),
    // a restarted server reads the answer from the step the command became (it ran again on restore)
    task: { resume: async ({ plan, command }, context) => commandAnswer(await resumedCommand(await context.runtime(), plan, command)) },
    async run({ plan, command, timeoutMs, rationale: why }, context) {
      const input = { command, ...(timeoutMs === undefined ? {} : { timeoutMs }) };
      return commandAnswer(await call(await context.runtime(), plan, 'shell/exec', input, why, context));
    },
  }),
  mcpTool({
    name: 'call_tool',
    title: 'Call a troupe tool',
    description:
      'Call any tool registered with troupe (a built-in such as fs/write-file or shell/exec, or one a plugin adds) on the plan’s sandbox, with its own input. A call that changes nothing is a read (kind: read); one that changes files is a step.',
    output: callToolResult,
    // a plugin's tool or shell/exec may do anything a command may
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    input: z.strictObject({
      plan: planRef,
      tool: z.string().min(1).max(200).meta({ description: 'The tool’s name, e.g. fs/write-file or acme/format' }),
      input: z.record(z.string(), z.unknown()).meta({ description: 'The tool’s input, as its schema says' }).optional(),
      rationale,
    }),
    async run({ plan, tool, input, rationale: why }, context) {
      const result = await call(await context.runtime(), plan, tool, input ?? {}, why, context);
      const note = stepNote(result);
      return { text: `${tool}: ${JSON.stringify(result.output)} — ${note.line}`, structured: { output: result.output, ...note.structured } };
    },
  }),
];
