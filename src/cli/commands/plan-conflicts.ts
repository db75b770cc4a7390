import type { CommandContext } from '../context.js';
import { formatConflicts } from '../format/conflicts.js';
import { planAnswer } from './plan-answer.js';

/** `troupe plan conflicts <plan>`: the open conflicts of the merge the plan waits on (SPEC §13). */
export function planConflicts(context: CommandContext, ref: string): Promise<number> {
  return planAnswer(context, ref, (runtime, id) => runtime.conflicts(id), formatConflicts);
}
