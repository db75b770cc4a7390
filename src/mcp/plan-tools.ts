import { z } from 'zod';
import {
  MERGE_STRATEGIES,
  PHASES,
  parsePlanFile,
  planFileSchema,
  parsePlanText,
  type PlanRecord,
} from '../domain/index.js';
import type { Runtime } from '../runtime/index.js';
import { READS, mcpTool, planRef, type McpTool } from './mcp-tool.js';
import {
  planChangesResult,
  planExplainResult,
  planListResult,
  planResult,
  planTreeResult,
  planUpdateResult,
} from './plan-results.js';
import { decisionTreeText, planLine } from './plan-lines.js';

// a child plan's line names its parent (where it goes once validated)
async function lineOf(rt: Runtime, record: PlanRecord, conflicts = 0): Promise<string> {
  const parent = record.parentId === null ? undefined : (await rt.getPlan(record.parentId)).name;
  return planLine(record, conflicts, parent);
}

const planText = z.string().min(1).meta({ description: 'The plan file as YAML or JSON text' });

const until = z.enum(PHASES).meta({ description: 'Stop after this phase, whatever the automation says' }).optional();

/** The plan lifecycle tools of `troupe mcp`: create, list, status, explain, changes, run, finish, apply, cancel, update, tree. */
export const PLAN_TOOLS: McpTool[] = [
  mcpTool({
    name: 'plan_create',
    title: 'Create a plan',
    description:
      'Create a plan from a plan spec (the plan file as an object or YAML/JSON text: name, goal, resourceScopes, invariants, validate…). A spec without strategy.steps is agent-driven: it is strategized at once and stays open in execute for your tool calls (write_file, run_command…) until plan_finish. Returns the plan record.',
    output: planResult,
    // an agent-driven plan strategizes at once: its command checks run for a baseline
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    // parsed by the plan-file parser (depth, __proto__ keys, hints), listed as the plan file's own schema
    input: z.strictObject({ spec: z.union([z.record(z.string(), z.unknown()), planText]) }),
    listedInput: z.strictObject({
      spec: z
        .union([planFileSchema, planText])
        .meta({ description: 'The plan file (docs/reference/plan-file.md): an object, or its YAML/JSON text' }),
    }),
    async run({ spec }, { runtime }) {
      const rt = await runtime();
      const source = typeof spec === 'string' ? parsePlanText(spec, 'spec') : spec;
      const created = await rt.createPlan(source, { origin: 'spec' });
      // an agent-driven plan (no strategy) is opened for its agent straight away
      const plan =
        parsePlanFile(source).strategy === undefined ? await rt.run(created.id, { until: 'execute' }) : created;
      return { text: `created ${planLine(plan)}`, structured: { plan } };
    },
  }),
  mcpTool({
    name: 'plan_list',
    title: 'List plans',
    description: 'The plans of the project that have not ended (all of them with all: true), one line each.',
    output: planListResult,
    annotations: READS,
    input: z.strictObject({
      all: z.boolean().meta({ description: 'Include plans that ended (done, cancelled, invalidated)' }).optional(),
    }),
    async run({ all }, { runtime }) {
      const rt = await runtime();
      const plans = await rt.listPlans(all ? { all } : {});
      const summaries = plans.map(({ id, name, phase, status, parentId, agentDriven }) => ({
        id,
        name,
        phase,
        status,
        parentId,
        agentDriven,
      }));
      // each plan's own open conflicts (only a waiting plan can have any), as plan_status counts them
      const conflicts = await Promise.all(
        plans.map(async (plan) => (plan.status === 'waiting' ? (await rt.conflicts(plan.id)).conflicts.length : 0)),
      );
      const names = new Map(plans.map((plan) => [plan.id, plan.name]));
      const lines = plans.map((plan, index) =>
        planLine(plan, conflicts[index], plan.parentId === null ? undefined : names.get(plan.parentId)),
      );
      return { text: plans.length === 0 ? 'no plans' : lines.join('\n'), structured: { plans: summaries } };
    },
  }),
  mcpTool({
    name: 'plan_status',
    title: 'Plan status',
    description:
      'The plan record (SPEC §13): phase, status, last step, sandbox, child plans, error — and what to do next.',
    output: planResult,
    annotations: READS,
    input: z.strictObject({ plan: planRef }),
    async run({ plan }, { runtime }) {
      const rt = await runtime();
      const record = await rt.getPlan(plan);
      const conflicts = record.status === 'waiting' ? (await rt.conflicts(record.id)).conflicts.length : 0;
      return { text: await lineOf(rt, record, conflicts), structured: { plan: record } };
    },
  }),
  mcpTool({
    name: 'plan_explain',
    title: 'Explain a plan',
    description:
      'The plan’s decision tree: its strategy, every step with the rationale it was taken for, reconciliations, merges, rollbacks.',
    output: planExplainResult,
    annotations: READS,
    input: z.strictObject({ plan: planRef }),
    async run({ plan }, { runtime }) {
      const tree = await (await runtime()).explain(plan);
      return {
        text: tree.root ? decisionTreeText(tree.root) : 'no decisions yet (the plan has not strategized)',
        structured: { ...tree },
      };
    },
  }),
  mcpTool({
    name: 'plan_changes',
    title: 'What a plan changed',
    description:
      'The files the plan changed in its sandbox (added, modified, deleted, lines); with patch: true also the unified diff (at most maxBytes, default 64 KiB).',
    output: planChangesResult,
    annotations: READS,
    input: z.strictObject({
      plan: planRef,
      patch: z.boolean().meta({ description: 'Include the unified diff' }).optional(),
      maxBytes: z
        .number()
        .int()
        .min(1)
        .max(16 * 1024 * 1024)
        .meta({ description: 'Bound on the diff (default 65536)' })
        .optional(),
    }),
    async run({ plan, patch, maxBytes }, { runtime }) {
      const rt = await runtime();
      const changes = await rt.changes(plan);
      const files = changes?.files ?? [];
      const listing =
        files.length === 0
          ? 'no changes'
          : files
              .map((file) => `${file.action.padEnd(8)} ${file.path} (+${file.linesAdded} -${file.linesRemoved})`)
              .join('\n');
      if (!patch) return { text: listing, structured: { changes } };
      const diff = await rt.patch(plan, { maxBytes: maxBytes ?? 64 * 1024 });
      return {
        text: `${listing}\n\n${diff.patch}${diff.truncated ? '\n… (truncated: ask for a larger maxBytes)' : ''}`,
        structured: { changes, patch: diff.patch, truncated: diff.truncated },
      };
    },
  }),
  mcpTool({
    name: 'plan_run',
    title: 'Run a plan',
    description:
      'Drive a plan as far as its automation allows (or until a phase): an agent-driven plan stops open in execute for your tool calls; a scripted one runs its steps. Returns the plan record where it stopped.',
    output: planResult,
    // a scripted plan's steps run commands, which may reach the network
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    input: z.strictObject({ plan: planRef, until }),
    // run again by a restarted server, it resumes driving the plan from its last transition
    task: {},
    async run({ plan, until: phase }, { runtime }) {
      const rt = await runtime();
      const record = await rt.run(plan, phase ? { until: phase } : {});
      return { text: await lineOf(rt, record), structured: { plan: record } };
    },
  }),
  mcpTool({
    name: 'plan_finish',
    title: 'Finish an agent-driven plan',
    description:
      'You are done with the open plan’s tool calls: execute completes and the plan runs on as its automation says (by default validate runs and it stops validated, ready for plan_apply — or, for a child plan, for its parent’s subplan_wait to merge it back). Returns the plan record.',
    output: planResult,
    // validate runs the plan's commands
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    input: z.strictObject({ plan: planRef, until }),
    async run({ plan, until: phase }, { runtime }) {
      const rt = await runtime();
      const record = await rt.finish(plan, phase ? { until: phase } : {});
      return { text: await lineOf(rt, record), structured: { plan: record } };
    },
  }),
  mcpTool({
    name: 'plan_apply',
    title: 'Apply a plan',
    description:
      'Bring a validated plan’s changes into the project as one commit (merged if the branch moved on). Conflicts make it wait: see plan_conflicts and plan_resolve, or pass strategy ours/theirs/fail-on-conflict.',
    output: planResult,
    // a commit on the user's branch, merged over what is there
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    input: z.strictObject({
      plan: planRef,
      strategy: z
        .enum(MERGE_STRATEGIES)
        .meta({ description: 'How conflicts are settled (default three-way: they wait for plan_resolve)' })
        .optional(),
    }),
    async run({ plan, strategy }, { runtime }) {
      const record = await (await runtime()).runPhase(plan, 'apply', strategy ? { strategy } : {});
      return {
        text: `${planLine(record)}${record.appliedCommit ? ` — applied as ${record.appliedCommit.slice(0, 7)}` : ''}`,
        structured: { plan: record },
      };
    },
  }),
  mcpTool({
    name: 'plan_cancel',
    title: 'Cancel a plan',
    description: 'Stop a plan for good (a running step is aborted; its children stop too).',
    output: planResult,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    input: z.strictObject({
      plan: planRef,
      reason: z.string().max(2000).meta({ description: 'Why, recorded in the journal' }).optional(),
    }),
    async run({ plan, reason }, { runtime }) {
      const record = await (await runtime()).cancel(plan, reason ? { reason } : {});
      return { text: planLine(record), structured: { plan: record } };
    },
  }),
  mcpTool({
    name: 'plan_update',
    title: 'Update a live plan',
    description:
      'Go on with the plan’s edited plan file (before apply): its validate, env, invariants, sandbox.limits and network change; any other field must stay as it is.',
    output: planUpdateResult,
    // the plan's checks and commands are replaced; nothing runs
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    input: z.strictObject({
      plan: planRef,
      spec: z.union([z.record(z.string(), z.unknown()), planText]).meta({ description: 'The edited plan file' }),
      reason: z.string().max(2000).meta({ description: 'Why, recorded in the decision' }).optional(),
    }),
    async run({ plan, spec, reason }, { runtime }) {
      const rt = await runtime();
      const source = typeof spec === 'string' ? parsePlanText(spec, 'spec') : spec;
      const result = await rt.updatePlan(plan, source, { origin: 'spec', ...(reason ? { reason } : {}) });
      const text =
        result.changed.length === 0
          ? `nothing changed: ${planLine(result.plan)}`
          : `updated ${result.changed.join(', ')}: ${planLine(result.plan)}`;
      return { text, structured: { ...result } };
    },
  }),
  mcpTool({
    name: 'plan_tree',
    title: 'Plan tree',
    description: 'The plan and its child plans, recursively, with phase, status and attempt.',
    output: planTreeResult,
    annotations: READS,
    input: z.strictObject({ plan: planRef }),
    async run({ plan }, { runtime }) {
      const tree = await (await runtime()).tree(plan);
      const lines: string[] = [];
      const walk = (node: typeof tree, depth: number) => {
        lines.push(`${'  '.repeat(depth)}${node.name} (${node.id}): ${node.phase} · ${node.status}`);
        node.children.forEach((child) => walk(child, depth + 1));
      };
      walk(tree, 0);
      return { text: lines.join('\n'), structured: { ...tree } };
    },
  }),
];
