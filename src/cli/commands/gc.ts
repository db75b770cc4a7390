import type { GcReport } from '../../runtime/index.js';
import type { CommandContext } from '../context.js';
import { parseDuration } from '../duration.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';

/** The flags of `troupe gc`. */
export interface GcFlags {
  olderThan?: string;
  dryRun?: boolean;
}

/**
 * `troupe gc [--older-than D] [--dry-run]` (SPEC §18): free the sandboxes
 * (worktrees and branches) of plans that ended — all of them, or those that
 * ended at least D ago — and folders and troupe branches no plan owns, and
 * prune the refs troupe held for plans nothing can roll back any more.
 * `--dry-run` says what would go.
 * `--json`: `{dryRun, worktrees, branches, plans, bytes, refs, freed}`.
 */
export async function gc(context: CommandContext, flags: GcFlags): Promise<number> {
  // checked before the store is opened: a bad flag changes nothing
  const olderThanMs = flags.olderThan === undefined ? undefined : parseDuration(flags.olderThan, '--older-than');
  const runtime = await context.runtime();
  const report = await runtime.gc({
    ...(olderThanMs === undefined ? {} : { olderThanMs }),
    ...(flags.dryRun ? { dryRun: true } : {}),
  });
  context.out.result(report, () => formatGc(report, context.out));
  return EXIT.ok;
}

function formatGc(report: GcReport, out: Output): string {
  if (report.freed.length === 0 && report.refs === 0) {
    return out.paint(
      'dim',
      'nothing to free: every sandbox and ref belongs to a plan that has not ended (or ended more recently)',
    );
  }
  const lines = report.freed.map((entry) => {
    const what = [entry.worktree, entry.branch].filter(Boolean).join(', ');
    return `  ${entry.name ?? out.paint('dim', '(no plan)')}  ${what}`;
  });
  const parts = [];
  if (report.freed.length > 0) {
    parts.push(
      `${report.dryRun ? 'would free' : 'freed'} ${count(report.worktrees, 'worktree')} and ${count(report.branches, 'branch', 'branches')} of ${count(report.plans, 'ended plan')}, ${sizeText(report.bytes)}`,
    );
  }
  // refs of plans nothing can roll back: their commits stay in git until its own gc prunes them
  if (report.refs > 0)
    parts.push(
      `${report.dryRun ? 'would prune' : 'pruned'} ${count(report.refs, 'ref')} of ended plans under refs/troupe/`,
    );
  return [
    ...lines,
    `${report.dryRun ? '' : `${out.paint('green', '✓')} `}${parts.join('; ')}${report.dryRun ? ' (dry run: nothing changed)' : ''}`,
  ].join('\n');
}

function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
