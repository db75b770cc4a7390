import {
  RECONCILE_TRIGGERS,
  reconciliationTitle,
  type InvariantResult,
  type JournalEvent,
  type ReconcileTrigger,
} from '../../domain/index.js';
import { forTerminal, quotedPath } from '../../domain/terminal-text.js';
import type { Output } from '../output.js';
import { networkDenials, refusalWhy } from './network-refusals.js';
import { overlapWords } from './overlap.js';

/** Anything that took longer than this says how long it took. */
export const SHOW_ELAPSED_AFTER_MS = 2000;

/** A plan whose events the progress shows: its name, and how deep below the plan the command drives it is (0 for that plan). */
interface Shown {
  name: string;
  depth: number;
}

/** How {@link Progress} reads events. */
export interface ProgressOptions {
  /** Show child plans' own steps and failures under the parent's lines (`--verbose`). */
  verbose?: boolean;
  /**
   * Events of plans it was not told about: `ignore` them (a command that
   * drives one plan), or show them as plans of their own (`plan resume`
   * without a plan: every plan it resumes), each run of lines under its name.
   */
  others?: 'ignore' | 'show';
}

/**
 * The progress lines people read on stderr while a command drives plans
 * (`plan run`, the phase commands, `plan finish`, `plan resume`, `plan
 * correct`): one line per event worth one, for the driven plan and, with
 * `verbose`, for its child plans by name. It remembers what it saw, so a
 * child is named (never by id alone) and whatever took over 2 s says how
 * long (a step, a phase, a child).
 *
 * @example
 * const progress = new Progress(out, { verbose: true });
 * progress.show(plan.id, plan.name);
 * const stop = runtime.subscribe('*', (event) => {
 *   const line = progress.line(event);
 *   if (line) out.note(line);
 * });
 */
export class Progress {
  readonly #out: Output;
  readonly #options: Required<ProgressOptions>;
  readonly #plans = new Map<string, Shown>();
  // when something started (a phase, a step, a child's attempt), by what it is; a step keeps its title
  readonly #since = new Map<string, { ts: number; title?: string }>();
  // the plan whose run of lines was last printed, under `others: 'show'`
  #lastRoot: string | null = null;

  constructor(out: Output, options: ProgressOptions = {}) {
    this.#out = out;
    this.#options = { verbose: options.verbose ?? false, others: options.others ?? 'ignore' };
  }

  /** Show the events of this plan as a plan the command drives, or (with `parentId`) as a child of one it shows. */
  show(planId: string, name: string, parentId: string | null = null): void {
    const parent = parentId === null ? undefined : this.#plans.get(parentId);
    this.#plans.set(planId, { name, depth: parent ? parent.depth + 1 : 0 });
  }

