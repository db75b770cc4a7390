// The life of each child of a scale-out run, read back after the run from
// the journal (every process stamps its events) and, for children that ran
// on workers, from their BullMQ jobs: where a child's slot time beyond its
// command went, stage by stage (docs/explanation/performance.md, "Scale-out").
import { median } from './measure.js';

/** What the timeline needs of a journal event. */
export interface TimelineEvent {
  ts: string;
  type: string;
  phase?: string;
  data: Record<string, unknown>;
}

/** What the timeline needs of a child's job: BullMQ's own clock (ms since the epoch). */
export interface TimelineJob {
  timestamp: number;
  processedOn?: number | undefined;
  finishedOn?: number | undefined;
}

/** One child's moments (ms since the epoch); `queued`, `taken`, `released` only on workers. */
export interface ChildTimeline {
  /** The parent's supervisor gave it a slot (`subplan.spawned`). */
  spawned: number;
  /** Its record was written (after its sandbox: a worktree here, its branch pushed for a worker). */
  created: number;
  queued: number | null;
  /** A worker took its job. */
  taken: number | null;
  /** Its first transition (strategize starts). */
  started: number;
  stepStarted: number;
  stepCompleted: number;
  /** How long its command ran, as the step measured it (the sleep, contained). */
  commandMs: number;
  /** `(validate, complete)`: its attempt is done. */
  validated: number;
  /** The worker let the job go (BullMQ's finishedOn). */
  released: number | null;
  /** The parent saw it validated (`subplan.status complete`): its slot is free. */
  noticed: number;
  merged: number;
}

/** The stages of a child's slot, in order, as the bench prints them. */
export const STAGES = [
  ['sandbox and record', (t: ChildTimeline) => t.created - t.spawned],
  ['to the queue (the parent enqueues it)', (t: ChildTimeline) => (t.queued === null ? null : t.queued - t.created)],
  [
    'in the queue (until a worker takes it)',
    (t: ChildTimeline) => (t.taken === null || t.queued === null ? null : t.taken - t.queued),
  ],
  ['to its first transition', (t: ChildTimeline) => t.started - (t.taken ?? t.created)],
  ['strategize', (t: ChildTimeline) => t.stepStarted - t.started],
  ['step beyond its command (commit, push)', (t: ChildTimeline) => t.stepCompleted - t.stepStarted - t.commandMs],
  ['validate', (t: ChildTimeline) => t.validated - t.stepCompleted],
  ['parent notices', (t: ChildTimeline) => t.noticed - t.validated],
] as const satisfies readonly (readonly [string, (t: ChildTimeline) => number | null])[];

/**
 * The timeline of each child of `parentEvents`' plan, from the parent's
 * journal, each child's journal and (on workers) its job; children whose
 * run did not get that far are left out.
 *
 * @example
 * const timelines = childTimelines(parentEvents, (id) => childEvents.get(id)!, (id) => jobs.get(id) ?? null);
 */
export function childTimelines(
  parentEvents: readonly TimelineEvent[],
  eventsOf: (childId: string) => readonly TimelineEvent[],
  jobOf: (childId: string) => TimelineJob | null,
): ChildTimeline[] {
  const at = (event: TimelineEvent | undefined) => (event ? Date.parse(event.ts) : Number.NaN);
  const forChild = (type: string, childId: string, status?: string) =>
    parentEvents.find(
      (event) =>
        event.type === type &&
        event.data['childId'] === childId &&
        (status === undefined || event.data['status'] === status),
    );
  const timelines: ChildTimeline[] = [];
  for (const spawn of parentEvents.filter((event) => event.type === 'subplan.spawned')) {
    const childId = String(spawn.data['childId']);
    const events = eventsOf(childId);
    const find = (type: string, phase?: string) =>
      events.find((event) => event.type === type && (phase === undefined || event.phase === phase));
    const tool = find('tool.called');
    const calls = (tool?.data['calls'] ?? []) as { durationMs?: number }[];
    const job = jobOf(childId);
    const timeline: ChildTimeline = {
      spawned: at(spawn),
      created: at(find('plan.created')),
      queued: job ? job.timestamp : null,
      taken: job?.processedOn ?? null,
      started: at(find('phase.started', 'strategize')),
      stepStarted: at(find('step.started')),
      stepCompleted: at(find('step.completed')),
      commandMs: calls.reduce((total, call) => total + (call.durationMs ?? 0), 0),
      validated: at(find('phase.completed', 'validate')),
      released: job?.finishedOn ?? null,
      noticed: at(forChild('subplan.status', childId, 'complete')),
      merged: at(forChild('merge.completed', childId)),
    };
    if (Object.values(timeline).every((value) => value === null || Number.isFinite(value))) timelines.push(timeline);
  }
  return timelines;
}

/** Each stage's median over the children (ms), and the median slot time beyond `workMs`. */
export function stageMedians(
  timelines: readonly ChildTimeline[],
  workMs: number,
): { stages: { name: string; ms: number | null }[]; slotBeyondWorkMs: number } {
  const stages = STAGES.map(([name, of]) => {
    const values = timelines.map(of).filter((value): value is number => value !== null);
    return { name, ms: values.length === 0 ? null : median(values) };
  });
  return { stages, slotBeyondWorkMs: median(timelines.map((t) => t.noticed - t.spawned - workMs)) };
}
