import type { ModelUsage, PlanHolder, PlanRecord } from '../../domain/index.js';
import type { ConflictView } from '../../runtime/index.js';
import { forTerminal, quotedPath } from '../../domain/terminal-text.js';
import type { Output } from '../output.js';
import { plainLine } from './terminal-text.js';
import type { RunningStep } from '../running-step.js';
import { formatElapsed, SHOW_ELAPSED_AFTER_MS } from './progress.js';
import { holderText } from './plan-holder.js';
import { deniedRow, type NetworkDenial } from './network-refusals.js';
import { usageText } from './model-usage.js';

/** What the status shows beside the record: the open conflicts of a waiting plan, the step a plan in execute runs. */
export interface RecordExtras {
  conflicts?: readonly ConflictView[];
  running?: RunningStep | null;
  /** The time to measure a running step against (ms since the epoch); now by default. */
  now?: number;
  /** Whether a process drives the plan now (`runtime.liveness`); a processing plan nobody drives is shown stopped. Unknown: not said. */
  live?: boolean;
  /** The last line its running command wrote, when known. */
  output?: string | null;
  /** The worker that took it from the queue (`runtime.liveness`), when one did. */
  holder?: PlanHolder | null;
  /** What its network allow-list refused (its journal's `network.denied`). */
  refused?: readonly NetworkDenial[];
  /** What its model calls cost (`runtime.explain`), when it called a model. */
  models?: ModelUsage | null;
}

/**
 * A plan its record says is processing that no process drives: the process
 * that ran it died (`kill -9`, a crash). It goes on with `troupe plan resume`.
 */
export function isStopped(record: Pick<PlanRecord, 'status'>, live: boolean | undefined): boolean {
  return record.status === 'processing' && live === false;
}

