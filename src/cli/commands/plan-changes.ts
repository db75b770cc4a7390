import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../context.js';
import { formatChangeset } from '../format/changeset.js';
import { formatPatch } from '../format/patch.js';

/** The most of a diff the CLI prints (the runtime's own ceiling). */
export const CLI_PATCH_BYTES = 16 * 1024 * 1024;

/**
 * `troupe plan changes <plan> [--patch]`: the changeset (SPEC §7); `null`
 * in JSON before anything changed. `--patch`: the unified diff of the
 * sandbox's base to its head instead — as git prints it when piped,
 * coloured on a terminal — for a child plan too (its commits stay after its
 * merge). `--json --patch`: `{planId, base, head, patch, truncated}`.
 */
export async function planChanges(
  context: CommandContext,
  ref: string,
  options: { patch?: boolean } = {},
): Promise<number> {
  const runtime = await context.runtime();
  const { out } = context;
  if (options.patch) {
    const patch = await runtime.patch(ref, { maxBytes: CLI_PATCH_BYTES });
    if (out.options.json) {
      out.result(patch, () => '');
      return EXIT.ok;
    }
    // stdout holds the diff alone, so it can go to git apply
    if (patch.patch === '') out.note(out.paint('dim', 'no changes yet'));
    out.verbatim(formatPatch(patch.patch, out));
    if (patch.truncated)
      out.note(
        out.paint(
          'yellow',
          `the diff is longer than ${CLI_PATCH_BYTES / (1024 * 1024)} MiB: the rest is cut (git diff ${patch.base} ${patch.head} shows it all)`,
        ),
      );
    return EXIT.ok;
  }
  const changeset = await runtime.changes(ref);
  out.result(changeset, () => formatChangeset(changeset, out));
  return EXIT.ok;
}
