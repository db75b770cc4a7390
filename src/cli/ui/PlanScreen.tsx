import { Box } from 'ink';
import { formatApplyPreview } from '../commands/plan-apply-preview.js';
import { formatRollbackPreview } from '../format/rollback.js';
import { Output } from '../output.js';
import type { PlanDetails, TreeRow } from './model.js';
import { canApply, checkpointRows, footerOf, type Mode } from './modes.js';
import { conflictLines, detailLines, rowColor, rowText } from './text.js';
import { Line } from './Line.js';

/** Below this many columns or rows the UI shows the tree only. */
export const MIN_SIZE = { columns: 60, rows: 15 } as const;

/** How `troupe ui` splits the terminal: the window of the tree it shows, and the rows left for the pane. */
export interface ScreenLayout {
  /** Too small for both: the tree only. */
  treeOnly: boolean;
  /** Rows of the tree shown. */
  treeHeight: number;
  /** The first row shown. */
  start: number;
  /** The tree is taller than its room: a line above and below says how many rows are out of sight. */
  scrolls: boolean;
  above: number;
  below: number;
  /** Rows for the detail pane under the tree. */
  paneHeight: number;
}

/**
 * The layout of a tree of `rowCount` rows with the row at `index`
 * selected, on `terminal`: half the screen for the tree and the rest for
 * the details, the whole of it for the tree when the terminal is smaller
 * than {@link MIN_SIZE}; a line each for the message and the count of
 * hidden plans when there are.
 *
 * @example
 * screenLayout({ columns: 80, rows: 24 }, 5, 0, { message: false, hidden: false }).treeHeight; // 10
 */
export function screenLayout(
  terminal: { columns: number; rows: number },
  rowCount: number,
  index: number,
  lines: { message: boolean; hidden: boolean },
): ScreenLayout {
  const treeOnly = terminal.columns < MIN_SIZE.columns || terminal.rows < MIN_SIZE.rows;
  // the footer, the pane's border and a spare line; the message and the count of hidden plans take one more each
  const fixedChrome = 3 + (lines.message ? 1 : 0) + (lines.hidden ? 1 : 0);
  // half the screen for the tree (the details get the rest), all of it when the terminal is too small for both
  const room = Math.max(1, treeOnly ? terminal.rows - fixedChrome + 1 : Math.floor((terminal.rows - fixedChrome) / 2));
  // a tree taller than its room says how many rows are out of sight above and below, on lines of their own
  const scrolls = rowCount > room;
  const treeHeight = scrolls ? Math.max(1, room - 2) : room;
  const chrome = fixedChrome + (scrolls ? 2 : 0);
  // a window of the tree that keeps the selected row in view
  const start = Math.min(Math.max(0, index - treeHeight + 1), Math.max(0, rowCount - treeHeight));
  return {
    treeOnly,
    treeHeight,
    start,
    scrolls,
    above: start,
    below: Math.max(0, rowCount - start - treeHeight),
    paneHeight: Math.max(0, terminal.rows - Math.min(rowCount, treeHeight) - chrome),
  };
}

/** The props of {@link PlanScreen}. */
export interface PlanScreenProps {
  rows: readonly TreeRow[];
  /** The selected row. */
  index: number;
  layout: ScreenLayout;
  /** How many ended plans the tree leaves out. */
  hidden: number;
  /** The details of the selected plan, once read. */
  shown: PlanDetails | null;
  mode: Mode;
  /** The checkpoints of the plan shown, newest first. */
  newestFirst: PlanDetails['checkpoints'];
  message: string | null;
  /** The view shows only the plans `troupe ui <plan>` named. */
  named: boolean;
}

// the preview of a rollback or an apply as the CLI shows it, without colour (Ink styles the pane)
const PLAIN = new Output({ json: false, stream: false, color: false }, { stdout: () => {}, stderr: () => {} });

/**
 * The screen of `troupe ui` with plans to show: the window of the tree,
 * then a pane with the selected plan's details — or the list or question
 * of the mode — then the message and the keys of the mode.
 *
 * @example
 * <PlanScreen rows={rows} index={index} layout={layout} hidden={0} shown={details} mode={mode} newestFirst={[]} message={null} named={false} />
 */
export function PlanScreen({ rows, index, layout, hidden, shown, mode, newestFirst, message, named }: PlanScreenProps) {
  const selected = rows[index] ?? null;
  const { treeHeight, start, paneHeight } = layout;
  const footer = footerOf(mode, {
    resolvedAll: shown?.conflicts.length === 0,
    named,
    canApply: canApply(shown, selected?.depth === 0),
  });
  const pane =
    mode.kind === 'checkpoints'
      ? checkpointRows(newestFirst, mode.index, paneHeight)
      : mode.kind === 'confirm-rollback'
        ? formatRollbackPreview(mode.name, mode.preview, PLAIN)
            .split('\n')
            .map((text) => ({ text, selected: false }))
        : mode.kind === 'confirm-apply'
          ? formatApplyPreview(mode.preview, PLAIN)
              .split('\n')
              .map((text) => ({ text, selected: false }))
          : mode.kind === 'conflicts' && shown
            ? conflictLines(shown, mode.index)
            : null;
  return (
    <Box flexDirection="column">
      {layout.scrolls && <Line dimColor>{layout.above > 0 ? `  ↑ ${layout.above} more above` : ' '}</Line>}
      {rows.slice(start, start + treeHeight).map((row) => (
        <Line key={row.id} inverse={row.id === selected?.id} color={rowColor(row)}>
          {rowText(row)}
        </Line>
      ))}
      {layout.scrolls && <Line dimColor>{layout.below > 0 ? `  ↓ ${layout.below} more below` : ' '}</Line>}
      {hidden > 0 && (
        <Line
          dimColor
        >{`  + ${hidden} ended plan${hidden === 1 ? '' : 's'} hidden · a shows ${hidden === 1 ? 'it' : 'them'}`}</Line>
      )}
      {!layout.treeOnly && shown && (
        <Box
          flexDirection="column"
          borderStyle="single"
          borderTop
          borderBottom={false}
          borderLeft={false}
          borderRight={false}
        >
          {pane
            ? pane.slice(0, paneHeight).map((line, at) => (
                <Line key={at} inverse={line.selected}>
                  {line.text}
                </Line>
              ))
            : detailLines(shown, { checkpoints: 4 })
                .slice(0, paneHeight)
                .map((line, at) => <Line key={at}>{line}</Line>)}
        </Box>
      )}
      {message && <Line>{message}</Line>}
      <Line dimColor>{footer}</Line>
    </Box>
  );
}
