import { DEFAULT_PROJECT, renamedLine, type PlanStatus } from '../../domain/index.js';
import { quotedPath } from '../../domain/terminal-text.js';
import { childOf, hunkLines, hunkTitle, sidesOf } from '../format/conflicts.js';
import { formatElapsed } from '../format/progress.js';
import { plainLine } from '../format/terminal-text.js';
import type { PhaseEntry, PlanDetails, TreeRow } from './model.js';

const PHASE_MARKS: Record<PhaseEntry['state'], string> = {
  queued: '○',
  started: '…',
  waiting: '!',
  completed: '✓',
  failed: '✗',
  stopped: '–',
};

// what needs an eye: a shape that reads without colour, and the colour for a terminal that has it
const STATUS_FLAGS: Partial<Record<PlanStatus, { mark: string; color: 'cyan' | 'yellow' | 'red' }>> = {
  processing: { mark: '●', color: 'cyan' },
  waiting: { mark: '!', color: 'yellow' },
  failed: { mark: '✗', color: 'red' },
};

// a processing plan no process drives: its process died
const STOPPED_FLAG = { mark: '■', color: 'red' } as const;

/**
 * The colour of a plan's line in the tree: running cyan, waiting yellow,
 * failed red; none for the rest. Its flag ({@link rowText}) says the same
 * without colour.
 *
 * @example
 * <Text color={rowColor(row)}>{rowText(row)}</Text>
 */
export function rowColor(row: Pick<TreeRow, 'status'> & { stopped?: boolean }): 'cyan' | 'yellow' | 'red' | undefined {
  return row.stopped === true ? STOPPED_FLAG.color : STATUS_FLAGS[row.status]?.color;
}

/**
 * One line of the plan tree: a flag (`●` running, `■` stopped: no process drives it, `!` waiting, `✗` failed),
 * name, phase · status, how the parent sees a child, and the step and
 * child-plan progress.
 *
 * @example
 * rowText(row); // '●   ▾ demo/fan-1  execute · processing  (running, attempt 1)  steps 1/2'
 */
