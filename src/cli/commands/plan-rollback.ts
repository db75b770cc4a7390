import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../context.js';
import { confirmRollback } from '../confirm-rollback.js';
import { formatRollbackResult } from '../format/rollback.js';
import { planNames } from '../plan-names.js';

/**
 * `troupe plan rollback <plan> [--to <checkpoint-id|label>] [--yes]` (SPEC
 * §10): put the plan, its sandbox, decisions and child plans back to a
 * checkpoint (default: the newest before its current state). Without
 * `--yes` it asks first, or fails with CONFIRMATION_REQUIRED when it
 * cannot ask; the preview it asks with only reads.
 */
export async function planRollback(context: CommandContext, ref: string, options: { to?: string }): Promise<number> {
  const runtime = await context.runtime();
  const record = await runtime.getPlan(ref);
  let to = options.to;
  if (!context.yes) {
    const preview = await runtime.previewRollback(record.id, to === undefined ? {} : { to });
    await confirmRollback(context, {
      name: record.name,
      preview,
      operation: 'rollback',
      question: `Roll back ${record.name}?`,
      withYes: `troupe plan rollback ${record.name}${to === undefined ? '' : ` --to ${quoted(to)}`} --yes`,
    });
    // the checkpoint the user said yes to, even if the plan moved on while they read
    to = preview.checkpoint.id;
  }
  const result = await runtime.rollback(record.id, to === undefined ? {} : { to });
  const names = context.out.options.json
    ? new Map<string, string>()
    : await planNames(runtime, result.childPlansInvalidated);
  context.out.result(result, () => formatRollbackResult(record.name, result, context.out, names));
  return EXIT.ok;
}

/** A flag value as it can be typed back into a shell. */
export function quoted(value: string): string {
  return /^[\w./@:-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
