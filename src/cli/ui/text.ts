import { DEFAULT_PROJECT } from '../../domain/index.js';
import type { PlanDetails, TreeRow } from './model.js';

const PHASE_MARKS = { started: '…', completed: '✓', failed: '✗' } as const;

/**
 * One line of the plan tree: name, phase · status, how the parent sees a
 * child, and the step and child-plan progress.
 *
 * @example
 * rowText(row); // '  ▾ demo/fan-1  execute · running  (running, attempt 1)  steps 1/2'
 */
export function rowText(row: TreeRow): string {
  const marker = row.hasChildren ? (row.expanded ? '▾ ' : '▸ ') : '  ';
  const project = row.project === DEFAULT_PROJECT ? '' : ` [${row.project}]`;
  const parts = [`${'  '.repeat(row.depth)}${marker}${row.name}${project}`, `${row.phase} · ${row.status}`];
  if (row.subplanStatus !== null) parts.push(`(${row.subplanStatus}, attempt ${row.attempt})`);
  parts.push(`steps ${row.steps.done}/${row.steps.total}`);
  if (row.children.total > 0) parts.push(`children ${row.children.done}/${row.children.total}`);
  return parts.join('  ');
}

/**
 * The detail pane as lines: phase timeline, open conflicts, latest events and
 * checkpoints (the newest `checkpoints` of them when given).
 *
 * @example
 * console.log(detailLines(details).join('\n'));
 */
export function detailLines(details: PlanDetails, options: { checkpoints?: number } = {}): string[] {
  const lines = [`${details.name}  ${details.id}`, `  ${details.phase} · ${details.status}  ${details.goal}`];
  if (details.error) lines.push(`  error ${details.error}`);
  lines.push(`  phases  ${details.timeline.length === 0 ? 'none yet' : details.timeline.map((entry) => `${entry.phase} ${PHASE_MARKS[entry.state]}`).join('  ')}`);
  // open conflicts first: they are what a waiting plan needs from the user
  lines.push(`  conflicts${details.conflicts.length === 0 ? '  none' : ''}`);
  for (const conflict of details.conflicts) lines.push(`    ${conflict.file}  ${conflict.kind}${conflict.child ? `  from ${conflict.child}` : ''}`);
  lines.push('  events');
  if (details.recent.length === 0) lines.push('    none');
  for (const event of details.recent) lines.push(`    #${event.seq} ${event.type}${event.phase ? ` (${event.phase})` : ''}${event.summary ? `  ${event.summary}` : ''}`);
  const shown = details.checkpoints.slice(-(options.checkpoints ?? details.checkpoints.length));
  const older = details.checkpoints.length - shown.length;
  lines.push(`  checkpoints${details.checkpoints.length === 0 ? '  none' : older > 0 ? `  (${older} older not shown)` : ''}`);
  for (const checkpoint of shown) lines.push(`    ${checkpointText(checkpoint)}`);
  return lines;
}

/**
 * One checkpoint on a line: id, trigger, the position it restores, label.
 *
 * @example
 * checkpointText(details.checkpoints[0]); // '01J…  manual  (execute, running)  before-refactor'
 */
export function checkpointText(checkpoint: PlanDetails['checkpoints'][number]): string {
  return `${checkpoint.id}  ${checkpoint.trigger}  (${checkpoint.phase}, ${checkpoint.status})${checkpoint.label ? `  ${checkpoint.label}` : ''}`;
}

/**
 * What `troupe ui` prints without a terminal: the tree, then the details of
 * one plan (SPEC §11, DESIGN §7: the same model as the Ink view).
 *
 * @example
 * context.out.line(formatUi(treeRows(records), details));
 */
export function formatUi(rows: readonly TreeRow[], details: PlanDetails | null): string {
  if (rows.length === 0) return 'no plans yet';
  return [...rows.map(rowText), '', ...(details ? detailLines(details) : [])].join('\n').trimEnd();
}
