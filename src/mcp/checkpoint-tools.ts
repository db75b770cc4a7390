import { z } from 'zod';
import { checkpointLabel, restoresTo, type CheckpointSummary } from '../domain/index.js';
import type { RollbackPreview } from '../runtime/index.js';
import { READS, mcpTool, planRef, type McpTool } from './mcp-tool.js';
import { checkpointCreateResult, checkpointListResult, planRollbackResult } from './checkpoint-results.js';
import { planLine } from './plan-lines.js';

function checkpointLine(checkpoint: CheckpointSummary): string {
  const label = checkpoint.label === null ? '' : ` "${checkpoint.label}"`;
  return `${checkpoint.id}${label} ${checkpoint.trigger} at ${restoresTo(checkpoint)}, ${checkpoint.sideEffects} write(s)${checkpoint.clean ? '' : ' (invariants failing)'} — ${checkpoint.createdAt}`;
}

function previewText(name: string, preview: RollbackPreview): string {
  const changes = preview.changes.map((change) => `  ${change.action} ${change.file}`);
  const discarded = preview.decisionsToDiscard.map((decision) => `  discard ${decision.type} ${decision.title}`);
  const children = preview.childPlansToInvalidate.map((child) => `  invalidate child ${child.name} (${child.status})`);
  return [
    `rolling ${name} back to ${checkpointLine(preview.checkpoint)} would restore (${preview.restores.phase}, ${preview.restores.status}):`,
    ...(changes.length > 0 ? changes : ['  no file changes']),
    ...discarded,
    ...children,
  ].join('\n');
}

/** The checkpoint tools of `troupe mcp` (SPEC §10, §16): create, list, roll back. */
export const CHECKPOINT_TOOLS: McpTool[] = [
  mcpTool({
    name: 'checkpoint_create',
    title: 'Create a checkpoint',
    description:
      'Take a manual checkpoint of the plan as it is now — files, decisions, child plans and state — to roll back to later by its label or id.',
    output: checkpointCreateResult,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    input: z.strictObject({ plan: planRef, label: checkpointLabel }),
    async run({ plan, label }, { runtime }) {
      const checkpoint = await (await runtime()).createCheckpoint(plan, { label });
      return { text: `checkpoint ${checkpointLine(checkpoint)}`, structured: { checkpoint } };
    },
  }),
  mcpTool({
    name: 'checkpoint_list',
    title: 'List checkpoints',
    description:
      'The plan’s checkpoints, oldest first: automatic ones (each phase, each step) and the ones made with checkpoint_create.',
    output: checkpointListResult,
    annotations: READS,
    input: z.strictObject({ plan: planRef }),
    async run({ plan }, { runtime }) {
      const checkpoints = await (await runtime()).checkpoints(plan);
      return {
        text: checkpoints.length === 0 ? 'no checkpoints' : checkpoints.map(checkpointLine).join('\n'),
        structured: { checkpoints },
      };
    },
  }),
  mcpTool({
    name: 'plan_rollback',
    title: 'Roll a plan back',
    description:
      'Put the plan back as it was at a checkpoint (default: the newest one before where the plan stands now): its sandbox files, decisions, child plans and state. Without confirm: true it answers the preview and changes nothing — unless your client can ask the user, who is then asked. A plan rolled back to a checkpoint taken while it was open is open again. Undo with plan_rollback to the undoCheckpointId it answers.',
    output: planRollbackResult,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    input: z.strictObject({
      plan: planRef,
      to: z
        .string()
        .min(1)
        .max(200)
        .meta({
          description: 'The checkpoint: its id or label (the newest with it), step:N (just after step N) or last-clean',
        })
        .optional(),
      confirm: z.boolean().meta({ description: 'true rolls back; otherwise you get the preview' }).optional(),
    }),
    async run({ plan, to, confirm }, { runtime, confirm: ask }) {
      const rt = await runtime();
      const record = await rt.getPlan(plan);
      const target = to === undefined ? {} : { to };
      if (confirm !== true) {
        const preview = await rt.previewRollback(record.id, target);
        const text = previewText(record.name, preview);
        const answer = await ask(`${text}\n\nRoll back?`);
        if (answer !== true) {
          const why =
            answer === null ? 'call again with confirm: true to roll back' : 'the user declined: nothing changed';
          return { text: `${text}\n\nnot rolled back: ${why}`, structured: { rolledBack: false, preview } };
        }
      }
      const result = await rt.rollback(record.id, target);
      const after = await rt.getPlan(record.id);
      return {
        text: `rolled back to ${result.checkpoint.id}${result.checkpoint.label ? ` "${result.checkpoint.label}"` : ''}: ${result.changesReverted.length} file(s) reverted, ${result.decisionsDiscarded} decision(s) discarded — ${planLine(after)}\nundo: plan_rollback to ${result.undoCheckpointId}`,
        structured: { rolledBack: true, result, plan: after },
      };
    },
  }),
];
