import type { Runtime } from '../../runtime/index.js';
import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../context.js';
import type { Output } from '../output.js';

/**
 * The shape of most commands on one plan: find the plan `ref` names, make one
 * Runtime call on its id, print the answer (JSON with `--json`, else
 * `format` with the plan's name).
 *
 * @example
 * return planAnswer(context, ref, (runtime, id) => runtime.conflicts(id), formatConflicts);
 */
export async function planAnswer<T>(
  context: CommandContext,
  ref: string,
  call: (runtime: Runtime, planId: string) => Promise<T>,
  format: (name: string, answer: T, out: Output) => string,
): Promise<number> {
  const runtime = await context.runtime();
  const record = await runtime.getPlan(ref);
  const answer = await call(runtime, record.id);
  context.out.result(answer, () => format(record.name, answer, context.out));
  return EXIT.ok;
}
