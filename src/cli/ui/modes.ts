import type { ApplyPreview, RollbackPreview } from '../../runtime/index.js';
import { checkpointText } from './text.js';
import type { PlanDetails } from './model.js';

/**
 * What the view of `troupe ui` is doing: showing the tree, asking a
 * question, listing conflicts or checkpoints, or waiting for the editor.
 *
 * @example
 * const mode: Mode = { kind: 'confirm-cancel', id: plan.id, name: plan.name };
 */
export type Mode =
  | { kind: 'tree' }
  | { kind: 'confirm-cancel'; id: string; name: string }
  | { kind: 'conflicts'; index: number }
  // the user's editor has the file's copy with markers; the view waits, its keys released
  | { kind: 'editing'; index: number; planId: string; name: string; file: string; path: string }
  // index into the checkpoints newest first
  | { kind: 'checkpoints'; index: number }
  | { kind: 'confirm-rollback'; id: string; name: string; preview: RollbackPreview }
  // `A`: what apply would commit, as `troupe plan apply --dry-run` says it, before the question
  | { kind: 'confirm-apply'; id: string; name: string; preview: ApplyPreview };

/**
 * The keys that work in a mode, or the question it asks. The tree offers
 * `A apply` in place of `c conflicts` when the selected plan can be applied
 * (a validated plan has none): the line keeps to 80 columns.
 *
 * @example
 * footerOf({ kind: 'tree' }, { resolvedAll: false, named: false, canApply: true });
 */
export function footerOf(mode: Mode, state: { resolvedAll: boolean; named: boolean; canApply: boolean }): string {
  switch (mode.kind) {
    case 'tree':
      // PgUp/PgDn and Home/End move too (docs/reference/cli.md): the line fits 80 columns
      return `↑↓ move · enter expand · ${state.canApply ? 'A apply' : 'c conflicts'} · r rollback · x cancel${state.named ? '' : ' · a ended'} · q quit`;
    case 'confirm-cancel':
      return `cancel ${mode.name} for good? y/n`;
    case 'conflicts':
      return state.resolvedAll ? 'g go on · c back · q quit' : '↑↓ file · o ours · t theirs · e edit · c back · q quit';
    case 'editing':
      return '';
    case 'checkpoints':
      return '↑↓ checkpoint · enter preview the rollback · r back · q quit';
    case 'confirm-rollback':
      return `Roll back ${mode.name}? y/N`;
    case 'confirm-apply':
      return `Apply ${mode.name} onto your branch? y/N`;
  }
}

/**
 * Whether `A` may apply the plan the details show: a root plan whose
 * validate completed, or whose apply is queued or failed — where
 * `troupe plan apply` would go ahead (apply waiting on conflicts goes on
 * from the conflict view, with `g`).
 *
 * @example
 * canApply(details, row.depth === 0);
 */
export function canApply(details: Pick<PlanDetails, 'phase' | 'status'> | null, root: boolean): boolean {
  if (!details || !root) return false;
  return (
    (details.phase === 'validate' && details.status === 'complete') ||
    (details.phase === 'apply' && (details.status === 'queued' || details.status === 'failed'))
  );
}

/**
 * The checkpoints to pick from, newest first, in a window of `height` rows
 * that keeps the selected one in view.
 *
 * @example
 * checkpointRows(newestFirst, 0, 10); // [{ text: '› 01J…  manual …', selected: true }, …]
 */
export function checkpointRows(
  checkpoints: PlanDetails['checkpoints'],
  index: number,
  height: number,
): { text: string; selected: boolean }[] {
  const start = Math.min(Math.max(0, index - height + 1), Math.max(0, checkpoints.length - height));
  return checkpoints.slice(start, start + Math.max(1, height)).map((checkpoint, at) => {
    const selected = start + at === index;
    return { text: `${selected ? '›' : ' '} ${checkpointText(checkpoint)}`, selected };
  });
}
