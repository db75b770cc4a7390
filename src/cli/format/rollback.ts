import { restoresTo } from '../../domain/index.js';
import { forTerminal, quotedPath } from '../../domain/terminal-text.js';
import type { CorrectionResult, RollbackPreview, RollbackResult } from '../../runtime/index.js';
import type { Output } from '../output.js';

// a confirmation lists this many files and decisions; --json and checkpoint show have the rest
const FILES_SHOWN = 20;
const DECISIONS_SHOWN = 5;

/** What a rollback would do, shown before asking (SPEC §10): the checkpoint, the position, files, decisions and child plans. */
export function formatRollbackPreview(name: string, preview: RollbackPreview, out: Pick<Output, 'paint'>): string {
  const { checkpoint } = preview;
  const label = checkpoint.label === null ? '' : ` "${forTerminal(checkpoint.label)}"`;
  const lines = [
    `${out.paint('bold', name)} goes back to checkpoint ${checkpoint.id}${label} (${checkpoint.trigger}, created ${checkpoint.createdAt})`,
    `  restores to  ${forTerminal(restoresTo({ ...preview.restores, step: checkpoint.step }))}`,
  ];
  if (preview.changes.length === 0) {
    lines.push(`  files        none to revert`);
  } else {
    lines.push(`  files        ${count(preview.changes.length, 'file')} to revert:`);
    for (const change of preview.changes.slice(0, FILES_SHOWN))
      lines.push(`                 ${paintAction(change.action, out)}  ${quotedPath(change.file)}`);
    if (preview.changes.length > FILES_SHOWN)
      lines.push(out.paint('dim', `                 … ${preview.changes.length - FILES_SHOWN} more`));
  }
  const discard = preview.decisionsToDiscard;
  const titles = discard
    .slice(0, DECISIONS_SHOWN)
    .map((decision) => `${decision.type} "${forTerminal(decision.title)}"`);
  if (discard.length > DECISIONS_SHOWN) titles.push(`… ${discard.length - DECISIONS_SHOWN} more`);
  lines.push(
    `  decisions    ${discard.length === 0 ? 'none to discard' : `${discard.length} to discard: ${titles.join(', ')}`}`,
  );
  if (preview.decisionsToRestore > 0)
    lines.push(`               ${count(preview.decisionsToRestore, 'discarded decision')} made active again`);
  const children = preview.childPlansToInvalidate;
  lines.push(
    `  child plans  ${children.length === 0 ? 'none to invalidate' : `${children.length} to invalidate: ${children.map((child) => `${child.name} (${child.status})`).join(', ')}`}`,
  );
  return lines.join('\n');
}

/** What a rollback did, and how to undo it. */
export function formatRollbackResult(
  name: string,
  result: RollbackResult,
  out: Output,
  childNames: ReadonlyMap<string, string> = new Map(),
): string {
  return [
    `${out.paint('green', '✓')} rolled back ${name} to checkpoint ${checkpointName(result.checkpoint)}`,
    ...rollbackRows(result, out, childNames),
    undoLine(name, result.undoCheckpointId),
    nextLine(name, result.restored),
  ].join('\n');
}

/** What a correction did, then `plan` (the plan where it stopped, as text), and how to undo it. */
export function formatCorrection(
  name: string,
  result: CorrectionResult,
  plan: string,
  out: Output,
  childNames: ReadonlyMap<string, string> = new Map(),
): string {
  const head =
    result.mode === 'revert' && result.rollback
      ? `${out.paint('green', '✓')} corrected ${name}: reverted to checkpoint ${checkpointName(result.rollback.checkpoint)}`
      : `${out.paint('green', '✓')} corrected ${name}: appended ${count(result.appended.length, 'step')}`;
  const rows = result.rollback ? rollbackRows(result.rollback, out, childNames) : [];
  return [head, ...rows, plan, undoLine(name, result.undoCheckpointId)].filter(Boolean).join('\n');
}

// child plans by name where the caller knows it (planNames), by id otherwise
function rollbackRows(result: RollbackResult, out: Output, childNames: ReadonlyMap<string, string>): string[] {
  const children = result.childPlansInvalidated.map((id) => childNames.get(id) ?? id);
  const files = result.changesReverted.map((change) => `${quotedPath(change.file)} (${change.action})`);
  const shown =
    files.length > FILES_SHOWN ? [...files.slice(0, FILES_SHOWN), `… ${files.length - FILES_SHOWN} more`] : files;
  return [
    `  restored to  ${forTerminal(restoresTo({ ...result.restored, step: result.checkpoint.step }))}`,
    `  files        ${files.length === 0 ? 'none reverted' : `${files.length} reverted: ${shown.join(', ')}`}`,
    `  decisions    ${result.decisionsDiscarded} discarded`,
    `  child plans  ${result.childPlansInvalidated.length === 0 ? 'none invalidated' : `${children.length} invalidated: ${children.join(', ')}`}`,
    `  reversions   ${result.reversionCount}${out.paint('dim', ' (the plan file’s maxReversions limits them)')}`,
  ];
}

// what runs next from where the plan now is: a validated plan applies, anything else runs on
function nextLine(name: string, restored: RollbackResult['restored']): string {
  if (restored.phase === 'validate' && restored.status === 'complete') return `next: troupe plan apply ${name}`;
  return `next: troupe plan run ${name}`;
}

function undoLine(name: string, undoCheckpointId: string): string {
  return `undo: troupe plan rollback ${name} --to ${undoCheckpointId}`;
}

function checkpointName(checkpoint: { id: string; label: string | null; trigger: string; createdAt: string }): string {
  return `${checkpoint.id}${checkpoint.label === null ? '' : ` "${forTerminal(checkpoint.label)}"`} (${checkpoint.trigger}, created ${checkpoint.createdAt})`;
}

function paintAction(action: 'restored' | 'deleted' | 'recreated', out: Pick<Output, 'paint'>): string {
  const padded = action.padEnd(9);
  return action === 'deleted'
    ? out.paint('red', padded)
    : action === 'recreated'
      ? out.paint('green', padded)
      : out.paint('yellow', padded);
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
