import { initProject, type InitResult } from '../../runtime/index.js';
import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../context.js';

/**
 * `troupe init`: make the git repository a troupe project (idempotent) and
 * share its installed dependency folders with plans, read-only
 * (`sandbox.share`); `--json`: `{root, created, shared, added, kept?}`.
 */
export async function init(context: CommandContext): Promise<number> {
  const result = await initProject(context.dir);
  context.out.result(result, () => [setUpLine(result), ...sharingLines(result)].join('\n'));
  return EXIT.ok;
}

function setUpLine(result: InitResult): string {
  return result.created ? `initialized troupe in ${result.root}/.troupe (excluded from git)` : `troupe is already set up in ${result.root}/.troupe`;
}

// what plans' commands find besides what git tracks: said every time, so a rerun shows it too
function sharingLines(result: InitResult): string[] {
  const lines: string[] = [];
  if (result.added.length > 0) lines.push(`sharing ${result.added.join(', ')} read-only with plans (sandbox.share in .troupe/config.json)`);
  const before = result.shared.filter((path) => !result.added.includes(path));
  if (before.length > 0) lines.push(`${result.added.length > 0 ? 'still sharing' : 'sharing'} ${before.join(', ')} read-only with plans (sandbox.share in .troupe/config.json)`);
  if (result.kept) lines.push(`${result.kept} (docs/sandbox.md#shared-dependencies)`);
  return lines;
}
