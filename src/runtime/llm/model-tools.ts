import { z } from 'zod';
import {
  AGENT_SANDBOX_TOOLS,
  ValidationError,
  asTroupeError,
  boundedResult,
  checkpointLabel,
  errorText,
  inputJsonSchema,
  parseOrThrow,
  subplanChildrenSchema,
  subplanMaxParallel,
  subplanOverlap,
  spawnOverlapLines,
  type ModelToolCall,
  type ModelToolResult,
  type ModelToolSpec,
  type PlanRecord,
} from '../../domain/index.js';
import type { AgentMethods, ToolCallResult } from '../agent/index.js';

/** What the model's tools call: the agent calls of the plan (the same an MCP agent makes) and its checkpoints. */
export interface ModelToolHost {
  agents: Pick<AgentMethods, 'callTool' | 'spawnSubplans' | 'waitSubplans'>;
  createCheckpoint(planId: string, label: string): Promise<{ id: string; label: string | null }>;
}

const spawnInput = z.strictObject({
  children: subplanChildrenSchema,
  maxParallel: subplanMaxParallel.optional(),
  overlap: subplanOverlap.optional(),
});
const waitInput = z.strictObject({
  timeoutMs: z
    .number()
    .int()
    .min(0)
    .max(86_400_000)
    .meta({ description: 'How long to wait at most (default: until they end)' })
    .optional(),
});
const labelInput = z.strictObject({ label: checkpointLabel });

/**
 * The tools of a plan's model: the sandbox tools an MCP agent
 * gets, with the same names, descriptions and input schemas
 * (src/domain/agent-tools.ts), and `subplan_spawn`, `subplan_wait`,
 * `checkpoint_create`. Every call goes through the runtime's agent calls,
 * so each writing call is one step, a read is no step, commands are
 * contained, and a call troupe refuses is recorded; here it is also an
 * answer the model reads (`error[CODE]: …`), never an exception.
 *
 * @example
 * const tools = modelTools(host, planId, 'anthropic:claude-sonnet-4-5');
 * const result = await tools.run({ id: 'c1', name: 'write_file', input: { path: 'a.txt', content: 'a' } }, 'start the notes');
 */
export function modelTools(
  host: ModelToolHost,
  planId: string,
  actor: string,
): { specs: ModelToolSpec[]; run(call: ModelToolCall, rationale: string): Promise<ModelToolResult> } {
  const listed = (name: string, description: string, input: z.ZodObject): ModelToolSpec => ({
    name,
    description,
    inputSchema: { type: 'object', ...inputJsonSchema(input) },
  });
  const specs = [
    ...AGENT_SANDBOX_TOOLS.map((tool) => listed(tool.name, tool.description, tool.input)),
    listed(
      'subplan_spawn',
      'Split the work into child plans, each with a goal and the files it may write (default: this plan’s), in a sandbox of its own branched from this one, run side by side (at most maxParallel at once) and driven by the same model. Then call subplan_wait: it returns once they are merged back into this plan.',
      spawnInput,
    ),
    listed(
      'subplan_wait',
      'Wait until this plan’s child plans ended and were merged back (then this plan is open for your calls again), or one failed, or timeoutMs passed (default: as long as they take).',
      waitInput,
    ),
    listed(
      'checkpoint_create',
      'Take a checkpoint of the plan as it is now — files, decisions, child plans — that the user can roll back to by its label.',
      labelInput,
    ),
  ];
  return {
    specs,
    async run(call, rationale) {
      const text = await answer(host, planId, actor, call, rationale === '' ? undefined : rationale).catch(
        (error: unknown) => ({ text: errorText(asTroupeError(error).toJSON()), isError: true }),
      );
      return { id: call.id, name: call.name, text: boundedResult(text.text), isError: text.isError };
    },
  };
}

