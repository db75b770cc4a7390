import { restoresTo, type CheckpointSummary } from '../../domain/index.js';
import { forTerminal } from '../../domain/terminal-text.js';
import type { Output } from '../output.js';

// a step's title in a table row: long ones are cut, `checkpoint show` has it whole
const TITLE_SHOWN = 40;

/**
 * `troupe checkpoint list` as a table, oldest first, then how to go back to
 * one; `hidden`: how many merge checkpoints were left out (`--all` shows them).
 */
export function formatCheckpointList(
  name: string,
  listed: { checkpoints: readonly CheckpointSummary[]; hidden: number },
  out: Output,
): string {
  const { checkpoints, hidden } = listed;
  const more =
    hidden > 0
      ? [out.paint('dim', `${hidden} merge checkpoint${hidden === 1 ? '' : 's'} not shown (--all shows them)`)]
      : [];
  if (checkpoints.length === 0)
    return [
      out.paint('dim', `${name} has no checkpoints yet (troupe checkpoint create ${name} takes one)`),
      ...more,
    ].join('\n');
  const header = ['ID', 'LABEL', 'TRIGGER', 'STEP', 'RESTORES TO', 'CREATED', 'COMMIT', 'CLEAN', 'WRITES/CALLS'];
  const rows = checkpoints.map((checkpoint) => [
    checkpoint.id,
    forTerminal(checkpoint.label ?? '-'),
    checkpoint.trigger,
    checkpoint.step ? String(checkpoint.step.number) : '-',
    forTerminal(
      restoresTo(
        checkpoint.step
          ? { ...checkpoint, step: { ...checkpoint.step, title: cut(checkpoint.step.title) } }
          : checkpoint,
      ),
    ),
    checkpoint.createdAt,
    shortCommit(checkpoint.sandboxCommit),
    checkpoint.clean ? 'yes' : 'no',
    `${checkpoint.sideEffects}/${checkpoint.toolCalls}`,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ');
  const next = `go back to one: troupe plan rollback ${name} --to <id|label|step:N|last-clean>`;
  return [out.paint('dim', line(header)), ...rows.map(line), ...more, out.paint('dim', next)].join('\n');
}

/** `troupe checkpoint show` as text: what the checkpoint holds and how to go back to it. */
export function formatCheckpoint(name: string, checkpoint: CheckpointSummary, out: Output): string {
  const rows: [string, string][] = [
    ['label', checkpoint.label ?? out.paint('dim', '(none)')],
    ['trigger', checkpoint.trigger],
    ['created', checkpoint.createdAt],
    ['restores to', forTerminal(restoresTo(checkpoint))],
    [
      'sandbox',
      checkpoint.sandboxCommit
        ? `commit ${shortCommit(checkpoint.sandboxCommit)}`
        : out.paint('dim', '(no sandbox yet)'),
    ],
    ['steps', `${checkpoint.stepIds.length} decided`],
    ['effects', `${count(checkpoint.sideEffects, 'side effect')} · ${count(checkpoint.toolCalls, 'tool call')}`],
    ['child plans', checkpoint.childPlanIds.length === 0 ? 'none' : checkpoint.childPlanIds.join(', ')],
    [
      'clean',
      checkpoint.clean ? out.paint('green', 'yes') : out.paint('red', 'no (the last reconciliation before it failed)'),
    ],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    `${out.paint('bold', `checkpoint ${checkpoint.id}`)} of ${name}`,
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
    `go back to it: troupe plan rollback ${name} --to ${checkpoint.id}`,
  ].join('\n');
}

/** What `troupe checkpoint create` took. */
export function formatCreated(name: string, checkpoint: CheckpointSummary, out: Output): string {
  const label = checkpoint.label === null ? '' : ` "${checkpoint.label}"`;
  return [
    `${out.paint('green', '✓')} checkpoint ${checkpoint.id}${label} of ${name} at (${checkpoint.phase}, ${checkpoint.status})`,
    `go back to it: troupe plan rollback ${name} --to ${checkpoint.label ?? checkpoint.id}`,
  ].join('\n');
}

/** What `troupe checkpoint delete` deleted. */
export function formatDeleted(name: string, checkpoint: CheckpointSummary, out: Output): string {
  const label = checkpoint.label === null ? '' : ` "${checkpoint.label}"`;
  return `${out.paint('green', '✓')} deleted checkpoint ${checkpoint.id}${label} of ${name}`;
}

/** What `troupe checkpoint prune` deleted and kept. */
export function formatPruned(
  name: string,
  result: { deleted: readonly string[]; kept: readonly string[] },
  out: Output,
): string {
  if (result.deleted.length === 0)
    return `nothing to prune: ${name} keeps its ${count(result.kept.length, 'checkpoint')}`;
  return `${out.paint('green', '✓')} deleted ${count(result.deleted.length, 'checkpoint')} of ${name}; ${result.kept.length} kept`;
}

function cut(title: string): string {
  return title.length > TITLE_SHOWN ? `${title.slice(0, TITLE_SHOWN - 1)}…` : title;
}

function shortCommit(commit: string | null): string {
  return commit === null ? '-' : commit.slice(0, 7);
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
