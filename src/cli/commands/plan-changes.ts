import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../context.js';
import { formatChangeset } from '../format/changeset.js';

/** `troupe plan changes <plan>`: the changeset (SPEC §7); `null` in JSON before anything changed. */
export async function planChanges(context: CommandContext, ref: string): Promise<number> {
  const runtime = await context.runtime();
  const changeset = await runtime.changes(ref);
  context.out.result(changeset, () => formatChangeset(changeset, context.out));
  return EXIT.ok;
}