async function answer(
  host: ModelToolHost,
  planId: string,
  actor: string,
  call: ModelToolCall,
  rationale: string | undefined,
): Promise<{ text: string; isError: boolean }> {
  if (call.invalid)
    throw new ValidationError([{ path: call.name, message: call.invalid }], {
      subject: 'tool call',
      hint: 'call it again with JSON input its schema allows',
    });
  const sandbox = AGENT_SANDBOX_TOOLS.find((tool) => tool.name === call.name);
  const why = rationale === undefined ? {} : { rationale };
  if (sandbox) {
    const input = parseOrThrow(sandbox.input, call.input, { subject: call.name });
    const result = await host.agents.callTool(planId, { tool: sandbox.tool, input, actor, callId: call.id, ...why });
    if (!result.ok) return { text: errorText(result.error), isError: true };
    return { text: sandbox.answer(result.output, stepLine(result)), isError: false };
  }
  if (call.name === 'subplan_spawn') {
    const { children, maxParallel, overlap } = parseOrThrow(spawnInput, call.input, { subject: call.name });
    const spawned = await host.agents.spawnSubplans(planId, {
      children,
      actor,
      callId: call.id,
      ...why,
      ...(maxParallel === undefined ? {} : { maxParallel }),
      ...(overlap === undefined ? {} : { overlap }),
    });
    const lines = spawned.children.map((child) => `${child.name} (${child.id}): ${child.status} — ${child.goal}`);
    return {
      text: `step ${spawned.step + 1} spawned ${spawned.children.length} child plan(s), each driven by this model in a sandbox of its own; call subplan_wait for them to be merged back:\n${[...lines, ...spawnOverlapLines(spawned.overlap)].join('\n')}`,
      isError: false,
    };
  }
  if (call.name === 'subplan_wait') {
    const { timeoutMs } = parseOrThrow(waitInput, call.input, { subject: call.name });
    const waited = await host.agents.waitSubplans(planId, timeoutMs === undefined ? {} : { timeoutMs });
    const children = waited.children.map((child) => `  ${child.name}: ${child.status}`);
    const conflicts = waited.conflicts.map(
      (conflict) => `  conflict: ${conflict.file} (from ${conflict.child ?? 'apply'})`,
    );
    const head = !waited.done
      ? 'still running: call subplan_wait again'
      : conflicts.length > 0
        ? 'the merge has conflicts: the user settles them (troupe plan resolve)'
        : `ended: ${planLine(waited.plan)}`;
    return { text: [head, ...children, ...conflicts].join('\n'), isError: false };
  }
  if (call.name === 'checkpoint_create') {
    const { label } = parseOrThrow(labelInput, call.input, { subject: call.name });
    const checkpoint = await host.createCheckpoint(planId, label);
    return { text: `checkpoint ${checkpoint.id} "${checkpoint.label ?? label}" taken`, isError: false };
  }
  throw new ValidationError(
    [
      {
        path: 'tool',
        message: `unknown tool "${call.name}" (tools: ${[...AGENT_SANDBOX_TOOLS.map((tool) => tool.name), 'subplan_spawn', 'subplan_wait', 'checkpoint_create'].join(', ')})`,
      },
    ],
    { subject: 'tool call' },
  );
}

// where a call left the plan: the step it became and its commit, or the read it was; and a plan that is no longer open
function stepLine(result: Extract<ToolCallResult, { ok: true }>): string {
  const where =
    result.step === null
      ? result.read === null
        ? 'read (no step)'
        : `read ${result.read} (nothing changed: no step)`
      : `step ${result.step + 1}${result.wrote ? `, commit ${result.commit?.slice(0, 7)}` : ', nothing changed'}`;
  const open = result.plan.phase === 'execute' && result.plan.status === 'waiting';
  return open ? where : `${where}\nthe plan is no longer open: ${planLine(result.plan)}`;
}

function planLine(plan: PlanRecord): string {
  return `${plan.name} is (${plan.phase}, ${plan.status})${plan.error ? ` — ${plan.error.code}: ${plan.error.message}` : ''}`;
}
