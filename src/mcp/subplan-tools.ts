import { z } from 'zod';
import { spawnOverlapLines, subplanChildrenSchema, subplanMaxParallel, subplanOverlap } from '../domain/index.js';
import { READS, mcpTool, planRef, rationale, type McpTool } from './mcp-tool.js';
import { subplanSpawnResult, subplanWaitResult } from './subplan-results.js';
import { planLine } from './plan-lines.js';

// a wait answers before the usual client request timeout (60 s): the agent calls again
const DEFAULT_WAIT_MS = 45_000;

/** The subplan and checkpoint tools of `troupe mcp` (SPEC §16). */
export const SUBPLAN_TOOLS: McpTool[] = [
  mcpTool({
    name: 'subplan_spawn',
    title: 'Spawn child plans',
    description:
      'Split the open plan’s work into agent-driven child plans, each with its own sandbox branched from the plan’s, run side by side (at most maxParallel at once). Each child is open for tool calls by id (another agent session can take it); finish each with plan_finish, then subplan_wait merges them back into this plan (three-way; conflicts wait for plan_resolve).',
    output: subplanSpawnResult,
    // each child strategizes as it starts: the command checks it inherits run for a baseline
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    input: z.strictObject({
      plan: planRef,
      children: subplanChildrenSchema,
      maxParallel: subplanMaxParallel.optional(),
      overlap: subplanOverlap.optional(),
      rationale,
    }),
    async run({ plan, children, maxParallel, overlap, rationale: why }, context) {
      const runtime = await context.runtime();
      const request = {
        children,
        actor: context.client,
        ...(maxParallel === undefined ? {} : { maxParallel }),
        ...(overlap === undefined ? {} : { overlap }),
        ...(why === undefined ? {} : { rationale: why }),
      };
      const result = await runtime.spawnSubplans(plan, request);
      const lines = result.children.map((child) => `${child.name} (${child.id}): ${child.status} — ${child.goal}`);
      return {
        text: `step ${result.step + 1} spawned ${result.children.length} child plan(s); work on each by its id, plan_finish it, then subplan_wait:\n${[...lines, ...spawnOverlapLines(result.overlap)].join('\n')}`,
        structured: { ...result, step: result.step + 1 },
      };
    },
  }),
  mcpTool({
    name: 'subplan_wait',
    title: 'Wait for child plans',
    description:
      'Wait until the plan’s children ended and were merged back (the plan is open again), or their merge conflicts wait for plan_resolve, or one failed. Answers after timeoutMs (default 45000) with done: false when they are still running: call it again.',
    output: subplanWaitResult,
    annotations: READS,
    input: z.strictObject({
      plan: planRef,
      timeoutMs: z
        .number()
        .int()
        .min(0)
        .max(600_000)
        .meta({ description: 'How long to wait (default 45000)' })
        .optional(),
    }),
    // run again by a restarted server, it waits again (the whole timeoutMs)
    task: {},
    async run({ plan, timeoutMs }, { runtime }) {
      const result = await (await runtime()).waitSubplans(plan, { timeoutMs: timeoutMs ?? DEFAULT_WAIT_MS });
      const children = result.children.map((child) => `  ${child.name} (${child.id}): ${child.status}`);
      const head = result.done
        ? planLine(result.plan, result.conflicts.length)
        : `still running: ${planLine(result.plan)} — call subplan_wait again`;
      const conflicts = result.conflicts.map(
        (conflict) => `  conflict: ${conflict.file} (${conflict.kind}, from ${conflict.child ?? 'apply'})`,
      );
      return { text: [head, ...children, ...conflicts].join('\n'), structured: { ...result } };
    },
  }),
];
