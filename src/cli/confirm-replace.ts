import { TroupeError, type PlanRecord } from '../domain/index.js';
import type { Runtime } from '../runtime/index.js';
import type { CommandContext } from './context.js';
import { describeDeletion } from './commands/plan-delete.js';
import { Declined } from './declined.js';

/**
 * `--replace` of a plan that has not ended: the commonest
 * edit–rerun loop is one command, not two. The plan that holds the name is
 * cancelled — asked first as delete asks, since its work is discarded with
 * it: y/N in a terminal with what goes; without one and without `--yes`,
 * CONFIRMATION_REQUIRED (exit 3) naming the command that does it. A "no" is
 * CANCELLED and nothing changes.
 *
 * @example
 * await replaceOpenPlan(context, runtime, holder, 'troupe plan run x.yaml --replace');
 */
export async function replaceOpenPlan(
  context: CommandContext,
  runtime: Runtime,
  holder: PlanRecord,
  command: string,
): Promise<void> {
  if (!context.yes) {
    const what = `${holder.name} is at (${holder.phase}, ${holder.status}): replacing it cancels and deletes ${describeDeletion(await runtime.previewDelete(holder.id))}`;
    if (!context.interactive) {
      throw new TroupeError('CONFIRMATION_REQUIRED', `${what}, and there is no terminal to ask`, {
        hint: `nothing changed; to go ahead: ${command} --yes`,
        details: { planId: holder.id },
      });
    }
    context.out.note(what);
    if (!(await context.confirm(`Replace ${holder.name}?`)))
      throw new Declined(`replace of ${holder.name}`, 'Nothing replaced.');
  }
  await runtime.cancel(holder.id, { reason: `replaced: ${command}` });
}

/** The plan a `--replace` was refused for because it has not ended (`details.openPlanId` of its PHASE_GUARD); null for any other error. */
export function openPlanRefused(error: unknown): string | null {
  if (!(error instanceof TroupeError) || error.code !== 'PHASE_GUARD') return null;
  const id = error.details?.['openPlanId'];
  return typeof id === 'string' ? id : null;
}
