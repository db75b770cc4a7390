import {
  isTerminalStatus,
  PHASES,
  type CheckpointSummary,
  type ConflictHunk,
  type ConflictPaths,
  type JournalEvent,
  type Phase,
  type PlanRecord,
  type PlanStatus,
} from '../../domain/index.js';
import type { ConflictView, PlanLiveness } from '../../runtime/index.js';
import { eventSummary } from '../format/event-summary.js';
import { runningStep } from '../running-step.js';
import { openPredictions, overlapWarnings } from './group-warnings.js';

/** A count of things done out of those known: steps decided, or child plans spawned. */
export interface Progress {
  done: number;
  total: number;
}

/**
 * One visible line of the plan tree in `troupe ui`.
 *
 * @example
 * const rows: TreeRow[] = treeRows(await runtime.listPlans({ all: true }));
 * for (const row of rows) console.log('  '.repeat(row.depth) + row.name, row.steps.done, row.steps.total);
 */
export interface TreeRow {
  id: string;
  name: string;
  project: string;
  /** 0 for a root plan, 1 for its children… */
  depth: number;
  phase: Phase;
  status: PlanStatus;
  /** As the parent sees the child (running, retrying…); null for a root. */
  subplanStatus: string | null;
  /** The child's attempt as its parent counts it; null for a root. */
  attempt: number | null;
  steps: Progress;
  children: Progress;
  hasChildren: boolean;
  /** Whether its children are shown below it. */
  expanded: boolean;
  /** Processing, but no process drives it: the one that did died (resume it). */
  stopped: boolean;
}

/**
 * One phase in a plan's timeline: its last state and when it reached it.
 * `started` only for a phase that runs now (or ran when its plan ended);
 * the phase a plan stands at `queued` in has not started (again) yet.
 */
export interface PhaseEntry {
  phase: Phase;
  state: 'queued' | 'started' | 'waiting' | 'completed' | 'failed' | 'stopped';
  ts: string;
}

/**
 * The detail pane of `troupe ui` for one plan.
 *
 * @example
 * const details: PlanDetails = planDetails(record, events, checkpoints, conflicts);
 * console.log(details.timeline.map((entry) => `${entry.phase} ${entry.state}`));
 */
export interface PlanDetails {
  id: string;
  name: string;
  goal: string;
  phase: Phase;
  status: PlanStatus;
  error: string | null;
  timeline: PhaseEntry[];
  /** The newest journal events (at most {@link RECENT_EVENTS}), oldest first. */
  recent: { seq: number; type: string; phase: Phase | null; summary: string }[];
  checkpoints: { id: string; label: string | null; trigger: string; phase: Phase; status: string }[];
  /** Processing and no process drives it: since when (its last change); null otherwise. */
  stoppedSince: string | null;
  /** The step it runs now (processing in execute), and the last line its command wrote when known. */
  running: { index: number; title: string; since: string; output: string | null } | null;
  /** The open conflicts, each with its hunks (the `troupe ui` conflict view shows them before you resolve). */
  conflicts: {
    file: string;
    kind: string;
    child: string | null;
    childName: string | null;
    hunks: ConflictHunk[];
    paths?: ConflictPaths;
    /** The copy with conflict markers `e` opens in the editor, relative to the project root; null when there is none (binary, …). */
    edit: string | null;
  }[];
  /** Conflicts predicted between its running children (docs/reference/subplans.md): the two children by name, each file with its kind; gone once both merged. */
  predicted: { names: string[]; files: string[]; kinds: string[] }[];
  /** Children strategize found may write the same files (`overlap.detected`): a line per group step. */
  overlaps: string[];
}

/** How many journal events the detail pane shows. */
export const RECENT_EVENTS = 8;