/** `troupe plan status` as text, with the open conflicts of a waiting plan and the step a plan in execute runs. */
export function formatPlanRecord(record: PlanRecord, out: Output, extras: RecordExtras = {}): string {
  const conflicts = extras.conflicts ?? [];
  const stopped = isStopped(record, extras.live);
  const rows: [string, string][] = [
    [
      'phase',
      `${record.phase} · ${paintStatus(record.status, out)}${stopped ? ` · ${out.paint('red', 'stopped')}` : ''}`,
    ],
    ['automation', record.automation],
    ['goal', forTerminal(record.goal, { multiline: true })],
  ];
  const decided = record.strategyDecisionIds.length;
  if (record.decisionRootId) {
    const done = record.lastCompletedStep === null ? 0 : record.lastCompletedStep + 1;
    rows.push([
      'steps',
      `${done}/${decided} executed · ${record.toolCalls} tool call${record.toolCalls === 1 ? '' : 's'}`,
    ]);
  }
  const holder = record.status === 'processing' ? (extras.holder ?? null) : null;
  // a worker's child: who holds it, or that its worker stopped answering and another takes it (docs/how-to/scale-out.md)
  if (holder) rows.push(['worker', holderText(holder, !stopped, extras.now ?? Date.now())]);
  // the time of its last transition: nothing it did after that was kept
  else if (stopped) rows.push(['stopped', `no process drives it since ${record.updatedAt} (its last change)`]);
  if (extras.running)
    rows.push(['running', runningText(record, extras.running, stopped ? null : (extras.now ?? Date.now()), out)]);
  if (extras.output && !stopped) rows.push(['', out.paint('dim', `│ ${clipped(plainLine(extras.output))}`)]);
  if (record.sandbox) {
    const { worktree, branch, baseCommit, headCommit } = record.sandbox;
    rows.push(['sandbox', `${worktree} on ${branch} (base ${baseCommit.slice(0, 7)}, head ${headCommit.slice(0, 7)})`]);
  }
  if (conflicts.length > 0) {
    rows.push([
      'conflicts',
      conflicts
        .map(
          (conflict) =>
            `${out.paint('yellow', quotedPath(conflict.file))} (${conflict.kind}${conflict.child === null ? '' : `, from ${conflict.childName ?? conflict.child}`})`,
        )
        .join(', '),
    ]);
  }
  if (extras.refused && extras.refused.length > 0) {
    rows.push(['refused', out.paint('yellow', deniedRow(extras.refused))]);
    rows.push([
      '',
      out.paint(
        'dim',
        `if the plan needs them, add them to network.allow (docs/explanation/sandbox.md#network-by-name); troupe plan explain ${record.name} names the commands`,
      ),
    ]);
  }
  // children whose changes would conflict if merged now, found while they run (docs/reference/subplans.md)
  for (const { names, files, kinds } of record.predictedConflicts) {
    rows.push([
      'predicted',
      `${out.paint('yellow', 'conflict')} between ${names.join(' and ')} in ${files.map((file, at) => `${quotedPath(file)} (${kinds[at]})`).join(', ')}`,
    ]);
  }
  if (record.appliedCommit)
    rows.push(['applied', `commit ${record.appliedCommit.slice(0, 7)} on the project's branch`]);
  if (extras.models) rows.push(['model', usageText(extras.models)]);
  if (record.error) {
    const { error } = record;
    const step =
      error.step === undefined || error.message.includes(`step ${error.step + 1}`) ? '' : ` (step ${error.step + 1})`;
    // a message quotes commands and their output: escaped here, so no colour of troupe's can be forged either
    rows.push(['error', `${out.paint('red', error.code)}: ${forTerminal(error.message, { multiline: true })}${step}`]);
    // the lines of output that say why (a failed test's name); all of it is in troupe plan logs
    for (const line of linesOf(error.details)) rows.push(['', out.paint('dim', `│ ${forTerminal(line)}`)]);
    for (const violation of violationsOf(error.details)) {
      rows.push([
        '',
        `${out.paint('red', '✗')} ${violation.id} (${violation.tier}, ${violation.check}): ${forTerminal(violation.message, { multiline: true })}`,
      ]);
      for (const line of linesOf(violation)) rows.push(['', out.paint('dim', `  │ ${forTerminal(line)}`)]);
    }
    if (error.hint) rows.push(['', `hint: ${forTerminal(error.hint, { multiline: true })}`]);
    if (hasLines(error.details))
      rows.push([
        '',
        `logs: troupe plan logs ${record.name}${error.step === undefined ? (error.phase === 'validate' ? ' --phase validate' : '') : ` --step ${error.step + 1}`}`,
      ]);
  }
  rows.push(['updated', record.updatedAt]);
  const width = Math.max(...rows.map(([label]) => label.length));
  const header = `${out.paint('bold', record.name)}  ${out.paint('dim', record.id)}`;
  return [header, ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`)].join('\n');
}

// `step 2 of 3: Run the tests (for 14.2 s) · child plans running: demo/x-1`; a stopped plan's (now null) has no clock: it is not running
function runningText(record: PlanRecord, running: RunningStep, now: number | null, out: Output): string {
  const of = record.strategyDecisionIds.length > running.index ? ` of ${record.strategyDecisionIds.length}` : '';
  const elapsed = now === null ? 0 : now - Date.parse(running.since);
  const clock =
    now === null
      ? ` (interrupted; started ${running.since})`
      : elapsed > SHOW_ELAPSED_AFTER_MS
        ? ` (for ${formatElapsed(elapsed)})`
        : '';
  const parts = [`${out.paint('cyan', `step ${running.index + 1}${of}`)}: ${forTerminal(running.title)}${clock}`];
  const children = Object.values(record.subplanStatuses).filter(
    (child) => child.status === 'running' || child.status === 'retrying',
  );
  if (children.length > 0 && now !== null)
    parts.push(`child plans running: ${children.map((child) => child.name).join(', ')}`);
  return parts.join(' · ');
}

/** One line per plan for `troupe plan list`; a processing plan no process drives (not in `live`) says it stopped, and how to go on. */
export function formatPlanList(records: readonly PlanRecord[], out: Output, live?: ReadonlySet<string>): string {
  if (records.length === 0) return out.paint('dim', 'no plans (troupe plan list --all shows ended ones)');
  const width = Math.max('NAME'.length, ...records.map((record) => record.name.length));
  // a header names the columns, as checkpoint list's does
  const header = `${'ID'.padEnd(26)}  ${'NAME'.padEnd(width)}  ${'PHASE'.padEnd(10)} STATUS`;
  const stopped = records.filter((record) => live !== undefined && isStopped(record, live.has(record.id)));
  const line = (record: PlanRecord) =>
    `${record.id}  ${record.name.padEnd(width)}  ${record.phase.padEnd(10)} ${paintStatus(record.status, out)}${stopped.includes(record) ? ` · ${out.paint('red', 'stopped')} since ${record.updatedAt}` : ''}`;
  const hints = stopped
    .filter((record) => record.parentId === null)
    .map((record) => `hint: troupe plan resume ${record.name}`);
  return [header, ...records.map(line), ...hints].join('\n');
}

/**
 * What the user can do next from where a plan stopped, or '' when nothing
 * obvious; `conflicts` are the open ones of a waiting plan — none means an
 * agent-driven plan waiting in execute is open for its agent's tool calls.
 */
export function nextStepHint(
  record: PlanRecord,
  conflicts: readonly ConflictView[] = [],
  live?: boolean,
  holder?: PlanHolder | null,
): string {
  const name = record.name;
  // a worker's child goes back to the queue once its job's lock lapses: another worker carries it on
  if (isStopped(record, live) && holder) return '';
  // nothing moves it until someone does: resume goes on from its last step commit
  if (isStopped(record, live)) return `hint: troupe plan resume ${name}`;
  if (record.agentDriven && record.phase === 'execute' && record.status === 'waiting' && conflicts.length === 0) {
    return `next: an agent makes its tool calls through troupe mcp (docs/reference/mcp.md); troupe plan finish ${name} ends execute and runs on`;
  }
  switch (`${record.phase}:${record.status}`) {
    case 'strategize:queued':
      return `next: troupe plan run ${name}`;
    case 'strategize:complete':
      return `next: troupe plan execute ${name}  (troupe plan explain ${name} shows the decisions)`;
    case 'execute:complete':
      return `next: troupe plan validate ${name}  (troupe plan changes ${name} shows what changed)`;
    case 'validate:complete':
      return `next: troupe plan apply ${name}  (troupe plan changes ${name} shows what it will apply)`;
    case 'apply:queued':
      return `next: troupe plan apply ${name}`;
    case 'apply:waiting':
    case 'execute:waiting':
      return `next: troupe plan conflicts ${name}, then troupe plan resolve ${name} <file> --ours|--theirs|--use <path>`;
    default:
      // a failure's own hint is already part of the status
      return '';
  }
}

// a line a command wrote, cut to fit one line of a terminal
function clipped(line: string): string {
  return line.length > 160 ? `${line.slice(0, 159)}…` : line;
}

interface Violation {
  id: string;
  tier: string;
  check: string;
  message: string;
  lines?: unknown;
}

// `lines` of a failure's details or of one violation: strings only
function linesOf(holder: { lines?: unknown } | undefined): string[] {
  const lines = holder?.lines;
  return Array.isArray(lines) ? lines.filter((line): line is string => typeof line === 'string') : [];
}

// a failure whose output was captured: its lines, or a violation's
function hasLines(details: Record<string, unknown> | undefined): boolean {
  return linesOf(details).length > 0 || violationsOf(details).some((violation) => linesOf(violation).length > 0);
}

// INVARIANT_VIOLATED lists each failed invariant in its details
function violationsOf(details: Record<string, unknown> | undefined): Violation[] {
  const violations = details?.violations;
  if (!Array.isArray(violations)) return [];
  return violations.filter(
    (violation): violation is Violation =>
      typeof violation === 'object' &&
      violation !== null &&
      ['id', 'tier', 'check', 'message'].every(
        (key) => typeof (violation as Record<string, unknown>)[key] === 'string',
      ),
  );
}

function paintStatus(status: PlanRecord['status'], out: Output): string {
  switch (status) {
    case 'done':
    case 'complete':
      return out.paint('green', status);
    case 'failed':
    case 'cancelled':
    case 'invalidated':
      return out.paint('red', status);
    case 'waiting':
      return out.paint('yellow', status);
    default:
      return out.paint('cyan', status);
  }
}
