import { TroupeError, ValidationError, type Phase, type PlanLog, type PlanRecord } from '../../domain/index.js';
import type { LogOptions } from '../../runtime/index.js';
import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../context.js';
import { followPlan } from '../follow.js';
import { formatLog, noLogs } from '../format/logs.js';

/**
 * `troupe plan logs <plan> [--step N | --read N | --phase P] [--follow]`: the stdout
 * and stderr of the commands the plan ran (SPEC §18). `--step` counts
 * from 1, as `plan status` does; `--read` picks an agent's command that
 * changed nothing, as `run_command` numbered it. With `--json`: one document `{planId, name,
 * logs}`; with `--follow` (or `--stream`) one log per NDJSON line.
 * `--follow` prints new logs as they are written until the plan is at
 * rest (not processing) or has ended.
 */
export async function planLogs(
  context: CommandContext,
  ref: string,
  options: { step?: string; read?: string; phase?: string; follow?: boolean },
): Promise<number> {
  const runtime = await context.runtime();
  const record = await runtime.getPlan(ref);
  const filter = logFilter(record, options);
  const { out } = context;
  const lines = out.options.stream || (out.options.json && options.follow === true);
  const print = (log: PlanLog) => (lines ? out.ndjson(log) : out.text(formatLog(log, out)));
  if (!options.follow) {
    const logs = await runtime.logs(record.id, filter);
    if (out.options.json) out.result({ planId: record.id, name: record.name, logs }, () => '');
    else if (logs.length === 0) out.text(noLogs(record.name, filter, out));
    else logs.forEach(print);
    return EXIT.ok;
  }

  // the journal's seq before the logs are read: an event after it may bring more
  const afterEvent = (await runtime.events(record.id)).at(-1)?.seq ?? 0;
  let lastLog = 0;
  const printNew = async () => {
    for (const log of await (await context.runtime()).logs(record.id, { ...filter, afterSeq: lastLog })) {
      lastLog = log.seq;
      print(log);
    }
  };
  await printNew();
  const atRest = async () => {
    const current = await (await context.runtime()).getPlan(record.id);
    // ended, or at rest in a phase (complete, failed, waiting, queued)
    return current.status !== 'processing';
  };
  let rested = false;
  await followPlan(context, record.id, {
    afterSeq: afterEvent,
    onEvent: async () => {
      await printNew();
      rested = await atRest();
    },
    done: () => rested,
    isOver: atRest,
  });
  // what the last transition wrote, and the logs of commands a cancel stopped
  if (!context.signal.aborted) await printNew();
  return EXIT.ok;
}

// --step N (from 1) or --phase P, as the runtime takes them; bad ones name the flag
function logFilter(record: PlanRecord, options: { step?: string; read?: string; phase?: string }): LogOptions {
  if (options.read !== undefined) {
    if (options.step !== undefined || options.phase !== undefined) {
      throw new ValidationError(
        [{ path: '--read', message: 'cannot be combined with --step or --phase: a read is no step' }],
        { hint: `troupe plan logs ${record.name} --read <n>` },
      );
    }
    if (!/^\d+$/.test(options.read) || Number(options.read) < 1) {
      throw new ValidationError(
        [{ path: '--read', message: `must be a read number from 1, as run_command answers it; got "${options.read}"` }],
        { hint: `troupe plan explain ${record.name} lists its reads` },
      );
    }
    return { read: Number(options.read) };
  }
  if (options.step !== undefined && options.phase !== undefined) {
    throw new ValidationError(
      [{ path: '--step', message: 'cannot be combined with --phase: a step runs in execute' }],
      { hint: `troupe plan logs ${record.name} --step <n>, or --phase <phase>` },
    );
  }
  if (options.phase !== undefined) return { phase: options.phase as Phase };
  if (options.step === undefined) return {};
  const steps = record.strategyDecisionIds.length;
  if (!/^\d+$/.test(options.step) || Number(options.step) < 1) {
    throw new ValidationError(
      [
        {
          path: '--step',
          message: `must be a step number from 1, as troupe plan status counts them; got "${options.step}"`,
        },
      ],
      {
        hint: `troupe plan status ${record.name} shows its steps`,
      },
    );
  }
  const step = Number(options.step);
  if (step > steps) {
    throw new TroupeError(
      'NOT_FOUND',
      `--step ${options.step}: ${record.name} has no step ${step}; it has ${steps} step${steps === 1 ? '' : 's'}`,
      {
        hint: `troupe plan status ${record.name} shows its steps; troupe plan logs ${record.name} shows every command it ran`,
        details: { planId: record.id, step: step - 1, steps },
      },
    );
  }
  return { step: step - 1 };
}
