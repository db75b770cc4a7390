import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../context.js';
import { formatConflicts } from '../format/conflicts.js';

/** `troupe plan conflicts <plan>`: the open conflicts of the merge the plan waits on (SPEC §13). */
export async function planConflicts(context: CommandContext, ref: string): Promise<number> {
  const runtime = await context.runtime();
  const record = await runtime.getPlan(ref);
  const list = await runtime.conflicts(record.id);
  context.out.result(list, () => formatConflicts(record.name, list, context.out));
  return EXIT.ok;
}
