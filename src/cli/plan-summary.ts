import type { JournalEvent, PlanRecord } from '../domain/index.js';
import type { PlanLiveness, Runtime } from '../runtime/index.js';
import { networkDenials } from './format/network-refusals.js';
import { formatPlanRecord, nextStepHint } from './format/plan-record.js';
import type { Output } from './output.js';
import { runningStep } from './running-step.js';

/**
 * A plan record as text with what to run next. A waiting plan's open
 * conflicts are read first: they are shown, and they decide the next step
 * (an agent-driven plan waits either on them or on its agent). A plan in
 * execute says which step it runs, from its journal; a processing plan
 * whether a process drives it (`liveness`, read when not given): one
 * nobody drives says it stopped, when, and how to resume it; a child a
 * worker took names the worker, or says it stopped answering; a plan whose
 * network allow-list refused hosts names them; a plan whose model was
 * called, what its calls cost. `journal`: the plan's events, when the
 * caller read them already.
 */
export async function planSummary(
  runtime: Runtime,
  record: PlanRecord,
  out: Output,
  known?: PlanLiveness,
  journal?: readonly JournalEvent[],
): Promise<string> {
  const conflicts = record.status === 'waiting' ? (await runtime.conflicts(record.id)).conflicts : [];
  // the journal says which step runs, and what the plan's network allow-list refused
  const events = journal ?? (await runtime.events(record.id));
  const running =
    record.phase === 'execute' && record.status === 'processing' ? runningStep(record, [...events]) : null;
  const liveness = record.status === 'processing' ? (known ?? (await runtime.liveness([record.id]))[0]) : undefined;
  const extras = {
    conflicts,
    running,
    refused: networkDenials(events),
    models: record.models ?? null,
    ...(liveness ? { live: liveness.live, output: liveness.output, holder: liveness.holder } : {}),
  };
  return [formatPlanRecord(record, out, extras), nextStepHint(record, conflicts, liveness?.live, liveness?.holder)]
    .filter(Boolean)
    .join('\n');
}
