import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { Runtime } from '../runtime/index.js';

/** One argument of a prompt, as `prompts/list` shows it. */
interface PromptArgument {
  name: string;
  description: string;
  required: boolean;
}

/** A prompt of `troupe mcp`: a ready-made request a user picks in their client (Claude Code shows them as slash commands). */
interface TroupePrompt {
  name: string;
  title: string;
  description: string;
  arguments: PromptArgument[];
  text(args: Record<string, string>): string;
}

// a comma-separated list of globs as JSON, for the plan spec the prompt asks for
function scopesOf(text: string | undefined): string {
  const globs = (text ?? '')
    .split(',')
    .map((glob) => glob.trim())
    .filter((glob) => glob !== '');
  return JSON.stringify(globs.length > 0 ? globs : ['**']);
}

/** The prompts `troupe mcp` offers (SPEC §16): how to work in a plan, and how to review one. */
export const MCP_PROMPTS: readonly TroupePrompt[] = [
  {
    name: 'work_in_plan',
    title: 'Work in a troupe plan',
    description:
      'Do a task in a contained, checkpointed troupe plan instead of the working tree: every change undoable, nothing reaches the project until you apply it.',
    arguments: [
      { name: 'goal', description: 'What the work should achieve', required: true },
      {
        name: 'scopes',
        description: 'Comma-separated globs the plan may write (default: everything)',
        required: false,
      },
    ],
    text: (args) =>
      [
        `Do this task in a troupe plan: ${args['goal'] ?? ''}`,
        '',
        `1. Create an agent-driven plan with plan_create {spec: {name: "agent/<a-short-name>", goal: ${JSON.stringify(args['goal'] ?? '')}, resourceScopes: ${scopesOf(args['scopes'])}}}. Keep its id.`,
        '2. Work only through the plan: read_file, list_files, write_file, delete_file and run_command (a command that exits non-zero is a result for you to read, not a failure). Give each call a short rationale.',
        '3. Before a risky change, checkpoint_create {label}; if it goes wrong, plan_rollback to it (confirm: true after reading the preview).',
        '4. When the work is done and the tests pass in the sandbox, plan_finish, then show me plan_changes with patch: true.',
        '5. Do not plan_apply until I say so.',
      ].join('\n'),
  },
  {
    name: 'review_plan',
    title: 'Review a troupe plan',
    description: 'Summarise what a plan did and why, what it changed, and whether it is ready to apply.',
    arguments: [{ name: 'plan', description: 'The plan: its id, its name or an id prefix', required: true }],
    text: (args) =>
      [
        `Review the troupe plan ${args['plan'] ?? ''}:`,
        '1. plan_status for where it stands, plan_explain for its decisions and their rationale, plan_changes with patch: true for the diff.',
        '2. If it waits on merge conflicts, show them with plan_conflicts.',
        '3. Tell me in a few lines what it changed and why, anything risky, and whether it is ready for plan_apply. Change nothing.',
      ].join('\n'),
  },
];

/** `prompts/list`. */
export function promptList() {
  return MCP_PROMPTS.map(({ name, title, description, arguments: args }) => ({
    name,
    title,
    description,
    arguments: args,
  }));
}

/** `prompts/get`: the prompt as one user message; an unknown prompt or a missing argument is invalid params, as MCP says. */
export function promptMessages(name: string, args: Record<string, string> = {}) {
  const prompt = MCP_PROMPTS.find((candidate) => candidate.name === name);
  if (!prompt) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${name} (prompts/list lists them)`);
  const missing = prompt.arguments.filter((argument) => argument.required && !(args[argument.name] ?? '').trim());
  if (missing.length > 0)
    throw new McpError(
      ErrorCode.InvalidParams,
      `Prompt ${name} needs ${missing.map((argument) => argument.name).join(', ')}`,
    );
  return {
    description: prompt.description,
    messages: [{ role: 'user' as const, content: { type: 'text' as const, text: prompt.text(args) } }],
  };
}

// at most this many suggestions per completion, as MCP allows
const MAX_COMPLETIONS = 100;

/**
 * `completion/complete`: plan ids and names for the `plan` argument of a
 * prompt and for `{id}` of the `troupe://plans/{id}` templates, those that
 * start with what was typed. Another argument of a known prompt has no
 * suggestions; an unknown prompt or template is invalid params.
 */
export async function completions(
  runtime: Runtime,
  ref: { type: string; name?: string; uri?: string },
  argument: { name: string; value: string },
) {
  const known =
    ref.type === 'ref/prompt'
      ? MCP_PROMPTS.find((prompt) => prompt.name === ref.name)
      : ref.type === 'ref/resource' && typeof ref.uri === 'string' && ref.uri.startsWith('troupe://plans/{id}')
        ? { arguments: [{ name: 'id' }] }
        : undefined;
  if (!known)
    throw new McpError(
      ErrorCode.InvalidParams,
      `Nothing to complete for ${ref.type} ${ref.name ?? ref.uri ?? ''}: troupe completes the plan argument of its prompts and {id} of troupe://plans/{id}`,
    );
  if (argument.name !== 'plan' && argument.name !== 'id')
    return { completion: { values: [], total: 0, hasMore: false } };
  const plans = await runtime.listPlans({ all: true });
  const typed = argument.value.toLowerCase();
  const values = plans
    .flatMap((plan) => (argument.name === 'id' ? [plan.id] : [plan.name, plan.id]))
    .filter((value) => value.toLowerCase().startsWith(typed));
  return {
    completion: {
      values: values.slice(0, MAX_COMPLETIONS),
      total: values.length,
      hasMore: values.length > MAX_COMPLETIONS,
    },
  };
}
