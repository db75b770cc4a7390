import { z } from 'zod';
import { ValidationError, renamedLine } from '../domain/index.js';
import type { ResolveChoice } from '../runtime/index.js';
import { READS, mcpTool, planRef, type McpTool } from './mcp-tool.js';
import { planConflictsResult, planResolveResult } from './conflict-results.js';
import { planLine } from './plan-lines.js';

const side = z.enum(['ours', 'theirs']).meta({
  description:
    'ours: the plan’s side as it stood (for apply: the project’s); theirs: the incoming child’s (for apply: the plan’s)',
});

/** The conflict tools of `troupe mcp` (SPEC §9, §16): see and settle merge conflicts. */
export const CONFLICT_TOOLS: McpTool[] = [
  mcpTool({
    name: 'plan_conflicts',
    title: 'Merge conflicts',
    description:
      'The plan’s open merge conflicts (from its children or from apply): each file, the child it came from, its kind and its hunks with the ours/base/theirs lines.',
    output: planConflictsResult,
    annotations: READS,
    input: z.strictObject({ plan: planRef }),
    async run({ plan }, { runtime }) {
      const list = await (await runtime()).conflicts(plan);
      const lines = list.conflicts.map((conflict) => {
        const hunks = conflict.hunks.map(
          (hunk, index) =>
            `  hunk ${index + 1}${hunk.path === undefined ? '' : ` at ${hunk.path}`}\n  <<<<<<< ours\n${indent(hunk.ours)}  ||||||| base\n${indent(hunk.base)}  =======\n${indent(hunk.theirs)}  >>>>>>> theirs`,
        );
        const renamed = conflict.paths ? [`  ${renamedLine(conflict.paths)}`] : [];
        return [
          `${conflict.file} (${conflict.kind}${conflict.child ? `, from ${conflict.childName ?? conflict.child}` : ''})`,
          ...renamed,
          ...hunks,
        ].join('\n');
      });
      const text =
        list.conflicts.length === 0
          ? `no open conflicts (${list.phase} · ${list.status})`
          : `${lines.join('\n')}\nsettle each with plan_resolve`;
      return { text, structured: { ...list } };
    },
  }),
  mcpTool({
    name: 'plan_resolve',
    title: 'Resolve a conflict',
    description:
      'Settle one conflicting file: with side (ours or theirs: every conflicting hunk to that side, what merged cleanly kept) or with content (the merged file as you want it; content still holding conflict markers is refused unless allowMarkers). When the last file is settled the merge commit is made and the plan moves on.',
    output: planResolveResult,
    // the file takes the side or content given over what the merge left; settling the last one lets the
    // plan go on, its merge reconciled (the plan's command checks run)
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    input: z.strictObject({
      plan: planRef,
      file: z.string().min(1).max(4096).meta({ description: 'The conflicting file, relative to the project root' }),
      side: side.optional(),
      content: z
        .string()
        .max(5 * 1024 * 1024)
        .meta({ description: 'The merged file, as UTF-8 text' })
        .optional(),
      allowMarkers: z
        .boolean()
        .meta({ description: 'Take content that holds conflict markers on purpose (default: refused)' })
        .optional(),
    }),
    async run({ plan, file, side: chosen, content, allowMarkers }, { runtime }) {
      if ((chosen === undefined) === (content === undefined)) {
        throw new ValidationError(
          [
            {
              path: chosen === undefined ? 'side' : 'content',
              message: 'give exactly one of side (ours | theirs) and content',
            },
          ],
          {
            subject: 'plan_resolve',
            hint: 'plan_conflicts shows each hunk’s sides',
          },
        );
      }
      const choice: ResolveChoice =
        content === undefined
          ? { with: chosen! }
          : { with: 'content', content, ...(allowMarkers ? { allowMarkers } : {}) };
      const result = await (await runtime()).resolve(plan, file, choice);
      const left =
        result.remaining.length === 0
          ? `all settled${result.mergeCommit ? `: merge commit ${result.mergeCommit.slice(0, 7)}` : ''}`
          : `${result.remaining.length} left: ${result.remaining.join(', ')}`;
      return {
        text: `resolved ${result.file} with ${result.with} — ${left}\n${planLine(result.plan)}`,
        structured: { ...result },
      };
    },
  }),
];

function indent(lines: string | null): string {
  if (lines === null) return '  (no such file)\n';
  return lines.endsWith('\n') ? lines : `${lines}\n`;
}