/** The step and child-plan progress of a plan, from its record alone. */
export function planProgress(record: PlanRecord): { steps: Progress; children: Progress } {
  const statuses = Object.values(record.subplanStatuses);
  return {
    steps: {
      done: record.lastCompletedStep === null ? 0 : record.lastCompletedStep + 1,
      total: record.strategyDecisionIds.length,
    },
    children: { done: statuses.filter((child) => child.status === 'complete').length, total: statuses.length },
  };
}

/** How {@link treeRows} picks and lays out the rows. */
export interface TreeOptions {
  /** Only these plans as roots, in this order (`troupe ui <plan>`); every root plan when absent. */
  rootIds?: readonly string[];
  /** Plans whose children are hidden. */
  collapsed?: ReadonlySet<string>;
  /**
   * Fold a plan whose children have all ended unless it is in `opened`, so
   * finished work does not crowd out the running one (`troupe ui` on a
   * terminal, where enter unfolds it; printed views show everything).
   */
  foldFinished?: boolean;
  /** With `foldFinished`: plans whose ended children are shown all the same. */
  opened?: ReadonlySet<string>;
  /**
   * Which ended root plans (done, cancelled, invalidated) to show: all of
   * them (the default), or only those in the set — `troupe ui` hides the
   * history and keeps a plan that ends while it is shown.
   */
  ended?: 'all' | ReadonlySet<string>;
  /** The processing plans a process drives now; the others are shown stopped. Absent: not known, none is. */
  live?: ReadonlySet<string>;
}

/**
 * The visible rows of the plan tree: each root (all root plans, or those
 * named by `rootIds`) with its child plans in spawn order, depth first; the
 * children of a plan in `collapsed` are hidden, and with `foldFinished` so
 * are those of a plan whose children have all ended unless it is in
 * `opened`. Root plans come
 * active first (not ended), newest first within each.
 */
export function treeRows(records: readonly PlanRecord[], options: TreeOptions = {}): TreeRow[] {
  const byId = new Map(records.map((record) => [record.id, record]));
  const byParent = new Map<string, PlanRecord[]>();
  for (const record of records)
    if (record.parentId) byParent.set(record.parentId, [...(byParent.get(record.parentId) ?? []), record]);
  const ended = options.ended ?? 'all';
  const roots = options.rootIds
    ? options.rootIds.map((id) => byId.get(id)).filter((record) => record !== undefined)
    : records
        .filter((record) => record.parentId === null || !byId.has(record.parentId))
        .filter((record) => ended === 'all' || !isTerminalStatus(record.status) || ended.has(record.id))
        .sort(activeNewestFirst);
  const rows: TreeRow[] = [];
  // a record naming an ancestor as its child is not followed twice
  const visit = (record: PlanRecord, parent: PlanRecord | null, depth: number, seen: ReadonlySet<string>) => {
    const seenNow = new Set(seen).add(record.id);
    const kids = (byParent.get(record.id) ?? []).filter((child) => !seenNow.has(child.id));
    const finished =
      options.foldFinished === true && kids.length > 0 && kids.every((kid) => isTerminalStatus(kid.status));
    const expanded = finished
      ? (options.opened?.has(record.id) ?? false)
      : !(options.collapsed?.has(record.id) ?? false);
    const seenByParent = parent?.subplanStatuses[record.id];
    rows.push({
      id: record.id,
      name: record.name,
      project: record.project,
      depth,
      phase: record.phase,
      status: record.status,
      subplanStatus: seenByParent?.status ?? null,
      attempt: seenByParent?.attempt ?? null,
      ...planProgress(record),
      hasChildren: kids.length > 0,
      expanded,
      stopped: options.live !== undefined && record.status === 'processing' && !options.live.has(record.id),
    });
    if (expanded) for (const kid of kids) visit(kid, record, depth + 1, seenNow);
  };
  for (const root of roots) visit(root, null, 0, new Set());
  return rows;
}

/**
 * How many root plans ended (done, cancelled, invalidated) are not among
 * those shown: what `a` in `troupe ui` would add.
 */