export function rowText(row: TreeRow): string {
  const flag = row.stopped ? STOPPED_FLAG.mark : (STATUS_FLAGS[row.status]?.mark ?? ' ');
  const marker = row.hasChildren ? (row.expanded ? '▾ ' : '▸ ') : '  ';
  const project = row.project === DEFAULT_PROJECT ? '' : ` [${row.project}]`;
  const parts = [
    `${flag} ${'  '.repeat(row.depth)}${marker}${row.name}${project}`,
    `${row.phase} · ${row.status}${row.stopped ? ' · stopped' : ''}`,
  ];
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
export function detailLines(details: PlanDetails, options: { checkpoints?: number; now?: number } = {}): string[] {
  const lines = [
    `${details.name}  ${details.id}`,
    `  ${details.phase} · ${details.status}${details.stoppedSince ? ' · stopped' : ''}  ${details.goal}`,
  ];
  if (details.error) lines.push(`  error ${details.error}`);
  // its process died: nothing moves it until it is resumed
  if (details.stoppedSince)
    lines.push(
      `  stopped  no process drives it since ${details.stoppedSince} · hint: troupe plan resume ${details.name}`,
    );
  const { running } = details;
  if (running) {
    const clock = details.stoppedSince
      ? 'interrupted'
      : `for ${formatElapsed((options.now ?? Date.now()) - Date.parse(running.since))}`;
    lines.push(`  running  step ${running.index + 1}: ${running.title} (${clock})`);
    if (running.output) lines.push(`    │ ${plainLine(running.output)}`);
  }
  lines.push(
    `  phases  ${details.timeline.length === 0 ? 'none yet' : details.timeline.map((entry) => `${entry.phase} ${PHASE_MARKS[entry.state]}`).join('  ')}`,
  );
  // open conflicts first: they are what a waiting plan needs from the user
  lines.push(`  conflicts${details.conflicts.length === 0 ? '  none' : ''}`);
  for (const conflict of details.conflicts) lines.push(`    ${conflictText(conflict)}`);
  // children still running whose changes would conflict if merged now
  if (details.predicted.length > 0) lines.push('  predicted conflicts');
  for (const { names, files, kinds } of details.predicted)
    lines.push(`    ${names.join(' ↔ ')}  ${files.map((file, at) => `${quotedPath(file)} (${kinds[at]})`).join(', ')}`);
  // what strategize warned of: children that may write the same files (a warn lets them run into each other)
  if (details.overlaps.length > 0) lines.push('  overlaps');
  for (const overlap of details.overlaps) lines.push(`    ! ${overlap}`);
  lines.push('  events');
  if (details.recent.length === 0) lines.push('    none');
  for (const event of details.recent)
    lines.push(
      `    #${event.seq} ${event.type}${event.phase ? ` (${event.phase})` : ''}${event.summary ? `  ${event.summary}` : ''}`,
    );
  const shown = details.checkpoints.slice(-(options.checkpoints ?? details.checkpoints.length));
  const older = details.checkpoints.length - shown.length;
  lines.push(
    `  checkpoints${details.checkpoints.length === 0 ? '  none' : older > 0 ? `  (${older} older not shown)` : ''}`,
  );
  for (const checkpoint of shown) lines.push(`    ${checkpointText(checkpoint)}`);
  return lines;
}

/**
 * One open conflict on a line: the file (quoted as git quotes a name with
 * a control character, {@link quotedPath}), its kind, and the child plan it
 * came from, by name.
 *
 * @example
 * conflictText(details.conflicts[0]); // 'package.json  content  from demo/fan-2'
 */
export function conflictText(conflict: PlanDetails['conflicts'][number]): string {
  const child = childOf(conflict);
  return `${quotedPath(conflict.file)}  ${conflict.kind}${child ? `  from ${child}` : ''}`;
}

/**
 * The conflict view of `troupe ui`: whose side is whose, the open files
 * (the selected one marked), and the hunks of the selected file — what
 * `o` and `t` choose between; with none left, how to run the plan on.
 *
 * @example
 * for (const line of conflictLines(details, 0)) console.log(line.text);
 */
export function conflictLines(details: PlanDetails, index: number): { text: string; selected: boolean }[] {
  const plain = (text: string) => ({ text, selected: false });
  if (details.conflicts.length === 0)
    return [plain(`no conflicts left in ${details.name}: g ${goesOn(details)}, c goes back`)];
  const selected = details.conflicts[Math.min(index, details.conflicts.length - 1)]!;
  const sides = sidesOf(details.name, childOf(selected));
  const lines = [plain(`ours: ${sides.ours} · theirs: ${sides.theirs}`)];
  details.conflicts.forEach((conflict) =>
    lines.push({
      text: `${conflict === selected ? '›' : ' '} ${conflictText(conflict)}`,
      selected: conflict === selected,
    }),
  );
  // a rename conflict is about where the file goes: say where each side put it
  if (selected.paths) lines.push(plain(`  ${renamedLine(selected.paths)}`));
  selected.hunks.forEach((hunk, at) => {
    lines.push(plain(`  ${hunkTitle(hunk, at, selected.hunks.length) ?? quotedPath(selected.file)}`));
    lines.push(...hunkLines(hunk, { indent: '  ' }).map(plain));
  });
  return lines;
}

/**
 * What `g` does once a plan's conflicts are all resolved: a child's merge
 * runs on as `troupe plan run` would; apply, which waits for its command,
 * is run as `troupe plan apply` would.
 *
 * @example
 * goesOn({ phase: 'execute' }); // 'runs it on (as troupe plan run)'
 */
export function goesOn(details: Pick<PlanDetails, 'phase'>): string {
  return details.phase === 'apply' ? 'applies it (as troupe plan apply)' : 'runs it on (as troupe plan run)';
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
