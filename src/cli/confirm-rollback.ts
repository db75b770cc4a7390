import { TroupeError } from '../domain/index.js';
import type { RollbackPreview } from '../runtime/index.js';
import type { CommandContext } from './context.js';
import { formatRollbackPreview } from './format/rollback.js';
import { Declined } from './declined.js';

/** What is being confirmed: the plan, what would happen, and the command that does it without asking. */
export interface RollbackConfirmation {
  name: string;
  preview: RollbackPreview;
  /** The operation in the user's words: `rollback`, `revert`. */
  operation: string;
  /** The question, without `[y/N]`. */
  question: string;
  /** The command line that would do it with `--yes`, for the hint. */
  withYes: string;
}

/**
 * Ask before discarding work (SPEC §10): in a terminal the preview is shown
 * on stderr and the question asked; with no terminal it is
 * CONFIRMATION_REQUIRED (exit 3). A "no" is CANCELLED (exit 1): like
 * apt-get or terraform, a declined change is not a success, so
 * `troupe plan rollback x && troupe plan run x` stops. Either way nothing
 * has changed. Callers skip this when `--yes` was given.
 *
 * @example
 * await confirmRollback(context, { name, preview, operation: 'rollback', question: `Roll back ${name}?`, withYes: `troupe plan rollback ${name} --yes` });
 */
export async function confirmRollback(context: CommandContext, confirmation: RollbackConfirmation): Promise<void> {
  const { name, preview, operation } = confirmation;
  const target = preview.checkpoint.label === null ? preview.checkpoint.id : `"${preview.checkpoint.label}"`;
  if (!context.interactive) {
    const discards = `${count(preview.changes.length, 'file')} reverted, ${count(preview.decisionsToDiscard.length, 'decision')} discarded, ${count(preview.childPlansToInvalidate.length, 'child plan')} invalidated`;
    throw new TroupeError(
      'CONFIRMATION_REQUIRED',
      `the ${operation} of ${name} to checkpoint ${target} needs a yes (${discards}) and there is no terminal to ask`,
      {
        hint: `nothing changed; to go ahead: ${confirmation.withYes}`,
        details: {
          planId: preview.planId,
          checkpointId: preview.checkpoint.id,
          files: preview.changes.length,
          decisionsToDiscard: preview.decisionsToDiscard.length,
          childPlansToInvalidate: preview.childPlansToInvalidate.length,
        },
      },
    );
  }
  context.out.note(formatRollbackPreview(name, preview, context.out));
  if (!(await context.confirm(confirmation.question))) {
    throw new Declined(
      `${operation} of ${name}`,
      operation === 'revert' ? 'Nothing reverted.' : 'Nothing rolled back.',
    );
  }
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
