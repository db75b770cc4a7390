import { join } from 'node:path';
import { packageRoot } from './package-root.js';

// `docs/explanation/sandbox.md`, `docs/explanation/sandbox.md#resource-limits`, at the start of a word or after `(`
const DOCS_PAGE = /(^|[\s("'])docs\/((?:[\w-]+\/)?[\w-]+\.md(?:#[\w-]+)?)/g;

/**
 * `text` with every `docs/<page>.md` troupe's messages name made the path of
 * that page in the installed package (it ships `docs/`): the user's project
 * has no `docs/reference/plan-file.md`, so a hint that says "see docs/reference/plan-file.md"
 * must say where it is.
 *
 * @example
 * docsPaths('see docs/reference/plan-file.md', '/usr/lib/node_modules/troupe'); // 'see /usr/lib/node_modules/troupe/docs/reference/plan-file.md'
 */
export function docsPaths(text: string, root: string = packageRoot()): string {
  return text.replace(DOCS_PAGE, (_, before: string, page: string) => `${before}${join(root, 'docs', page)}`);
}
