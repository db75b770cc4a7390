import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Box, useApp, type Key, useInput, useStdin } from 'ink';
import { useEffect, useReducer, useRef, useState } from 'react';
import { firstConflictMarker, isTerminalStatus, type PlanRecord } from '../../domain/index.js';
import { quotedPath } from '../../domain/terminal-text.js';
import type { Runtime } from '../../runtime/index.js';
import { formatApplyPreview } from '../commands/plan-apply-preview.js';
import { formatRollbackPreview } from '../format/rollback.js';
import { Output } from '../output.js';
import { readDetails, readLive, readPlans } from './load.js';
import { hiddenEnded, treeRows, type PlanDetails, type TreeRow } from './model.js';
import { moved, moveOf } from './navigate.js';
import { isOutage, useStoreOutage } from './store-outage.js';
import { editorCommand, openInEditor } from './editor.js';
import { conflictLines, detailLines, rowColor, rowText } from './text.js';
import { Line } from './Line.js';
import { applied, errorText, resolved, rolledBack } from './messages.js';
import { canApply, checkpointRows, footerOf, type Mode } from './modes.js';
import { useTerminalSize } from './use-terminal-size.js';

/** Below this many columns or rows the UI shows the tree only. */
export const MIN_SIZE = { columns: 60, rows: 15 } as const;

/** The props of {@link App}. */
export interface AppProps {
  runtime: Runtime;
  /** Show only these plans and their children (`troupe ui <plan>`); all root plans when absent. */
  rootIds?: readonly string[];
  /** The terminal size; read from stdout when absent. */
  size?: { columns: number; rows: number };
  /** Where `$VISUAL`/`$EDITOR` are read; the process's environment when absent. */
  env?: NodeJS.ProcessEnv;
}

// where the user is: read and written by each key press at once, so keys that arrive
// faster than frames are drawn each move from where the one before left off
interface View {
  selectedId: string | null;
  mode: Mode;
  collapsed: ReadonlySet<string>;
  /** Plans whose ended children the user unfolded (they start folded). */
  opened: ReadonlySet<string>;
  /** Show the root plans that had ended before the view saw them running (`a`). */
  showEnded: boolean;
}

// the preview of a rollback or an apply as the CLI shows it, without colour (Ink styles the pane)
const PLAIN = new Output({ json: false, stream: false, color: false }, { stdout: () => {}, stderr: () => {} });

/**
 * `troupe ui`: the live plan tree with a detail pane for the selected plan.
 * Reads everything through the Runtime interface and reloads on every
 * journal event (`subscribe('*')`), so it works locally or over the socket.
 * Active and newest plans come first; plans that ended before the view
 * opened are hidden until `a`.
 *
 * @example
 * const instance = render(<App runtime={runtime} />);
 * await instance.waitUntilExit();
 */
