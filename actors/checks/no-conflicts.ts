import { builtCheck } from './define-check.js';

const LISTED = 5;

/** `no-conflicts`: the plan has no open merge conflict. */
export const noConflictsCheck = builtCheck({
  name: 'no-conflicts',
  description: 'the plan has no open merge conflict',
  readOnly: true,
  async run(_invariant, context) {
    const open = await context.openConflicts();
    if (open.length === 0) return { passed: true, message: 'no open conflicts' };
    const files = open.map((conflict) => conflict.file);
    const listed = files.slice(0, LISTED).join(', ') + (files.length > LISTED ? ` and ${files.length - LISTED} more` : '');
    return { passed: false, message: `${open.length} open conflict(s): ${listed}` };
  },
});