export function hiddenEnded(records: readonly PlanRecord[], shown: ReadonlySet<string>): number {
  return records.filter(
    (record) => record.parentId === null && isTerminalStatus(record.status) && !shown.has(record.id),
  ).length;
}

// plans that have not ended before those that have; newest first within each (ids are ULIDs: time-ordered)
function activeNewestFirst(a: PlanRecord, b: PlanRecord): number {
  const ended = Number(isTerminalStatus(a.status)) - Number(isTerminalStatus(b.status));
  if (ended !== 0) return ended;
  return b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id);
}

/**
 * A plan's phase timeline: each phase it entered, with its last state from
 * the journal, corrected by where the plan stands now — the phase it is in
 * shows its status (a queued phase has not started, whatever an earlier run
 * of it journaled), and phases past it (undone by a rollback) are dropped.
 */
export function timelineOf(
  record: Pick<PlanRecord, 'phase' | 'status'>,
  events: readonly JournalEvent[],
): PhaseEntry[] {
  const timeline: PhaseEntry[] = [];
  for (const event of events) {
    const state = PHASE_STATES[event.type];
    if (!state || !event.phase) continue;
    // a phase run again (after a rollback or retry) keeps its place and shows its last state
    const entry = timeline.find((candidate) => candidate.phase === event.phase);
    if (entry) Object.assign(entry, { state, ts: event.ts });
    else timeline.push({ phase: event.phase, state, ts: event.ts });
  }
  const at = PHASES.indexOf(record.phase);
  const now = timeline.filter((entry) => PHASES.indexOf(entry.phase) <= at);
  const current = now.find((entry) => entry.phase === record.phase);
  if (current) current.state = POSITION_STATES[record.status];
  return now;
}

// what the status of the phase a plan is in says about that phase
const POSITION_STATES: Record<PlanStatus, PhaseEntry['state']> = {
  queued: 'queued',
  processing: 'started',
  waiting: 'waiting',
  complete: 'completed',
  failed: 'failed',
  done: 'completed',
  cancelled: 'stopped',
  invalidated: 'stopped',
};

/** The detail pane of a plan from its record, journal, checkpoints and open conflicts. */
export function planDetails(
  record: PlanRecord,
  events: readonly JournalEvent[],
  checkpoints: readonly CheckpointSummary[],
  conflicts: readonly ConflictView[],
  liveness?: Pick<PlanLiveness, 'live' | 'output'>,
): PlanDetails {
  const timeline = timelineOf(record, events);
  const step = runningStep(record, events);
  const stopped = liveness !== undefined && record.status === 'processing' && !liveness.live;
  return {
    id: record.id,
    name: record.name,
    goal: record.goal,
    phase: record.phase,
    status: record.status,
    error: record.error ? `${record.error.code}: ${record.error.message}` : null,
    stoppedSince: stopped ? record.updatedAt : null,
    running: step ? { ...step, output: stopped ? null : (liveness?.output ?? null) } : null,
    timeline,
    recent: events
      .slice(-RECENT_EVENTS)
      .map((event) => ({ seq: event.seq, type: event.type, phase: event.phase ?? null, summary: eventSummary(event) })),
    checkpoints: checkpoints.map(({ id, label, trigger, phase, status }) => ({ id, label, trigger, phase, status })),
    conflicts: conflicts.map(({ file, kind, child, childName, hunks, paths, edit }) => ({
      file,
      kind,
      child,
      childName,
      hunks,
      ...(paths ? { paths } : {}),
      edit,
    })),
    predicted: openPredictions(record.predictedConflicts, events).map(({ names, files, kinds }) => ({
      names,
      files,
      kinds,
    })),
    overlaps: overlapWarnings(events),
  };
}

const PHASE_STATES: Partial<Record<string, PhaseEntry['state']>> = {
  'phase.started': 'started',
  'phase.completed': 'completed',
  'phase.failed': 'failed',
};
