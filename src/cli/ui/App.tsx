import { useApp, type Key, useInput, useStdin } from 'ink';
import { useEffect, useReducer, useRef, useState } from 'react';
import { quotedPath } from '../../domain/terminal-text.js';
import type { Runtime } from '../../runtime/index.js';
import { hiddenEnded, treeRows, type TreeRow } from './model.js';
import { editorCommand } from './editor.js';
import { Line } from './Line.js';
import { errorText } from './messages.js';
import { PlanScreen, screenLayout } from './PlanScreen.js';
import { useConflictEditor } from './use-conflict-editor.js';
import { usePlanDetails } from './use-plan-details.js';
import { usePlanRecords } from './use-plan-records.js';
import { useTerminalSize } from './use-terminal-size.js';
import { onViewKey, type Act, type View } from './view-keys.js';

export { MIN_SIZE } from './PlanScreen.js';

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
  const [message, setMessage] = useState<string | null>(null);
  // a new runtime (the owner of the store changed): what failed on the old one is over
  useEffect(() => setMessage(null), [runtime]);
  const { records, live, version, seenActive } = usePlanRecords(runtime, setMessage);
  // where the user is, read and written by each key press at once (see View)
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
  // how many rows PgUp and PgDn move: the tree's height as last drawn
  const page = useRef(1);

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

  const details = usePlanDetails(runtime, selected?.id, version, setMessage);
  const shown = details && selected && details.id === selected.id ? details : null;
  const act: Act = (label, action, done = () => `${label}: done`) => {
    setMessage(`${label}…`);
    action().then(
      (result) => setMessage(done(result)),
      (error: unknown) => setMessage(`${label}: ${errorText(error)}`),
    );
  };
  const newestFirst = shown ? [...shown.checkpoints].reverse() : [];

  const onKey = (input: string, key: Key) =>
    onViewKey(input, key, {
      view,
      update,
      say: setMessage,
      act,
      exit,
      runtime,
      shown,
      newestFirst,
      page,
      rowsOf,
      rootIds,
    });
  // keys reach the handler of the latest render, whenever Ink's listener was registered
  const latestOnKey = useRef(onKey);
  latestOnKey.current = onKey;
  // inactive while the editor runs: Ink then leaves raw mode and stops reading stdin, which the editor reads
  useInput((input, key) => latestOnKey.current(input, key), {
    isActive: isRawModeSupported === true && mode.kind !== 'editing',
  });
  const editing = mode.kind === 'editing' ? mode : null;
  useConflictEditor(editing, {
    runtime,
    env,
    back: (at) => update({ mode: { kind: 'conflicts', index: at } }),
    say: setMessage,
    act,
  });

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
  const layout = screenLayout(terminal, rows.length, index, {
    message: message !== null && message !== '',
    hidden: hidden > 0,
  });
  page.current = layout.treeHeight;
  return (
    <PlanScreen
      rows={rows}
      index={index}
      layout={layout}
      hidden={hidden}
      shown={shown}
      mode={mode}
      newestFirst={newestFirst}
      message={message}
      named={rootIds !== undefined}
    />
  );
}
