import { z } from 'zod';
import {
  AGENT_SANDBOX_TOOLS,
  TroupeError,
  ValidationError,
  errorText,
  inputJsonSchema,
  parseOrThrow,
  planBrief,
  stepSchema,
  toPlanError,
  type ConversationMessage,
  type ModelToolResult,
  type ModelToolSpec,
  type Step,
} from '../../src/domain/index.js';
import type { Strategist, StrategistContext, StrategistInput } from '../types.js';

// the strategist reads the project, it never writes: only the read tools are offered
const READ_TOOLS = AGENT_SANDBOX_TOOLS.filter((tool) => tool.reads);
const proposal = z.strictObject({
  rationale: z.string().min(1).max(4000).meta({ description: 'Why these steps reach the goal' }),
  steps: z
    .array(stepSchema)
    .max(200)
    .meta({ description: 'The steps, in order: {title, tool, input} or {title, subplans: {...}}' }),
});
const PROPOSE: ModelToolSpec = {
  name: 'propose_strategy',
  description:
    'Decide the plan’s strategy: its steps in order, and why. troupe checks them as it checks a plan file’s; when it refuses them the answer says which field and why: fix that and call it again.',
  inputSchema: { type: 'object', ...inputJsonSchema(proposal) },
};
// how many files of the project the model is shown up front (it can list more)
const SHOWN_FILES = 200;

/**
 * The LLM strategist: the plan's model reads the goal, the
 * invariants and the project (a child: what its parent decided), may read
 * files, and proposes the steps — tool steps and `subplans` groups — with
 * `propose_strategy`. The proposal is checked as a plan file's steps are; a
 * refused one goes back to the model, which tries again, up to
 * `agent.maxSteps` calls (then `MODEL_STEP_LIMIT`). Each call is recorded as
 * a `model_call` decision. Chosen by `agent.strategize: true` in a plan
 * file, or for every plan by `"actors": {"strategist": "llm"}`.
 *
 * @example
 * createRuntime({ dir, actors: { strategist: llmStrategist } });
 */
export const llmStrategist: Strategist = {
  name: 'llm',
  async strategize(input, context) {
    const { spec } = input;
    if (!context.model || !spec.agent) {
      throw new ValidationError(
        [{ path: 'agent', message: 'the llm strategist needs the plan’s model: add an agent block (agent.model)' }],
        { subject: spec.name, hint: 'see docs/how-to/agents.md' },
      );
    }
    const messages: ConversationMessage[] = [{ role: 'user', text: await opening(input, context) }];
    const system = systemText(context, spec.agent.system);
    for (let call = 1; call <= spec.agent.maxSteps; call += 1) {
      const turn = await context.model({
        system,
        messages,
        tools: [
          ...READ_TOOLS.map(({ name, description, input: schema }) => ({
            name,
            description,
            inputSchema: { type: 'object', ...inputJsonSchema(schema) },
          })),
          PROPOSE,
        ],
      });
      messages.push({ role: 'assistant', text: turn.text, toolCalls: turn.toolCalls });
      if (turn.toolCalls.length === 0) {
        messages.push({
          role: 'user',
          text: 'A strategy is decided only by calling propose_strategy with its steps. Call it now.',
        });
        continue;
      }
      const results: ModelToolResult[] = [];
      let accepted: { steps: Step[]; rationale: string } | null = null;
      for (const toolCall of turn.toolCalls) {
        const answer = toolCall.invalid
          ? refusal(new ValidationError([{ path: toolCall.name, message: toolCall.invalid }], { subject: 'tool call' }))
          : await answerCall(toolCall.name, toolCall.input, context);
        if (answer.accepted) accepted = answer.accepted;
        results.push({ id: toolCall.id, name: toolCall.name, text: answer.text, isError: answer.isError });
      }
      messages.push({ role: 'tool', results });
      if (accepted) return { steps: accepted.steps, rationale: accepted.rationale };
    }
    throw new TroupeError(
      'MODEL_STEP_LIMIT',
      `the model of ${spec.name} made its ${spec.agent.maxSteps} call(s) (agent.maxSteps) without a strategy troupe accepts`,
      {
        hint: `see its proposals in troupe plan explain ${spec.name}; run troupe plan strategize ${spec.name} to let it try again`,
      },
    );
  },
};

interface Answer {
  text: string;
  isError: boolean;
  accepted?: { steps: Step[]; rationale: string };
}

// one tool call of the strategist's model: a read of the project, or its proposal
async function answerCall(name: string, args: unknown, context: StrategistContext): Promise<Answer> {
  try {
    if (name === PROPOSE.name) {
      const { steps, rationale } = parseOrThrow(proposal, args, { subject: name });
      const issues = context.checkSteps(steps);
      if (issues.length > 0)
        throw new ValidationError(issues, {
          subject: 'strategy',
          hint: 'fix what each line names and call propose_strategy again',
        });
      return { text: `troupe accepted the ${steps.length} step(s)`, isError: false, accepted: { steps, rationale } };
    }
    const tool = READ_TOOLS.find((read) => read.name === name);
    if (!tool)
      throw new ValidationError(
        [
          {
            path: 'tool',
            message: `unknown tool "${name}": while strategizing you may call ${[...READ_TOOLS.map((read) => read.name), PROPOSE.name].join(', ')}`,
          },
        ],
        { subject: 'tool call' },
      );
    const result = await context.callTool(tool.tool, parseOrThrow(tool.input, args, { subject: name }));
    return result.success
      ? { text: tool.answer(result.output, ''), isError: false }
      : { text: errorText(result.error), isError: true };
  } catch (error) {
    return refusal(error);
  }
}

function refusal(error: unknown): Answer {
  return { text: errorText(toPlanError(error, 'strategize')), isError: true };
}

// the goal, the checks, the parent, and the start of the file list
async function opening(input: StrategistInput, context: StrategistContext): Promise<string> {
  const listing = await context.callTool('fs/list-files', {});
  const files = listing.success ? (listing.output as { files: string[] }).files : [];
  const parent = input.parent
    ? { name: input.parent.name, goal: input.parent.goal, decisions: input.parent.decisions }
    : undefined;
  const brief = planBrief(input.spec, input.reconciliation ? input.invariants : [], {
    files: files.slice(0, SHOWN_FILES),
    totalFiles: files.length,
    ...(parent ? { parent } : {}),
  });
  return `${brief}\n\nDecide the strategy: read what you need, then call propose_strategy.`;
}

function systemText(context: StrategistContext, extra: string | undefined): string {
  const tools = context.tools
    .map((tool) => `- ${tool.name}: ${tool.description}\n  input: ${JSON.stringify(tool.inputSchema)}`)
    .join('\n');
  return [
    'You decide the strategy of a troupe plan: a unit of work on a git project that troupe later runs step by step in a sandbox of its own (a git worktree).',
    'Now you may only read the project (read_file, list_files, search_files); nothing you do here changes it.',
    'When you know what to do, call propose_strategy once with the steps in order and why. A step is either',
    '- {"title": …, "tool": …, "input": {…}}: one call of a troupe tool (listed below with its input), or',
    '- {"title": …, "subplans": {"mode": "sequential" | "parallel" | "dependency-ordered", "entries": [{"goal": …, "resourceScopes": [globs], "strategy": {"steps": [...]}}]}}: child plans, each in a sandbox of its own, merged back into this one.',
    'Paths are relative to the sandbox root. A child without strategy is driven by the same model when it runs.',
    `The tools a step may call:\n${tools}`,
    ...(extra ? [`Instructions from the plan file:\n${extra}`] : []),
  ].join('\n');
}
