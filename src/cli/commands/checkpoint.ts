import { ValidationError } from '../../domain/index.js';
import type { CommandContext } from '../context.js';
import { formatCheckpoint, formatCheckpointList, formatCreated, formatDeleted, formatPruned } from '../format/checkpoints.js';
import { planAnswer } from './plan-answer.js';

/** `troupe checkpoint list <plan>`: the plan's checkpoints, oldest first (SPEC §13). */
export function checkpointList(context: CommandContext, ref: string): Promise<number> {
  return planAnswer(context, ref, (runtime, id) => runtime.checkpoints(id), formatCheckpointList);
}

/** `troupe checkpoint show <plan> <checkpoint>`: one checkpoint, by id or label (the newest with it). */
export function checkpointShow(context: CommandContext, ref: string, checkpoint: string): Promise<number> {
  return planAnswer(context, ref, (runtime, id) => runtime.checkpoint(id, checkpoint), formatCheckpoint);
}

/** `troupe checkpoint create <plan> [--label <text>]`: a `manual` checkpoint of the plan as it is now. */
export function checkpointCreate(context: CommandContext, ref: string, options: { label?: string }): Promise<number> {
  return planAnswer(context, ref, (runtime, id) => runtime.createCheckpoint(id, options.label === undefined ? {} : { label: options.label }), formatCreated);
}

/** `troupe checkpoint delete <plan> <checkpoint>`: delete one checkpoint; prints the one deleted. */
export function checkpointDelete(context: CommandContext, ref: string, checkpoint: string): Promise<number> {
  return planAnswer(context, ref, (runtime, id) => runtime.deleteCheckpoint(id, checkpoint), formatDeleted);
}

/** `troupe checkpoint prune <plan> --keep <N>`: delete all but the newest N (never the newest, nor one something depends on). */
export async function checkpointPrune(context: CommandContext, ref: string, options: { keep?: string }): Promise<number> {
  // checked before the store is opened: a bad flag changes nothing
  const keep = parseKeep(options.keep);
  return planAnswer(context, ref, (runtime, id) => runtime.pruneCheckpoints(id, keep), formatPruned);
}

/** The value of `--keep`: a whole number, 0 or more, or a VALIDATION_ERROR naming the flag. */
export function parseKeep(value: string | undefined): number {
  const hint = 'e.g. --keep 5 keeps the 5 newest checkpoints';
  if (value === undefined) throw new ValidationError([{ path: '--keep', message: 'is required: how many checkpoints to keep' }], { hint });
  const keep = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(keep)) throw new ValidationError([{ path: '--keep', message: `must be a whole number, 0 or more (got "${value}")` }], { hint });
  return keep;
}
