import type { PlanRecord } from '../../domain/index.js';
import type { PlanContext } from '../../../machines/index.js';
import type { Sandboxes } from '../../sandbox/index.js';
import type { StoredSnapshot } from '../../store/index.js';
import type { PlanPatch } from '../plans/index.js';
import { truncatedText } from './apply-preview.js';

// a diff an agent or a terminal reads: bounded
const DEFAULT_PATCH_BYTES = 256 * 1024;
const MAX_PATCH_BYTES = 16 * 1024 * 1024;

/**
 * The bytes of a patch a caller may ask for: 256 KiB unless it says,
 * at least 1 and at most 16 MiB.
 *
 * @example
 * patchLimit(undefined); // 262144
 */
export function patchLimit(maxBytes: number | undefined): number {
  return Math.max(1, Math.min(maxBytes ?? DEFAULT_PATCH_BYTES, MAX_PATCH_BYTES));
}

/**
 * What the plan changed in its sandbox, from its base to its head, as a
 * unified diff cut to `maxBytes` (see {@link patchLimit}); empty before its
 * first step commit.
 *
 * @example
 * const { patch, truncated } = await planPatch(services.sandboxes, record, undefined);
 */
export async function planPatch(
  sandboxes: Pick<Sandboxes, 'patch'>,
  record: PlanRecord,
  maxBytes: number | undefined,
): Promise<PlanPatch> {
  const sandbox = record.sandbox;
  if (!sandbox || sandbox.baseCommit === sandbox.headCommit)
    return {
      planId: record.id,
      base: sandbox?.baseCommit ?? null,
      head: sandbox?.headCommit ?? null,
      patch: '',
      truncated: false,
    };
  const full = await sandboxes.patch(sandbox, sandbox.baseCommit, sandbox.headCommit);
  return {
    planId: record.id,
    base: sandbox.baseCommit,
    head: sandbox.headCommit,
    ...truncatedText(full, patchLimit(maxBytes)),
  };
}

/**
 * The context a stored snapshot holds: what a dry run reads without
 * restoring the plan's actor (that would run work a dead process left in flight).
 *
 * @example
 * const merge = storedContext(await store.getSnapshot(planId))?.merge ?? null;
 */
export function storedContext(stored: StoredSnapshot | null): Partial<PlanContext> | null {
  return (stored?.snapshot as { context?: Partial<PlanContext> } | undefined)?.context ?? null;
}
