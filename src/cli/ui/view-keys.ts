// What a key does in `troupe ui` (docs/reference/cli.md, `troupe ui`): answers a
// question, moves in a list, opens a view, or acts on the selected plan
// through the Runtime interface. The App hands each key press here with
// where the user is; what the key changes comes back through `update`.
import { join } from 'node:path';
import type { Key } from 'ink';
import type { RefObject } from 'react';
import { quotedPath } from '../../domain/terminal-text.js';
import type { Runtime } from '../../runtime/index.js';
import { applied, errorText, resolved, rolledBack } from './messages.js';
import type { PlanDetails, TreeRow } from './model.js';
import { canApply, type Mode } from './modes.js';
import { moved, moveOf, type Move } from './navigate.js';

/**
 * Where the user is: read and written by each key press at once, so keys
 * that arrive faster than frames are drawn each move from where the one
 * before left off.
 */
export interface View {
  selectedId: string | null;
  mode: Mode;
  collapsed: ReadonlySet<string>;
  /** Plans whose ended children the user unfolded (they start folded). */
  opened: ReadonlySet<string>;
  /** Show the root plans that had ended before the view saw them running (`a`). */
  showEnded: boolean;
}

/**
 * Run `action`, saying `label…` while it runs, then what `done` makes of
 * its result (`label: done` by default) or the error.
 */
export type Act = <T>(label: string, action: () => Promise<T>, done?: (result: T) => string) => void;

/** What a key press acts on and through: the view, the plan shown, the runtime. */
export interface KeyContext {
  view: RefObject<View>;
  update: (patch: Partial<View>) => void;
  say: (message: string | null) => void;
  act: Act;
  exit: () => void;
  runtime: Runtime;
  /** The details of the selected plan, once read. */
  shown: PlanDetails | null;
  /** The checkpoints of the plan shown, newest first. */
  newestFirst: PlanDetails['checkpoints'];
  /** How many rows PgUp and PgDn move: the tree's height as last drawn. */
  page: RefObject<number>;
  /** The rows of the tree as `view` shows it. */
  rowsOf: (view: View) => TreeRow[];
  /** The plans `troupe ui <plan>` named, when it did: `a` then shows nothing more. */
  rootIds: readonly string[] | undefined;
}

/**
 * Carry out one key press.
 *
 * @example
 * useInput((input, key) => onViewKey(input, key, context));
 */
export function onViewKey(input: string, key: Key, context: KeyContext): void {
  const { mode } = context.view.current;
  if (mode.kind === 'confirm-cancel' || mode.kind === 'confirm-apply' || mode.kind === 'confirm-rollback')
    return answer(input, mode, context);
  if (input === 'q') return context.exit();
  const move = moveOf(key);
  if (mode.kind === 'checkpoints') return checkpointKey(input, key, move, mode, context);
  if (mode.kind === 'conflicts') return conflictKey(input, key, move, mode, context);
  treeKey(input, key, move, context);
}

type Question = Extract<Mode, { kind: 'confirm-cancel' | 'confirm-apply' | 'confirm-rollback' }>;

// a question's answer: only a y goes ahead; anything else changes nothing
function answer(input: string, mode: Question, { update, say, act, runtime }: KeyContext): void {
  update({ mode: { kind: 'tree' } });
  const { id, name } = mode;
  if (mode.kind === 'confirm-cancel') {
    if (input === 'y') act(`cancel ${name}`, () => runtime.cancel(id, { reason: 'cancelled in troupe ui' }));
    else say('not cancelled');
  } else if (mode.kind === 'confirm-apply') {
    // as troupe plan apply would, its preview shown
    if (input === 'y')
      act(
        `apply ${name}`,
        () => runtime.runPhase(id, 'apply'),
        (record) => applied(name, record),
      );
    else say(`apply of ${name} not confirmed: nothing changed`);
  } else {
    // the same question as `troupe plan rollback`, to the checkpoint previewed
    const { preview } = mode;
    if (input === 'y')
      act(
        `rollback ${name}`,
        () => runtime.rollback(id, { to: preview.checkpoint.id }),
        (result) => rolledBack(name, result),
      );
    else say(`rollback of ${name} not confirmed: nothing changed`);
  }
}

