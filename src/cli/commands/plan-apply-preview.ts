import { ValidationError, type ErrorCode, type MergeStrategy } from '../../domain/index.js';
import { forTerminal, quotedPath } from '../../domain/terminal-text.js';
import type { ApplyPreview } from '../../runtime/index.js';
import type { CommandContext } from '../context.js';
import { EXIT, exitCodeForError } from '../exit-codes.js';
import type { Output } from '../output.js';
import { fileChangeLine } from '../format/changeset.js';
import { formatPatch } from '../format/patch.js';
import { CLI_PATCH_BYTES } from './plan-changes.js';

/**
 * `troupe plan apply <plan> --dry-run [--patch] [--strategy S]` (SPEC §18):
 * what apply would commit now — the files with their actions, the diff with
 * `--patch` — and nothing changed. It exits as apply would: 0 for a commit
 * (or nothing to apply), 3 when apply would stop on conflicts, the error's
 * code when apply would fail (a dirty project tree: 1), and apply's own
 * `PHASE_GUARD` for a plan apply does not take. `--json`: the
 * {@link ApplyPreview}.
 */
export async function planApplyPreview(
  context: CommandContext,
  ref: string,
  options: { strategy?: MergeStrategy; patch?: boolean },
): Promise<number> {
  const runtime = await context.runtime();
  const preview = await runtime.previewApply(ref, {
    ...(options.strategy ? { strategy: options.strategy } : {}),
    ...(options.patch ? { patch: true, maxBytes: CLI_PATCH_BYTES } : {}),
  });
  const { out } = context;
  out.result(preview, () => formatApplyPreview(preview, out));
  if (preview.outcome === 'conflict') return EXIT.waiting;
  if (preview.outcome === 'refused' && preview.error) return exitCodeForError(preview.error.code as ErrorCode);
  return EXIT.ok;
}

/** `--patch` belongs to `--dry-run`: a real apply prints no diff. */
export function checkApplyFlags(options: { dryRun?: boolean; patch?: boolean }): void {
  if (options.patch && !options.dryRun) {
    throw new ValidationError([{ path: '--patch', message: 'shows the diff of a dry run: use it with --dry-run' }], {
      hint: 'troupe plan apply <plan> --dry-run --patch',
    });
  }
}

/**
 * A preview as text: what apply would do, the files, the diff when asked,
 * and that nothing changed.
 *
 * @example
 * formatApplyPreview(preview, out);
 * // demo/x: apply would commit 2 files onto 1a2b3c4
 * //   A src/new.ts  +10 -0
 * //   M README.md  +2 -1
 * // dry run: nothing changed (troupe plan apply demo/x makes the commit)
 */
export function formatApplyPreview(preview: ApplyPreview, out: Output): string {
  const { name } = preview;
  const unchanged = out.paint('dim', 'dry run: nothing changed');
  switch (preview.outcome) {
    case 'unchanged':
      return `${name}: apply would make no commit: the plan changed nothing\n${unchanged}`;
    case 'applied':
      return `${name}: already applied as ${preview.commit?.slice(0, 7)}: apply would make no other commit\n${unchanged}`;
    case 'refused':
      return [
        `${name}: apply would fail: ${out.paint('red', preview.error?.code ?? 'ERROR')} ${forTerminal(preview.error?.message ?? '', { multiline: true })}`,
        ...(preview.error?.hint ? [`  hint: ${forTerminal(preview.error.hint, { multiline: true })}`] : []),
        unchanged,
      ].join('\n');
    case 'conflict':
      return [
        `${name}: apply would stop on conflicts in ${count(preview.conflicts.length, 'file')}: the project moved on since the plan began (${preview.onto?.slice(0, 7)})`,
        ...preview.conflicts.map(
          (conflict) =>
            `  ${out.paint('red', 'C')} ${quotedPath(conflict.file)}  ${conflict.kind}, ${count(conflict.hunks, 'hunk')}`,
        ),
        `${unchanged}; troupe plan apply ${name} would wait for troupe plan resolve (or settle them with --strategy ours|theirs)`,
      ].join('\n');
    case 'commit': {
      const lines = [
        `${name}: apply would commit ${count(preview.files.length, 'file')} onto ${preview.onto?.slice(0, 7)}${preview.merged ? ', merged: the project moved on since the plan began' : ''}`,
        ...preview.files.map((file) => fileChangeLine(file, out)),
        ...preview.settled.map(
          (settled) => `  settled ${quotedPath(settled.file)} with ${settled.with} (${count(settled.hunks, 'hunk')})`,
        ),
      ];
      if (preview.patch !== undefined) {
        const diff = formatPatch(preview.patch, out).replace(/\n$/, '');
        if (diff !== '') lines.push(diff);
        if (preview.truncated)
          lines.push(
            out.paint('yellow', `(the diff is longer than ${CLI_PATCH_BYTES / (1024 * 1024)} MiB: the rest is cut)`),
          );
      }
      lines.push(`${unchanged} (troupe plan apply ${name} makes the commit)`);
      return lines.join('\n');
    }
  }
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
