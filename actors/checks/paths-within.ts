import { builtCheck } from './define-check.js';
import { listSome } from './listing.js';

/** `paths-within`: every path changed since the sandbox base matches the plan's resourceScopes. */
export const pathsWithinCheck = builtCheck({
  name: 'paths-within',
  description: "every path changed since the sandbox base matches the plan's resourceScopes",
  readOnly: true,
  async run(_invariant, context) {
    const changed = await context.changedPaths();
    if (!context.resourceScopes)
      return {
        passed: true,
        message: `the plan has no resourceScopes: its ${changed.length} changed path(s) may be anywhere`,
      };
    const outside = changed.filter((path) => !context.paths.inScope(path));
    if (outside.length === 0)
      return {
        passed: true,
        message: `${changed.length} changed path(s), all within ${context.resourceScopes.join(', ')}`,
      };
    return {
      passed: false,
      message: `${outside.length} changed path(s) outside resourceScopes (${context.resourceScopes.join(', ')}): ${listSome(outside)}`,
    };
  },
});