function checkpointKey(
  input: string,
  key: Key,
  move: Move | null,
  mode: Extract<Mode, { kind: 'checkpoints' }>,
  { update, say, runtime, shown, newestFirst, page }: KeyContext,
): void {
  const checkpoint = newestFirst[Math.min(mode.index, newestFirst.length - 1)];
  if (key.escape || input === 'r') update({ mode: { kind: 'tree' } });
  else if (move)
    update({ mode: { kind: 'checkpoints', index: moved(mode.index, newestFirst.length, move, page.current) } });
  else if (key.return && checkpoint && shown) {
    const { id, name } = shown;
    say(`previewing the rollback of ${name}…`);
    runtime.previewRollback(id, { to: checkpoint.id }).then(
      (preview) => {
        say(null);
        update({ mode: { kind: 'confirm-rollback', id, name, preview } });
      },
      (error: unknown) => say(`rollback ${name}: ${errorText(error)}`),
    );
  }
}

function conflictKey(
  input: string,
  key: Key,
  move: Move | null,
  mode: Extract<Mode, { kind: 'conflicts' }>,
  { update, say, act, runtime, shown, page }: KeyContext,
): void {
  const open = shown?.conflicts ?? [];
  const conflict = open[Math.min(mode.index, open.length - 1)];
  if (key.escape || input === 'c') update({ mode: { kind: 'tree' } });
  else if (move) update({ mode: { kind: 'conflicts', index: moved(mode.index, open.length, move, page.current) } });
  else if (conflict && shown && input === 'e') {
    if (conflict.edit === null)
      say(`${quotedPath(conflict.file)} has no text copy to edit (${conflict.kind}): o takes ours, t theirs`);
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
}

function treeKey(input: string, key: Key, move: Move | null, context: KeyContext): void {
  const { view, update, say, shown, newestFirst, page, rowsOf, rootIds } = context;
  const now = view.current;
  const rows = rowsOf(now);
  const at = Math.max(
    0,
    rows.findIndex((row) => row.id === now.selectedId),
  );
  const row = rows[at] ?? null;
  if (move) update({ selectedId: rows[moved(at, rows.length, move, page.current)]?.id ?? null });
  else if (key.return && row?.hasChildren)
    update(
      row.expanded
        ? { collapsed: with_(now.collapsed, row.id), opened: without(now.opened, row.id) }
        : { collapsed: without(now.collapsed, row.id), opened: with_(now.opened, row.id) },
    );
  else if (input === 'x' && row) update({ mode: { kind: 'confirm-cancel', id: row.id, name: row.name } });
  else if (input === 'A' && row) {
    if (!canApply(shown, row.depth === 0))
      say(
        row.depth > 0
          ? `${row.name} is a child plan: its parent merges it`
          : `${row.name} is not ready to apply: it applies once validate completed`,
      );
    else previewApply(row.id, row.name, context);
  } else if (input === 'a' && !rootIds) update({ showEnded: !now.showEnded, selectedId: row?.id ?? null });
  else if (input === 'c') {
    if (shown && shown.conflicts.length > 0) update({ mode: { kind: 'conflicts', index: 0 } });
    else say('no open conflicts');
  } else if (input === 'r') {
    if (newestFirst.length > 0) update({ mode: { kind: 'checkpoints', index: 0 } });
    else say('no checkpoints to roll back to');
  }
}

// what apply would commit, then the question; a preview that says apply would fail asks nothing
function previewApply(id: string, name: string, { update, say, runtime }: KeyContext): void {
  say(`previewing the apply of ${name}…`);
  runtime.previewApply(id).then(
    (preview) => {
      if (preview.outcome === 'refused')
        return say(`apply ${name}: ${preview.error?.code ?? 'ERROR'}: ${preview.error?.message ?? ''}`);
      say(null);
      update({ mode: { kind: 'confirm-apply', id, name, preview } });
    },
    (error: unknown) => say(`apply ${name}: ${errorText(error)}`),
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
