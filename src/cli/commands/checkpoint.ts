import { ValidationError } from '../../domain/index.js';
import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../context.js';
import { formatCheckpoint, formatCheckpointList, formatCreated, formatDeleted, formatPruned } from '../format/checkpoints.js';

/** `troupe checkpoint list <plan>`: the plan's checkpoints, oldest first (SPEC §13). */
export async function checkpointList(context: CommandContext, ref: string): Promise<number> {
  const runtime = await context.runtime();
  const record = await runtime.getPlan(ref);
  const list = await runtime.checkpoints(record.id);
  context.out.result(list, () => formatCheckpointList(record.name, list, context.out));
  return EXIT.ok;
}

/** `troupe checkpoint show <plan> <checkpoint>`: one checkpoint, by id or label (the newest with it). */
export async function checkpointShow(context: CommandContext, ref: string, checkpoint: string): Promise<number> {
  const runtime = await context.runtime();
  const record = await runtime.getPlan(ref);
  const summary = await runtime.checkpoint(record.id, checkpoint);
  context.out.result(summary, () => formatCheckpoint(record.name, summary, context.out));
  return EXIT.ok;
}

/** `troupe checkpoint create <plan> [--label <text>]`: a `manual` checkpoint of the plan as it is now. */
export async function checkpointCreate(context: CommandContext, ref: string, options: { label?: string }): Promise<number> {
  const runtime = await context.runtime();
  const record = await runtime.getPlan(ref);
  const summary = await runtime.createCheckpoint(record.id, options.label === undefined ? {} : { label: options.label });
  context.out.result(summary, () => formatCreated(record.name, summary, context.out));
  return EXIT.ok;
}

/** `troupe checkpoint delete <plan> <checkpoint>`: delete one checkpoint; prints the one deleted. */
export async function checkpointDelete(context: CommandContext, ref: string, checkpoint: string): Promise<number> {
  const runtime = await context.runtime();
  const record = await runtime.getPlan(ref);
  const summary = await runtime.deleteCheckpoint(record.id, checkpoint);
  context.out.result(summary, () => formatDeleted(record.name, summary, context.out));
  return EXIT.ok;
}

/** `troupe checkpoint prune <plan> --keep <N>`: delete all but the newest N (never the newest, nor one something depends on). */
export async function checkpointPrune(context: CommandContext, ref: string, options: { keep?: string }): Promise<number> {
  // checked before the store is opened: a bad flag changes nothing
  const keep = parseKeep(options.keep);
  const runtime = await context.runtime();
  const record = await runtime.getPlan(ref);
  const result = await runtime.pruneCheckpoints(record.id, keep);
  context.out.result(result, () => formatPruned(record.name, result, context.out));
  return EXIT.ok;
}

/** The value of `--keep`: a whole number, 0 or more, or a VALIDATION_ERROR naming the flag. */
export function parseKeep(value: string | undefined): number {
  const hint = 'e.g. --keep 5 keeps the 5 newest checkpoints';
  if (value === undefined) throw new ValidationError([{ path: '--keep', message: 'is required: how many checkpoints to keep' }], { hint });
  const keep = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(keep)) throw new ValidationError([{ path: '--keep', message: `must be a whole number, 0 or more (got "${value}")` }], { hint });
  return keep;
}
