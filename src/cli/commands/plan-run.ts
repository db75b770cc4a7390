import { PHASES, ValidationError, type Phase, type PlanRecord } from '../../domain/index.js';
import type { Runtime } from '../../runtime/index.js';
import { exitCodeForPlan } from '../exit-codes.js';
import type { CommandContext } from '../context.js';
import { formatPlanRecord, nextStepHint } from '../format/plan-record.js';
import { formatProgress } from '../format/progress.js';
import { createPlanFromFile, isPlanFile } from './plan-file.js';

/**
 * `troupe plan run <plan|file> [--until <phase>]`: drive a plan as far as
 * its automation (or --until) allows. A file creates the plan first.
 * Exit 0 where it stopped, 1 if it failed, 3 if it waits for the user.
 */
export async function planRun(context: CommandContext, target: string, options: { until?: string }): Promise<number> {
  const until = options.until === undefined ? undefined : parsePhase(options.until, '--until');
  const runtime = await context.runtime();
  const record = (await isPlanFile(context.dir, target))
    ? await createPlanFromFile(runtime, context.dir, target, { runHint: true })
    : await runtime.getPlan(target);
  return drive(context, runtime, record, () => runtime.run(record.id, until ? { until } : {}));
}

/** `troupe plan strategize|execute|validate|apply <plan>`: run exactly that phase. */
export function planPhase(phase: Phase) {
  return async (context: CommandContext, ref: string): Promise<number> => {
    const runtime = await context.runtime();
    const record = await runtime.getPlan(ref);
    return drive(context, runtime, record, () => runtime.runPhase(record.id, phase));
  };
}

// follows the plan's events while it runs: NDJSON under --stream, progress
// lines on stderr for people, nothing under --json
async function drive(context: CommandContext, runtime: Runtime, record: PlanRecord, go: () => Promise<PlanRecord>): Promise<number> {
  const { out } = context;
  const stop = out.options.json
    ? () => {}
    : runtime.subscribe(record.id, (event) => {
        if (out.options.stream) return out.event(event);
        const line = formatProgress(event, out);
        if (line) out.note(line);
      });
  let final: PlanRecord;
  try {
    final = await go();
  } finally {
    stop();
  }
  out.result(final, () => [formatPlanRecord(final, out), nextStepHint(final)].filter(Boolean).join('\n'));
  return exitCodeForPlan(final);
}

/** A phase name from a flag, or a VALIDATION_ERROR naming the flag. */
export function parsePhase(value: string, flag: string): Phase {
  if ((PHASES as readonly string[]).includes(value)) return value as Phase;
  throw new ValidationError([{ path: flag, message: `must be one of ${PHASES.join(', ')} (got "${value}")` }]);
}
