import {
  PHASES,
  TroupeError,
  ValidationError,
  discardedLogsOf,
  type CommandLog,
  type Decision,
  type FieldIssue,
  type PlanLog,
  type PlanRecord,
} from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import type { LogOptions } from './housekeeping-api.js';

// how many logs are read from the store at a time
const LOG_PAGE = 16;

/**
 * A plan's command logs as `runtime.logs` answers them (SPEC §18): those
 * of one step or phase when asked, each marked with the active rollback
 * that discarded its work. Bad options are a `VALIDATION_ERROR`; a step the
 * plan does not have is `NOT_FOUND`.
 */
export async function readPlanLogs(store: Store, record: PlanRecord, options: LogOptions = {}): Promise<PlanLog[]> {
  checkLogOptions(options);
  const { step, read, phase } = options;
  const steps = record.strategyDecisionIds.length;
  if (step !== undefined && step >= steps) {
    throw new TroupeError(
      'NOT_FOUND',
      `${record.name} has no step ${step + 1}: it has ${steps} step${steps === 1 ? '' : 's'}`,
      {
        hint: `troupe plan status ${record.name} shows its steps; troupe plan logs ${record.name} shows every command it ran`,
        details: { planId: record.id, step, steps },
      },
    );
  }
  const decisions = await store.listDecisions(record.id);
  if (read !== undefined) noSuchRead(record, read, decisions);
  const matches = (log: CommandLog) =>
    (step === undefined || log.step === step) &&
    (read === undefined || log.read === read) &&
    (phase === undefined || log.phase === phase);
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  // read in pages: a log may hold 2 MiB, and a caller paging one at a time (the remote client) must not read them all each time
  const page = step === undefined && read === undefined && phase === undefined ? Math.min(limit, LOG_PAGE) : LOG_PAGE;
  const wanted: CommandLog[] = [];
  for (let afterSeq = options.afterSeq ?? 0; wanted.length < limit;) {
    const logs = await store.readLogs(record.id, { afterSeq, limit: page });
    wanted.push(...logs.filter(matches).slice(0, limit - wanted.length));
    if (logs.length < page) break;
    afterSeq = logs.at(-1)!.seq;
  }
  const discarded = discardRanges(decisions);
  return wanted.map((log) => marked(log, discarded));
}

// reads are numbered in their tool_call decisions: one past the last is NOT_FOUND
function noSuchRead(record: PlanRecord, read: number, decisions: readonly Decision[]): void {
  const reads = decisions.reduce(
    (most, decision) =>
      decision.type === 'tool_call' && typeof decision.payload.read === 'number'
        ? Math.max(most, decision.payload.read)
        : most,
    0,
  );
  if (read <= reads) return;
  throw new TroupeError(
    'NOT_FOUND',
    `${record.name} has no read ${read}: it has ${reads} read${reads === 1 ? '' : 's'}`,
    {
      hint: `troupe plan explain ${record.name} lists its reads; troupe plan logs ${record.name} shows every command it ran`,
      details: { planId: record.id, read, reads },
    },
  );
}

// the ranges of log seqs the plan's active rollbacks and corrections went back past (undone ones no longer count)
function discardRanges(decisions: readonly Decision[]): { decisionId: string; after: number; through: number }[] {
  const ranges: { decisionId: string; after: number; through: number }[] = [];
  for (const decision of decisions) {
    if (decision.status !== 'active' || (decision.type !== 'rollback' && decision.type !== 'correction')) continue;
    const range = discardedLogsOf(decision.payload);
    if (range) ranges.push({ decisionId: decision.id, ...range });
  }
  return ranges;
}

function marked(log: CommandLog, ranges: ReturnType<typeof discardRanges>): PlanLog {
  // the newest rollback that went back past it names it
  const by = ranges.findLast((range) => log.seq > range.after && log.seq <= range.through);
  return { ...log, discardedBy: by?.decisionId ?? null };
}

function checkLogOptions(options: LogOptions): void {
  const issues: FieldIssue[] = [];
  if (typeof options !== 'object' || options === null)
    throw new ValidationError([{ path: 'options', message: 'must be an object' }]);
  if (options.step !== undefined && !(Number.isSafeInteger(options.step) && options.step >= 0))
    issues.push({ path: 'step', message: 'must be a step index, 0 or more' });
  if (options.read !== undefined && !(Number.isSafeInteger(options.read) && options.read >= 1))
    issues.push({ path: 'read', message: 'must be a read number, 1 or more' });
  if (options.read !== undefined && options.step !== undefined)
    issues.push({ path: 'read', message: 'a read is no step: pass step or read' });
  if (options.phase !== undefined && !(PHASES as readonly string[]).includes(options.phase))
    issues.push({ path: 'phase', message: `must be one of ${PHASES.join(', ')}` });
  if (options.step !== undefined && options.phase !== undefined && options.phase !== 'execute')
    issues.push({ path: 'phase', message: 'a step runs in execute: pass step or phase' });
  if (options.afterSeq !== undefined && !(typeof options.afterSeq === 'number' && options.afterSeq >= 0))
    issues.push({ path: 'afterSeq', message: 'must be a number, 0 or more' });
  if (options.limit !== undefined && !(typeof options.limit === 'number' && options.limit > 0))
    issues.push({ path: 'limit', message: 'must be a number above 0' });
  if (issues.length > 0) throw new ValidationError(issues, { subject: 'logs' });
}
