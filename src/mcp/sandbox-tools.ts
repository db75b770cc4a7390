import { z } from 'zod';
import { resumedCommand } from './command-resume.js';
import { AGENT_SANDBOX_TOOLS, type AgentSandboxTool, type CommandOutput, type PlanRecord } from '../domain/index.js';
import type { Runtime, ToolCallResult } from '../runtime/index.js';
import {
  READS,
  mcpTool,
  planRef,
  rationale,
  type McpTool,
  type McpToolAnnotations,
  type McpToolContext,
} from './mcp-tool.js';
import {
  applyPatchResult,
  callToolResult,
  deleteFileResult,
  editFileResult,
  listFilesResult,
  readFileResult,
  runCommandResult,
  searchFilesResult,
  writeFileResult,
} from './sandbox-results.js';
import { planLine } from './plan-lines.js';

/** What a tool call on a plan's sandbox answered: the call's output, or the troupe error that refused it. */
export class RefusedCall extends Error {
  constructor(readonly result: Extract<ToolCallResult, { ok: false }>) {
    super(result.error.message);
  }
}

// one call on the plan's open sandbox: the step (or read) it becomes, or RefusedCall
async function call(
  runtime: Runtime,
  plan: string,
  tool: string,
  input: Record<string, unknown>,
  why: string | undefined,
  context: McpToolContext,
) {
  const result = await runtime.callTool(plan, {
    tool,
    input,
    actor: context.client,
    ...(why === undefined ? {} : { rationale: why }),
  });
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
  structured: {
    kind: 'step' | 'read';
    step: number | null;
    read: number | null;
    commit: string | null;
    wrote: boolean;
    plan: PlanRecord;
  };
} {
  const step = stepNumber(result.step);
  const where =
    step === null
      ? result.read === null
        ? 'read (no step)'
        : `read ${result.read} (nothing changed: no step)`
      : `step ${step}${result.wrote ? `, commit ${result.commit?.slice(0, 7)}` : ', nothing changed'}`;
  const structured = {
    kind: step === null ? ('read' as const) : ('step' as const),
    step,
    read: result.read,
    commit: result.commit,
    wrote: result.wrote,
    plan: result.plan,
  };
  return {
    line: `${where}${stillOpen(result.plan) ? '' : `\nthe plan is no longer open: ${planLine(result.plan)}`}`,
    structured,
  };
}

// run_command's answer: how the command ended, the step it became, and the tails of its output
function commandAnswer(result: Extract<ToolCallResult, { ok: true }>) {
  const output = result.output as CommandOutput;
  const note = stepNote(result);
  return { text: RUN_COMMAND.answer(output, note.line), structured: { ...output, ...note.structured } };
}

function stillOpen(plan: PlanRecord): boolean {
  return plan.phase === 'execute' && plan.status === 'waiting';
}

// what each sandbox tool answers as structured content, and what a client may assume of it
const RESULTS: Record<string, z.ZodObject> = {
  read_file: readFileResult,
  list_files: listFilesResult,
  search_files: searchFilesResult,
  write_file: writeFileResult,
  edit_file: editFileResult,
  apply_patch: applyPatchResult,
  delete_file: deleteFileResult,
  run_command: runCommandResult,
};
const ANNOTATIONS: Record<string, McpToolAnnotations> = {
  read_file: READS,
  list_files: READS,
  search_files: READS,
  // it overwrites the file's content; as a step it is reconciled, which runs the plan's command checks
  write_file: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  // it changes the file's content; the same edits twice do not give the same file; reconciled like write_file
  edit_file: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  // like edit_file: the same patch twice does not apply twice
  apply_patch: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  // reconciled like write_file
  delete_file: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  // any shell text, with the network when the plan has network: true
  run_command: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
};
const RUN_COMMAND = AGENT_SANDBOX_TOOLS.find((tool) => tool.name === 'run_command')!;

// an agent sandbox tool (src/domain/agent-tools.ts) as an MCP tool: the plan it acts on and the caller's rationale added
function sandboxTool(tool: AgentSandboxTool): McpTool {
  return mcpTool({
    name: tool.name,
    title: tool.title,
    description: tool.description,
    output: RESULTS[tool.name]!,
    annotations: ANNOTATIONS[tool.name]!,
    input: z.strictObject({ plan: planRef, ...tool.input.shape, rationale }),
    ...(tool.name === 'run_command'
      ? // a restarted server reads the answer from the step the command became (it ran again on restore)
        {
          task: {
            resume: async ({ plan, command }: Record<string, unknown>, context: McpToolContext) =>
              commandAnswer(await resumedCommand(await context.runtime(), plan as string, command as string)),
          },
        }
      : {}),
    async run({ plan, rationale: why, ...input }, context) {
      const result = await call(
        await context.runtime(),
        plan as string,
        tool.tool,
        input,
        why as string | undefined,
        context,
      );
      if (tool.reads)
        return { text: tool.answer(result.output, ''), structured: { ...(result.output as Record<string, unknown>) } };
      if (tool.name === 'run_command') return commandAnswer(result);
      const note = stepNote(result);
      return {
        text: tool.answer(result.output, note.line),
        structured: { ...(result.output as Record<string, unknown>), ...note.structured },
      };
    },
  });
}

/**
 * The sandbox tools of `troupe mcp` (SPEC §16): each is a tool call on an
 * open agent-driven plan, run through the ToolRunner in the plan's
 * contained sandbox. Writes and commands become steps (a decision with
 * your rationale, a commit when it wrote, a checkpoint, reconciliation);
 * reads are recorded as `tool_call` decisions.
 */
export const SANDBOX_TOOLS: McpTool[] = [
  ...AGENT_SANDBOX_TOOLS.map(sandboxTool),
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
      return {
        text: `${tool}: ${JSON.stringify(result.output)} — ${note.line}`,
        structured: { output: result.output, ...note.structured },
      };
    },
  }),
];
