import { TroupeError } from '../../domain/index.js';
import type { DeletePreview } from '../../runtime/index.js';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';
import { Declined } from '../declined.js';

/**
 * `troupe plan delete <plan> [--yes]` (SPEC §18): remove a plan and its
 * children for good — sandboxes, branches, checkpoints, decisions, journal,
 * name. It asks first as a rollback does: in a terminal the preview and
 * y/N; without one and without `--yes`, CONFIRMATION_REQUIRED (exit 3).
 * A plan that has not ended is cancelled first.
 */
export async function planDelete(context: CommandContext, ref: string): Promise<number> {
  const runtime = await context.runtime();
  const record = await runtime.getPlan(ref);
  const preview = await runtime.previewDelete(record.id);
  if (!context.yes) await confirmDelete(context, preview);
  const result = await runtime.deletePlan(record.id);
  context.out.result(
    result,
    () =>
      `${context.out.paint('green', '✓')} deleted ${describeDeletion(result)}; the name ${result.name} is free again`,
  );
  return EXIT.ok;
}

async function confirmDelete(context: CommandContext, preview: DeletePreview): Promise<void> {
  if (!context.interactive) {
    throw new TroupeError(
      'CONFIRMATION_REQUIRED',
      `deleting ${preview.name} needs a yes (${describeDeletion(preview)}) and there is no terminal to ask`,
      {
        hint: `nothing changed; to go ahead: troupe plan delete ${preview.name} --yes`,
        details: { planId: preview.planId, plans: preview.plans.map((plan) => plan.id) },
      },
    );
  }
  context.out.note(formatPreview(preview, context.out));
  if (!(await context.confirm(`Delete ${preview.name}?`)))
    throw new Declined(`delete of ${preview.name}`, 'Nothing deleted.');
}

/** What a delete removes, in a few words: `demo/x and 2 child plans, 6 checkpoints`. */
export function describeDeletion(preview: DeletePreview): string {
  const children = preview.plans.length - 1;
  const checkpoints = preview.plans.reduce((total, plan) => total + plan.checkpoints, 0);
  return `${preview.name}${children > 0 ? ` and ${children} child plan${children === 1 ? '' : 's'}` : ''}, ${checkpoints} checkpoint${checkpoints === 1 ? '' : 's'}`;
}

function formatPreview(preview: DeletePreview, out: Output): string {
  const lines = preview.plans.map(
    (plan) =>
      `  ${plan.name}  ${plan.phase} · ${plan.status}, ${plan.checkpoints} checkpoint${plan.checkpoints === 1 ? '' : 's'}`,
  );
  const cancels =
    preview.cancels.length > 0 ? [`${out.paint('yellow', 'cancels first')}: ${preview.cancels.join(', ')}`] : [];
  return [
    `deleting removes for good — sandboxes, branches, checkpoints, decisions, journal:`,
    ...lines,
    ...cancels,
  ].join('\n');
}