export function App({ runtime, rootIds, size, env = process.env }: AppProps) {
  const { exit } = useApp();
  const { isRawModeSupported } = useStdin();
  const terminal = useTerminalSize(size);
  const [records, setRecords] = useState<PlanRecord[] | null>(null);
  // the processing plans a process drives now: the others are shown stopped
  const [live, setLive] = useState<ReadonlySet<string> | undefined>(undefined);
  const [details, setDetails] = useState<PlanDetails | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  // bumped by every journal event: the tree and the details are read again
  const [version, setVersion] = useState(0);
  const view = useRef<View>({
    selectedId: null,
    mode: { kind: 'tree' },
    collapsed: new Set(),
    opened: new Set(),
    showEnded: false,
  });
  const [, redraw] = useReducer((frame: number) => frame + 1, 0);
  const update = (patch: Partial<View>) => {
    view.current = { ...view.current, ...patch };
    redraw();
  };
  // root plans seen before they ended: a plan that ends while it is shown stays
  const seenActive = useRef(new Set<string>());
  const page = useRef(1);

  useEffect(() => runtime.subscribe('*', () => setVersion((current) => current + 1)), [runtime]);
  // a new runtime (the owner of the store changed): what failed on the old one is over
  useEffect(() => setMessage(null), [runtime]);
  // the store went away (PostgreSQL restarting): said once, read again every 2 s, and said when it is back
  const away = useStoreOutage(runtime, () => setVersion((now) => now + 1));
  useEffect(() => {
    let current = true;
    let retry: NodeJS.Timeout | undefined;
    readPlans(runtime).then(
      async (read) => {
        // not known (a host of an older troupe): none is shown stopped
        const driven = await readLive(runtime, read).catch(() => undefined);
        if (!current) return;
        if (away.current) setMessage('the store is back');
        away.current = false;
        for (const record of read)
          if (record.parentId === null && !isTerminalStatus(record.status)) seenActive.current.add(record.id);
        setRecords(read);
        setLive(driven);
      },
      (error: unknown) => {
        if (!current) return;
        if (!isOutage(error)) return setMessage(errorText(error));
        if (!away.current) setMessage(`the store is unavailable (${errorText(error)}); waiting for it`);
        away.current = true;
        retry = setTimeout(() => setVersion((now) => now + 1), 2_000);
      },
    );
    return () => {
      current = false;
      clearTimeout(retry);
    };
  }, [runtime, version]);
  // while a plan processes, read again every second: its step's clock and output move, and a process that dies says so by no event
  const processing = records?.some((record) => record.status === 'processing') === true;
  useEffect(() => {
    if (!processing) return;
    const timer = setInterval(() => setVersion((current) => current + 1), 1_000);
    return () => clearInterval(timer);
  }, [processing]);

  const rowsOf = (now: View): TreeRow[] =>
    records
      ? treeRows(records, {
          ...(rootIds ? { rootIds } : {}),
          collapsed: now.collapsed,
          foldFinished: true,
          opened: now.opened,
          ended: now.showEnded ? 'all' : seenActive.current,
          ...(live ? { live } : {}),
        })
      : [];
  const { mode } = view.current;
  const rows = rowsOf(view.current);
  const index = Math.max(
    0,
    rows.findIndex((row) => row.id === view.current.selectedId),
  );
  const selected = rows[index] ?? null;
  // the first plan shown stays selected when newer ones appear above it
  if (view.current.selectedId === null && selected) view.current.selectedId = selected.id;
  const hidden =
    records && !rootIds
      ? hiddenEnded(records, view.current.showEnded ? new Set(records.map((record) => record.id)) : seenActive.current)
      : 0;

  useEffect(() => {
    if (!selected) return;
    let current = true;
    readDetails(runtime, selected.id).then(
      (read) => current && setDetails(read),
      // an outage is said once, by the tree's reading
      (error: unknown) => current && !isOutage(error) && setMessage(errorText(error)),
    );
    return () => void (current = false);
  }, [runtime, selected?.id, version]);

  const shown = details && selected && details.id === selected.id ? details : null;
  const act = <T,>(label: string, action: () => Promise<T>, done: (result: T) => string = () => `${label}: done`) => {
    setMessage(`${label}…`);
    action().then(
      (result) => setMessage(done(result)),
      (error: unknown) => setMessage(`${label}: ${errorText(error)}`),
    );
  };
  const newestFirst = shown ? [...shown.checkpoints].reverse() : [];
  // what apply would commit, then the question; a preview that says apply would fail asks nothing
  const previewApply = (id: string, name: string) => {
    setMessage(`previewing the apply of ${name}…`);
    runtime.previewApply(id).then(
      (preview) => {
        if (preview.outcome === 'refused')
          return setMessage(`apply ${name}: ${preview.error?.code ?? 'ERROR'}: ${preview.error?.message ?? ''}`);
        setMessage(null);
        update({ mode: { kind: 'confirm-apply', id, name, preview } });
      },
      (error: unknown) => setMessage(`apply ${name}: ${errorText(error)}`),
    );
  };

  const onKey = (input: string, key: Key) => {
    const now = view.current;
    const { mode } = now;
    const move = moveOf(key);
    if (mode.kind === 'confirm-cancel') {
      update({ mode: { kind: 'tree' } });
      if (input === 'y')
        act(`cancel ${mode.name}`, () => runtime.cancel(mode.id, { reason: 'cancelled in troupe ui' }));
      else setMessage('not cancelled');
      return;
    }
    if (mode.kind === 'confirm-apply') {
      // only a y applies, as troupe plan apply would (its preview was shown); anything else changes nothing
      update({ mode: { kind: 'tree' } });
      const { id, name } = mode;
      if (input === 'y')
        act(
          `apply ${name}`,
          () => runtime.runPhase(id, 'apply'),
          (record) => applied(name, record),
        );
      else setMessage(`apply of ${name} not confirmed: nothing changed`);
      return;
    }
    if (mode.kind === 'confirm-rollback') {
      // the same question as `troupe plan rollback`: only a y goes ahead, to the checkpoint previewed
      update({ mode: { kind: 'tree' } });
      const { id, name, preview } = mode;
      if (input === 'y')
        act(
          `rollback ${name}`,
          () => runtime.rollback(id, { to: preview.checkpoint.id }),
          (result) => rolledBack(name, result),
        );
      else setMessage(`rollback of ${name} not confirmed: nothing changed`);
      return;
    }
    if (input === 'q') return exit();
    if (mode.kind === 'checkpoints') {
      const checkpoint = newestFirst[Math.min(mode.index, newestFirst.length - 1)];
      if (key.escape || input === 'r') update({ mode: { kind: 'tree' } });
      else if (move)
        update({ mode: { kind: 'checkpoints', index: moved(mode.index, newestFirst.length, move, page.current) } });
      else if (key.return && checkpoint && shown) {
        const { id, name } = shown;
        setMessage(`previewing the rollback of ${name}…`);
        runtime.previewRollback(id, { to: checkpoint.id }).then(
          (preview) => {
            setMessage(null);
            update({ mode: { kind: 'confirm-rollback', id, name, preview } });
          },
          (error: unknown) => setMessage(`rollback ${name}: ${errorText(error)}`),
        );
      }
      return;
    }
    if (mode.kind === 'conflicts') {
      const open = shown?.conflicts ?? [];
      const conflict = open[Math.min(mode.index, open.length - 1)];
      if (key.escape || input === 'c') update({ mode: { kind: 'tree' } });
      else if (move) update({ mode: { kind: 'conflicts', index: moved(mode.index, open.length, move, page.current) } });
      else if (conflict && shown && input === 'e') {
        if (conflict.edit === null)
          setMessage(
            `${quotedPath(conflict.file)} has no text copy to edit (${conflict.kind}): o takes ours, t theirs`,
          );
        else
          update({
            mode: {
              kind: 'editing',
              index: mode.index,
              planId: shown.id,
              name: shown.name,
              file: conflict.file,
              path: join(runtime.dir, conflict.edit),
            },
          });
      } else if (conflict && shown && (input === 'o' || input === 't')) {
        const side = input === 'o' ? 'ours' : 'theirs';
        act(
          `resolve ${quotedPath(conflict.file)} --${side}`,
          () => runtime.resolve(shown.id, conflict.file, { with: side }),
          (result) => resolved(shown.name, result),
        );
      } else if (input === 'g' && shown && open.length === 0) {
        // the last file is resolved: go on as `troupe plan run` would (apply waits for its own command)
        const { id, name, phase } = shown;
        update({ mode: { kind: 'tree' } });
        const label = phase === 'apply' ? `apply ${name}` : `run ${name}`;
        act(
          label,
          () => (phase === 'apply' ? runtime.runPhase(id, 'apply') : runtime.run(id)),
          (record) => `${label}: it is at (${record.phase}, ${record.status})`,
        );
      }
      return;
    }
    const rowsNow = rowsOf(now);
    const at = Math.max(
      0,
      rowsNow.findIndex((row) => row.id === now.selectedId),
    );
    const row = rowsNow[at] ?? null;
    if (move) update({ selectedId: rowsNow[moved(at, rowsNow.length, move, page.current)]?.id ?? null });
    else if (key.return && row?.hasChildren)
      update(
        row.expanded
          ? { collapsed: with_(now.collapsed, row.id), opened: without(now.opened, row.id) }
          : { collapsed: without(now.collapsed, row.id), opened: with_(now.opened, row.id) },
      );
    else if (input === 'x' && row) update({ mode: { kind: 'confirm-cancel', id: row.id, name: row.name } });
    else if (input === 'A' && row) {
      if (!canApply(shown, row.depth === 0))
        setMessage(
          row.depth > 0
            ? `${row.name} is a child plan: its parent merges it`
            : `${row.name} is not ready to apply: it applies once validate completed`,
        );
      else previewApply(row.id, row.name);
    } else if (input === 'a' && !rootIds) update({ showEnded: !now.showEnded, selectedId: row?.id ?? null });
    else if (input === 'c') {
      if (shown && shown.conflicts.length > 0) update({ mode: { kind: 'conflicts', index: 0 } });
      else setMessage('no open conflicts');
    } else if (input === 'r') {
      if (newestFirst.length > 0) update({ mode: { kind: 'checkpoints', index: 0 } });
      else setMessage('no checkpoints to roll back to');
    }
  };
  // keys reach the handler of the latest render, whenever Ink's listener was registered
  const latestOnKey = useRef(onKey);
  latestOnKey.current = onKey;
  // inactive while the editor runs: Ink then leaves raw mode and stops reading stdin, which the editor reads
  useInput((input, key) => latestOnKey.current(input, key), {
    isActive: isRawModeSupported === true && mode.kind !== 'editing',
  });
  const editing = mode.kind === 'editing' ? mode : null;
  useEffect(() => {
    if (!editing) return;
    const { index, planId, name, file, path } = editing;
    openInEditor(path, env)
      .then(() => readFile(path, 'utf8'))
      .then(
        (text) => {
          update({ mode: { kind: 'conflicts', index } });
          // what still has markers is not a resolution: the file stays open, the edit kept for another go
          const marker = firstConflictMarker(text);
          if (marker !== null)
            setMessage(
              `${quotedPath(file)} still has conflict markers (line ${marker.line}): nothing resolved · e edits it again, o ours, t theirs`,
            );
          else
            act(
              `resolve ${quotedPath(file)} with your edit`,
              () => runtime.resolve(planId, file, { with: 'content', content: text }),
              (result) => resolved(name, result),
            );
        },
        (error: unknown) => {
          update({ mode: { kind: 'conflicts', index } });
          setMessage(`edit ${quotedPath(file)}: ${errorText(error)}`);
        },
      );
  }, [editing]);

  if (editing)
    return (
      <Line wrap="wrap">{`editing ${quotedPath(editing.file)} in ${editorCommand(env)}: the view comes back when the editor exits`}</Line>
    );
  if (records === null) return <Line wrap="wrap">{message ?? 'loading plans…'}</Line>;
  if (rows.length === 0) {
    const more = hidden > 0 ? ` (${hidden} ended: a shows them)` : '';
    return (
      <Line wrap="wrap">
        {records.length === 0
          ? 'no plans yet — create one with troupe plan new (q quits)'
          : `no active plans${more} — q quits`}
      </Line>
    );
  }
  const treeOnly = terminal.columns < MIN_SIZE.columns || terminal.rows < MIN_SIZE.rows;
  // the footer, the pane's border and a spare line; the message and the count of hidden plans take one more each
  const fixedChrome = 3 + (message ? 1 : 0) + (hidden > 0 ? 1 : 0);
  // half the screen for the tree (the details get the rest), all of it when the terminal is too small for both
  const room = Math.max(1, treeOnly ? terminal.rows - fixedChrome + 1 : Math.floor((terminal.rows - fixedChrome) / 2));
  // a tree taller than its room says how many rows are out of sight above and below, on lines of their own
  const scrolls = rows.length > room;
  const treeHeight = scrolls ? Math.max(1, room - 2) : room;
  const chrome = fixedChrome + (scrolls ? 2 : 0);
  page.current = treeHeight;
  // a window of the tree that keeps the selected row in view
  const start = Math.min(Math.max(0, index - treeHeight + 1), Math.max(0, rows.length - treeHeight));
  const above = start;
  const below = Math.max(0, rows.length - start - treeHeight);
  const paneHeight = Math.max(0, terminal.rows - Math.min(rows.length, treeHeight) - chrome);
  const footer = footerOf(mode, {
    resolvedAll: shown?.conflicts.length === 0,
    named: rootIds !== undefined,
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
      {scrolls && <Line dimColor>{above > 0 ? `  ↑ ${above} more above` : ' '}</Line>}
      {rows.slice(start, start + treeHeight).map((row) => (
        <Line key={row.id} inverse={row.id === selected?.id} color={rowColor(row)}>
          {rowText(row)}
        </Line>
      ))}
      {scrolls && <Line dimColor>{below > 0 ? `  ↓ ${below} more below` : ' '}</Line>}
      {hidden > 0 && (
        <Line
          dimColor
        >{`  + ${hidden} ended plan${hidden === 1 ? '' : 's'} hidden · a shows ${hidden === 1 ? 'it' : 'them'}`}</Line>
      )}
      {!treeOnly && shown && (
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

function with_(set: ReadonlySet<string>, id: string): ReadonlySet<string> {
  return new Set(set).add(id);
}

function without(set: ReadonlySet<string>, id: string): ReadonlySet<string> {
  const next = new Set(set);
  next.delete(id);
  return next;
}