  /**
   * Whether the event is of a plan this progress shows (learning the
   * children as they are spawned); `--stream` prints exactly those.
   */
  accepts(event: JournalEvent): boolean {
    const plan = this.#learn(event);
    return plan !== null && (plan.depth === 0 || this.#options.verbose);
  }

  /** Whether the plan is shown as a child of a plan the command drives (not one it drives itself). */
  isChild(planId: string): boolean {
    return (this.#plans.get(planId)?.depth ?? 0) > 0;
  }

  /** The line (or lines) for an event, or null for an event not worth one or of a plan not shown. */
  line(event: JournalEvent): string | null {
    const plan = this.#learn(event);
    if (!plan) return null;
    const text = this.#format(event, plan);
    if (text === null) return null;
    if (plan.depth > 0) return this.#options.verbose && CHILD_EVENTS.has(event.type) ? childLines(text, plan) : null;
    if (this.#options.others !== 'show' || this.#lastRoot === event.planId) return text;
    // several plans at once: each run of lines under the name of its plan
    this.#lastRoot = event.planId;
    return `${this.#out.paint('bold', plan.name)}\n${text}`;
  }

  // the plan an event belongs to, if it is shown; a child spawned or created under a shown plan is shown from then on
  #learn(event: JournalEvent): Shown | null {
    const data = event.data;
    let plan = this.#plans.get(event.planId);
    if (!plan && event.type === 'plan.created' && typeof data.parentId === 'string' && this.#plans.has(data.parentId)) {
      this.show(event.planId, String(data.name), data.parentId);
      plan = this.#plans.get(event.planId);
    }
    if (!plan && this.#options.others === 'show') {
      this.show(
        event.planId,
        typeof data.name === 'string' && event.type === 'plan.created' ? data.name : event.planId,
      );
      plan = this.#plans.get(event.planId);
    }
    if (
      plan &&
      event.type === 'subplan.spawned' &&
      typeof data.childId === 'string' &&
      !this.#plans.has(data.childId)
    ) {
      this.show(data.childId, typeof data.name === 'string' ? data.name : data.childId, event.planId);
    }
    return plan ?? null;
  }

  #format(event: JournalEvent, plan: Shown): string | null {
    const { planId } = event;
    const out = this.#out;
    const data = event.data;
    const at = Date.parse(event.ts);
    switch (event.type) {
      case 'phase.started':
        this.#since.set(`${planId} phase ${event.phase}`, { ts: at });
        return `${out.paint('cyan', '▸')} ${event.phase}`;
      case 'phase.completed':
        return `${out.paint('green', '✓')} ${event.phase} complete${this.#took(`${planId} phase ${event.phase}`, at, typeof data.commit === 'string' ? [`commit ${data.commit.slice(0, 7)}`] : [])}`;
      case 'phase.failed':
        return `${out.paint('red', '✗')} ${event.phase} failed${this.#took(`${planId} phase ${event.phase}`, at)}: ${String(data.code ?? '')} ${forTerminal(String(data.message ?? ''), { multiline: true })}`.trimEnd();
      case 'step.started':
        this.#since.set(`${planId} step ${String(data.index)}`, { ts: at, title: forTerminal(String(data.title)) });
        return `  step ${Number(data.index) + 1}: ${forTerminal(String(data.title))}`;
      case 'step.completed': {
        // set-ID bits a command left were removed before the commit: said whatever the step's length
        if (Array.isArray(data.setIdCleared) && data.setIdCleared.length > 0) {
          const files = data.setIdCleared.map((file) => quotedPath(String(file))).join(', ');
          return `  ${out.paint('yellow', '!')} step ${Number(data.index) + 1}: set-user-ID or set-group-ID bits removed before its commit: ${files}`;
        }
        // a quick step said all there is with its start; a long one says it is done, and how long it took
        const started = this.#since.get(`${planId} step ${String(data.index)}`);
        if (!started || at - started.ts <= SHOW_ELAPSED_AFTER_MS) return null;
        return `  ${out.paint('green', '✓')} step ${Number(data.index) + 1}: ${data.title === undefined ? started.title : forTerminal(String(data.title))}${this.#took(`${planId} step ${String(data.index)}`, at)}`;
      }
      case 'step.failed':
        return `  ${out.paint('red', '✗')} step ${Number(data.index) + 1} failed${this.#took(`${planId} step ${String(data.index)}`, at)}: ${forTerminal(String(data.message ?? data.code ?? ''), { multiline: true })}`;
      case 'read.completed':
        return `  ${out.paint('dim', `read ${String(data.read)}: ${forTerminal(String(data.title ?? ''))}`)}`;
      case 'invariant.reconciled':
        return `  ${out.paint('green', '✓')} ${reconciliationLine(data)}`;
      case 'invariant.violated':
        return [
          `  ${out.paint('red', '✗')} ${reconciliationLine(data)}`,
          ...failedResults(data).map(
            (result) =>
              `    ${out.paint('red', '✗')} ${result.id} (${result.tier}): ${forTerminal(result.message, { multiline: true })}`,
          ),
        ].join('\n');
      case 'plan.cancelled':
        return `${out.paint('red', '✗')} cancelled`;
      case 'plan.resumed':
        return typeof data.attempt === 'number'
          ? `${out.paint('yellow', '↻')} attempt ${data.attempt} starts over`
          : `${out.paint('yellow', '↻')} resumed after an interruption`;
      case 'subplan.spawned':
        this.#since.set(`child ${String(data.childId)}`, { ts: at });
        return `    ${out.paint('cyan', '↳')} ${this.#nameOf(data)} started`;
      case 'subplan.status':
        return this.#childStatus(data, at);
      case 'merge.completed':
        // apply's merge commit is troupe's own: the commit the branch gets is apply's, shown when apply completes
        return data.childId
          ? `    ${out.paint('green', '✓')} merged ${this.#nameOf(data)}`
          : `${out.paint('green', '✓')} conflicts resolved: the merge is ready to apply`;
      case 'merge.conflict': {
        const files = Array.isArray(data.files) ? data.files.map((file) => quotedPath(String(file))) : [];
        const merging = data.childId ? ` merging ${this.#nameOf(data)}` : '';
        return `${out.paint('yellow', '!')} ${files.length} conflicting file${files.length === 1 ? '' : 's'}${merging}: ${files.join(', ')} — troupe plan conflicts ${plan.name} shows them`;
      }
      case 'conflict.resolved':
        return `  ${out.paint('green', '✓')} resolved ${quotedPath(String(data.file))} (${String(data.with)})`;
      case 'overlap.detected':
        // said when strategize finds it, not only in plan explain: a warn lets the children run into each other
        return `  ${out.paint('yellow', '!')} step ${Number(data.step) + 1}: ${forTerminal(overlapWords(data))}`;
      case 'network.denied':
        // once per host and step: the user sees what to add to network.allow as it happens
        return `  ${out.paint('yellow', '!')} refused ${forTerminal(String(data.host))}:${String(data.port)} — ${refusalWhy(networkDenials([event])[0] ?? { reason: 'not-listed', cap: null })}`;
      case 'model.called':
        return `  ${out.paint('dim', modelLine(data))}`;
      default:
        return null;
    }
  }

  // a child's status as its parent sees it; `running` is said by `started`
  #childStatus(data: Record<string, unknown>, at: number): string | null {
    const out = this.#out;
    const name = this.#nameOf(data);
    const key = `child ${String(data.childId)}`;
    switch (data.status) {
      case 'retrying':
        this.#since.set(key, { ts: at });
        return `    ${out.paint('yellow', '↻')} ${name} retrying (attempt ${String(data.attempt)})`;
      case 'complete':
        return `    ${out.paint('green', '✓')} ${name} validated${this.#took(key, at)}`;
      case 'failed':
      case 'cancelled': {
        const error = data.error as { code?: string; message?: string } | undefined;
        return `    ${out.paint('red', '✗')} ${name} ${String(data.status)}${this.#took(key, at)}${error ? `: ${error.code} ${forTerminal(String(error.message), { multiline: true })}` : ''}`;
      }
      default:
        return null;
    }
  }

