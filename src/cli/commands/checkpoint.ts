import { TroupeError, ValidationError, type CheckpointTrigger } from '../../domain/index.js';
import type { CommandContext } from '../context.js';
import {
  formatCheckpoint,
  formatCheckpointList,
  formatCreated,
  formatDeleted,
  formatPruned,
} from '../format/checkpoints.js';
import { EXIT } from '../exit-codes.js';
import { planAnswer } from './plan-answer.js';
import { Declined } from '../declined.js';

// a merge round takes one before it and one per child merged: rows that bury the steps, and no step runs again from them
const MERGE_TRIGGERS: readonly CheckpointTrigger[] = ['pre-merge', 'post-merge'];

/**
 * `troupe checkpoint list <plan> [--all]`: the plan's checkpoints, oldest
 * first (SPEC §13); merge checkpoints only with `--all`, in the text and
 * in `--json` alike.
 */
export async function checkpointList(
  context: CommandContext,
  ref: string,
  options: { all?: boolean } = {},
): Promise<number> {
  const runtime = await context.runtime();
  const record = await runtime.getPlan(ref);
  const all = await runtime.checkpoints(record.id);
  const checkpoints = options.all ? all : all.filter((checkpoint) => !MERGE_TRIGGERS.includes(checkpoint.trigger));
  const listed = { checkpoints, hidden: all.length - checkpoints.length };
  context.out.result(checkpoints, () => formatCheckpointList(record.name, listed, context.out));
  return EXIT.ok;
}

/** `troupe checkpoint show <plan> <checkpoint>`: one checkpoint, by id or label (the newest with it). */
export function checkpointShow(context: CommandContext, ref: string, checkpoint: string): Promise<number> {
  return planAnswer(context, ref, (runtime, id) => runtime.checkpoint(id, checkpoint), formatCheckpoint);
}

/** `troupe checkpoint create <plan> [--label <text>]`: a `manual` checkpoint of the plan as it is now. */
export function checkpointCreate(context: CommandContext, ref: string, options: { label?: string }): Promise<number> {
  return planAnswer(
    context,
    ref,
    (runtime, id) => runtime.createCheckpoint(id, options.label === undefined ? {} : { label: options.label }),
    formatCreated,
  );
}

/** `troupe checkpoint delete <plan> <checkpoint>`: delete one checkpoint; prints the one deleted. */
export function checkpointDelete(context: CommandContext, ref: string, checkpoint: string): Promise<number> {
  return planAnswer(context, ref, (runtime, id) => runtime.deleteCheckpoint(id, checkpoint), formatDeleted);
}

/**
 * `troupe checkpoint prune <plan> --keep <N>`: delete all but the newest N
 * (never the newest, nor one something depends on). Deleting is for good,
 * so it asks first as rollback and delete do: y/N in a terminal; without
 * one and without `--yes`, CONFIRMATION_REQUIRED (exit 3). Nothing to prune
 * asks nothing.
 */
export async function checkpointPrune(
  context: CommandContext,
  ref: string,
  options: { keep?: string },
): Promise<number> {
  // checked before the store is opened: a bad flag changes nothing
  const keep = parseKeep(options.keep);
  const runtime = await context.runtime();
  const { id, name } = await runtime.getPlan(ref);
  const held = (await runtime.checkpoints(id)).length;
  if (!context.yes && held > keep) await confirmPrune(context, { name, held, keep });
  const pruned = await runtime.pruneCheckpoints(id, keep);
  context.out.result(pruned, () => formatPruned(name, pruned, context.out));
  return EXIT.ok;
}

async function confirmPrune(
  context: CommandContext,
  prune: { name: string; held: number; keep: number },
): Promise<void> {
  const what = `up to ${prune.held - prune.keep} of the ${prune.held} checkpoints of ${prune.name} (all but the newest ${prune.keep}; never the newest, nor one something depends on)`;
  if (!context.interactive) {
    throw new TroupeError('CONFIRMATION_REQUIRED', `pruning deletes ${what} for good and there is no terminal to ask`, {
      hint: `nothing changed; to go ahead: troupe checkpoint prune ${prune.name} --keep ${prune.keep} --yes`,
    });
  }
  context.out.note(`pruning deletes ${what} for good: a rollback can no longer go back to them`);
  if (!(await context.confirm(`Prune the checkpoints of ${prune.name}?`)))
    throw new Declined(`prune of ${prune.name}`, 'Nothing pruned.');
}

/** The value of `--keep`: a whole number, 0 or more, or a VALIDATION_ERROR naming the flag. */
export function parseKeep(value: string | undefined): number {
  const hint = 'e.g. --keep 5 keeps the 5 newest checkpoints';
  if (value === undefined)
    throw new ValidationError([{ path: '--keep', message: 'is required: how many checkpoints to keep' }], { hint });
  const keep = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(keep))
    throw new ValidationError([{ path: '--keep', message: `must be a whole number, 0 or more (got "${value}")` }], {
      hint,
    });
  return keep;
}
