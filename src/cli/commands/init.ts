import { initProject } from '../../runtime/index.js';
import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../context.js';

/** `troupe init`: make the git repository a troupe project (idempotent). */
export async function init(context: CommandContext): Promise<number> {
  const result = await initProject(context.dir);
  context.out.result(result, () =>
    result.created ? `initialized troupe in ${result.root}/.troupe (excluded from git)` : `troupe is already set up in ${result.root}/.troupe`,
  );
  return EXIT.ok;
}