  // a child by the name its events carry, else the one it was spawned with, else its id
  #nameOf(data: Record<string, unknown>): string {
    if (typeof data.name === 'string') return data.name;
    const childId = String(data.childId);
    return this.#plans.get(childId)?.name ?? childId;
  }

  // ` (3.2 s)` for what started over 2 s ago (with any other facts in the brackets), else just the facts
  #took(key: string, at: number, facts: string[] = []): string {
    const started = this.#since.get(key);
    const elapsed = started ? at - started.ts : 0;
    const all = elapsed > SHOW_ELAPSED_AFTER_MS ? [...facts, formatElapsed(elapsed)] : facts;
    return all.length > 0 ? ` (${all.join(', ')})` : '';
  }
}

// one call of the plan's model: what it asked for, and what it cost
function modelLine(data: Record<string, unknown>): string {
  const tools = Array.isArray(data.tools) ? data.tools.map(String) : [];
  const asked = tools.length === 0 ? 'done' : tools.join(', ');
  const retried = typeof data.attempts === 'number' && data.attempts > 1 ? `, ${data.attempts} attempts` : '';
  return `model ${String(data.model)}: ${asked} (${Number(data.inputTokens)} → ${Number(data.outputTokens)} tokens, ${formatElapsed(Number(data.latencyMs))}${retried})`;
}

// what a child's own journal adds under --verbose: its steps and what went wrong, and its own children
const CHILD_EVENTS = new Set([
  'step.started',
  'step.completed',
  'step.failed',
  'phase.failed',
  'invariant.violated',
  'plan.resumed',
  'overlap.detected',
  'subplan.spawned',
  'subplan.status',
  'merge.completed',
  'merge.conflict',
  'conflict.resolved',
]);

// a child's line under its parent's, named, indented one level deeper per generation
function childLines(text: string, plan: Shown): string {
  const indent = `      ${'  '.repeat(plan.depth - 1)}`;
  return text
    .split('\n')
    .map((line, at) => `${indent}${at === 0 ? `${plan.name} › ` : '  '}${line.trimStart()}`)
    .join('\n');
}

/**
 * A duration as people read it: `2.5 s`, `1 min 05 s`, `1 h 02 min`.
 *
 * @example
 * formatElapsed(2_480); // '2.5 s'
 * formatElapsed(65_000); // '1 min 05 s'
 */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
  return `${Math.floor(whole / 3600)} h ${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')} min`;
}

/**
 * One journal event as a line of progress, without what earlier events
 * tell (names of children by id, elapsed times): {@link Progress} for a
 * whole run.
 *
 * @example
 * formatProgress(event, out); // '  step 1: Write the greeting'
 */
export function formatProgress(event: JournalEvent, out: Output): string | null {
  const progress = new Progress(out);
  progress.show(event.planId, event.planId);
  return progress.line(event);
}

function resultsOf(data: Record<string, unknown>): InvariantResult[] {
  return Array.isArray(data.results) ? (data.results as InvariantResult[]) : [];
}

function failedResults(data: Record<string, unknown>): InvariantResult[] {
  return resultsOf(data).filter((result) => result.passed === false);
}

// "3 invariants hold after step 2", from the event's trigger and results
function reconciliationLine(data: Record<string, unknown>): string {
  const trigger = (RECONCILE_TRIGGERS as readonly string[]).includes(String(data.trigger))
    ? (data.trigger as ReconcileTrigger)
    : 'post-step';
  return reconciliationTitle(resultsOf(data), trigger, typeof data.step === 'number' ? data.step : undefined);
}
