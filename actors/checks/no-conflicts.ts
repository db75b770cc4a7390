import { builtCheck } from './define-check.js';
import { listSome } from './listing.js';

/** `no-conflicts`: the plan has no open merge conflict. */
export const noConflictsCheck = builtCheck({
  name: 'no-conflicts',
  description: 'the plan has no open merge conflict',
  readOnly: true,
  async run(_invariant, context) {
    const open = await context.openConflicts();
    if (open.length === 0) return { passed: true, message: 'no open conflicts' };
    return {
      passed: false,
      message: `${open.length} open conflict(s): ${listSome(open.map((conflict) => conflict.file))}`,
    };
  },
});
