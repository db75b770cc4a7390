import { initProject, type InitResult } from '../../runtime/index.js';
import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../context.js';

/**
 * `troupe init`: make the git repository a troupe project (idempotent) and
 * share its installed dependency folders with plans, read-only
 * (`sandbox.share`), and the files git ignores that its installed
 * environment needs (a generated `_version.py`); `--json`:
 * `{root, created, shared, added, generated, kept?}`.
 */
export async function init(context: CommandContext): Promise<number> {
  const result = await initProject(context.dir);
  context.out.result(result, () => [setUpLine(result), ...sharingLines(result)].join('\n'));
  return EXIT.ok;
}

function setUpLine(result: InitResult): string {
  return result.created
    ? `initialized troupe in ${result.root}/.troupe (excluded from git)`
    : `troupe is already set up in ${result.root}/.troupe`;
}

// what plans' commands find besides what git tracks: said every time, so a rerun shows it too
function sharingLines(result: InitResult): string[] {
  const lines: string[] = [];
  const folders = result.added.filter((path) => !result.generated.includes(path));
  if (folders.length > 0)
    lines.push(`sharing ${folders.join(', ')} read-only with plans (sandbox.share in .troupe/config.json)`);
  // a file a worktree lacks for a reason a person may not know: git ignores it, the install wrote it
  if (result.generated.length > 0) {
    lines.push(
      `sharing ${result.generated.join(', ')} read-only with plans: git ignores ${result.generated.length === 1 ? 'it' : 'them'}, so a worktree lacks ${result.generated.length === 1 ? 'it' : 'them'}, and your installed environment needs ${result.generated.length === 1 ? 'it' : 'them'} (docs/explanation/sandbox.md#generated-files)`,
    );
  }
  const before = result.shared.filter((path) => !result.added.includes(path));
  if (before.length > 0)
    lines.push(
      `${result.added.length > 0 ? 'still sharing' : 'sharing'} ${before.join(', ')} read-only with plans (sandbox.share in .troupe/config.json)`,
    );
  if (result.kept) lines.push(`${result.kept} (docs/explanation/sandbox.md#shared-dependencies)`);
  return lines;
}
