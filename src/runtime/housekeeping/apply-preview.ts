import type { MergeStrategy, PlanRecord } from '../../domain/index.js';
import type { PendingMerge } from '../../../machines/index.js';
import type { ProjectApplier } from '../../../actors/index.js';
import type { ApplyPreview } from './housekeeping-api.js';

/**
 * Whether `plan apply` takes this plan now, read from its record alone (a
 * dry run must not restore the plan's actor: that would run work a dead
 * process left in flight). The same rule as the machine's `canApply`: a
 * root plan whose validate is complete, whose apply is queued, or whose
 * apply failed in a way `plan apply` retries.
 */
export function applyTakes(record: PlanRecord): boolean {
  if (record.parentId !== null) return false;
  if (record.phase === 'validate') return record.status === 'complete';
  if (record.phase !== 'apply') return false;
  return record.status === 'queued' || (record.status === 'failed' && record.error?.retryable === true);
}

/**
 * What apply would do for `record` now (see {@link ApplyPreview}). `merge`
 * is the plan's pending merge, if any: once its conflicts were resolved,
 * apply commits the merge commit instead of the sandbox's head.
 *
 * @example
 * const preview = await previewPlanApply(services.project, record, null, { patch: true, maxBytes: 65_536 });
 */
export async function previewPlanApply(
  project: ProjectApplier,
  record: PlanRecord,
  merge: Pick<PendingMerge, 'ours' | 'commit'> | null,
  options: { strategy?: MergeStrategy; patch?: boolean; maxBytes: number },
): Promise<ApplyPreview> {
  const nothing = {
    planId: record.id,
    name: record.name,
    onto: null,
    merged: false,
    files: [],
    settled: [],
    conflicts: [],
    commit: null,
    error: null,
  };
  const sandbox = record.sandbox;
  if (sandbox === null) return { ...nothing, outcome: 'unchanged' };
  const resolved = merge?.commit ? { base: merge.ours, head: merge.commit } : null;
  const result = await project.previewApply(
    {
      base: resolved?.base ?? sandbox.baseCommit,
      head: resolved?.head ?? sandbox.headCommit,
      planId: record.id,
      message: record.goal,
      ...(options.strategy ? { strategy: options.strategy } : {}),
    },
    { patch: options.patch === true },
  );
  switch (result.status) {
    case 'unchanged':
      return { ...nothing, outcome: 'unchanged' };
    case 'applied':
      return { ...nothing, outcome: 'applied', commit: result.commit };
    case 'refused':
      return { ...nothing, outcome: 'refused', error: result.error.toJSON() };
    case 'conflict':
      return { ...nothing, outcome: 'conflict', onto: result.onto, merged: true, conflicts: result.conflicts };
    case 'commit': {
      const settled = result.settled.map(({ file, kind, side, hunks }) => ({ file, kind, with: side, hunks }));
      const preview: ApplyPreview = {
        ...nothing,
        outcome: 'commit',
        onto: result.onto,
        merged: result.merged,
        files: result.files,
        settled,
      };
      if (result.patch === null) return preview;
      return { ...preview, ...truncatedText(result.patch, options.maxBytes) };
    }
  }
}

/**
 * `text` cut to at most `maxBytes` of UTF-8 (never inside a character);
 * `truncated` says it was cut.
 *
 * @example
 * truncatedText('héllo', 2); // { patch: 'h', truncated: true }
 */
export function truncatedText(text: string, maxBytes: number): { patch: string; truncated: boolean } {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return { patch: text, truncated: false };
  return {
    patch: bytes
      .subarray(0, maxBytes)
      .toString('utf8')
      .replace(/\uFFFD$/, ''),
    truncated: true,
  };
}
