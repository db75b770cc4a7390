import { z } from 'zod';
import { PHASES, ValidationError, type CapturedOutput, type PlanLog } from '../domain/index.js';
import { READS, mcpTool, planRef, type McpTool } from './mcp-tool.js';
import { planLogsResult } from './plan-results.js';

// an agent reads logs into its context: each stream is cut to its tail
const DEFAULT_MAX_BYTES = 16 * 1024;
const DEFAULT_LIMIT = 20;

/** The log tool of `troupe mcp`: what the plan's commands printed, as `troupe plan logs` shows it. */
export const LOG_TOOLS: McpTool[] = [
  mcpTool({
    name: 'plan_logs',
    title: 'Output of a plan’s commands',
    description:
      'The stdout and stderr of the commands the plan ran — steps, reads, validate commands, command checks — oldest first, with how each ended. step counts from 1, as write_file and run_command answers say ("step 2"); read picks a read, as run_command answers say ("read 3": a command that changed nothing); phase picks strategize, execute or validate; afterSeq returns only logs after that seq (pass the last seq you saw to follow a plan). Each stream is cut to its last maxBytes (default 16 KiB); at most limit logs (default 20): the latest, or with afterSeq the next ones.',
    output: planLogsResult,
    annotations: READS,
    input: z.strictObject({
      plan: planRef,
      step: z
        .number()
        .int()
        .min(1)
        .meta({ description: 'Only this step’s commands and the checks after it, counted from 1' })
        .optional(),
      read: z
        .number()
        .int()
        .min(1)
        .meta({ description: 'Only this read’s commands (a command that changed nothing), counted from 1' })
        .optional(),
      phase: z.enum(PHASES).meta({ description: 'Only the commands run in this phase' }).optional(),
      afterSeq: z.number().int().min(0).meta({ description: 'Only logs after this seq' }).optional(),
      limit: z
        .number()
        .int()
        .min(1)
        .max(500)
        .meta({ description: 'At most this many logs (default 20): the latest, or the next ones after afterSeq' })
        .optional(),
      maxBytes: z
        .number()
        .int()
        .min(1)
        .max(1024 * 1024)
        .meta({ description: 'Keep the last this many bytes of each stream (default 16384)' })
        .optional(),
    }),
    async run({ plan, step, read, phase, afterSeq, limit, maxBytes }, { runtime }) {
      if (step !== undefined && phase !== undefined) {
        throw new ValidationError(
          [{ path: 'step', message: 'cannot be combined with phase: a step runs in execute' }],
          { subject: 'plan_logs', hint: 'give step, or phase' },
        );
      }
      if (read !== undefined && (step !== undefined || phase !== undefined)) {
        throw new ValidationError(
          [{ path: 'read', message: 'cannot be combined with step or phase: a read is no step' }],
          { subject: 'plan_logs', hint: 'give read alone' },
        );
      }
      const rt = await runtime();
      const record = await rt.getPlan(plan);
      const all = await rt.logs(record.id, {
        ...(step === undefined ? {} : { step: step - 1 }),
        ...(read === undefined ? {} : { read }),
        ...(phase ? { phase } : {}),
        ...(afterSeq === undefined ? {} : { afterSeq }),
      });
      const wanted = limit ?? DEFAULT_LIMIT;
      // following (afterSeq): the next ones in order, so none is skipped; otherwise the latest
      const following = afterSeq !== undefined;
      const kept = following ? all.slice(0, wanted) : all.slice(-wanted);
      const logs = kept.map((log) => bounded(log, maxBytes ?? DEFAULT_MAX_BYTES));
      const skipped = all.length - logs.length;
      const lines = logs.map(logText);
      if (skipped > 0 && following)
        lines.push(`(${skipped} later log${skipped === 1 ? '' : 's'}: ask again with afterSeq ${logs.at(-1)!.seq})`);
      if (skipped > 0 && !following)
        lines.unshift(
          `(${skipped} earlier log${skipped === 1 ? '' : 's'} not shown: ask with a larger limit, or by step or phase)`,
        );
      return {
        text:
          logs.length === 0
            ? `${record.name} ran no commands${step ? ` in step ${step}` : read ? ` in read ${read}` : phase ? ` in ${phase}` : ''} yet`
            : lines.join('\n'),
        structured: { planId: record.id, name: record.name, logs: logs.map(countedFromOne), skipped },
      };
    },
  }),
];

// a stream's last maxBytes (on a character boundary), counting what goes into `cut`
function tail(output: CapturedOutput, maxBytes: number): CapturedOutput {
  const bytes = Buffer.from(output.text, 'utf8');
  if (bytes.length <= maxBytes) return output;
  let start = bytes.length - maxBytes;
  // a UTF-8 continuation byte is not where a character starts
  while (start < bytes.length && (bytes[start]! & 0xc0) === 0x80) start++;
  return { text: bytes.subarray(start).toString('utf8'), bytes: output.bytes, cut: output.cut + start };
}

// a step log's step as the MCP answers count it, from 1 (the store counts from 0)
function countedFromOne(log: PlanLog): PlanLog {
  return log.step === null ? log : { ...log, step: log.step + 1 };
}

function bounded(log: PlanLog, maxBytes: number): PlanLog {
  return { ...log, stdout: tail(log.stdout, maxBytes), stderr: tail(log.stderr, maxBytes) };
}

// one log as a model reads it: what ran it and how it ended, the command, its output
function logText(log: PlanLog): string {
  const ended = log.cancelled
    ? 'cancelled'
    : log.timedOut
      ? 'timed out'
      : log.exitCode === null
        ? `killed by ${log.signal ?? 'a signal'}`
        : `exit ${log.exitCode}`;
  const by =
    log.kind === 'step'
      ? `step ${(log.step ?? 0) + 1}`
      : log.kind === 'check'
        ? `check ${log.invariant ?? ''}`
        : log.kind === 'read' && log.read !== undefined
          ? `read ${log.read}`
          : log.kind;
  const facts = [
    `seq ${log.seq}`,
    by,
    ...(log.tool ? [log.tool] : []),
    ended,
    `${log.durationMs} ms`,
    ...(log.discardedBy ? ['discarded by a rollback'] : []),
  ];
  const parts = [`── ${facts.join(' · ')}`, `$ ${log.command}`];
  const stream = (name: string, output: CapturedOutput) =>
    `${output.cut > 0 ? `(${name}: the first ${output.cut} of ${output.bytes} bytes cut)\n` : ''}${output.text.replace(/\n$/, '')}`;
  if (log.stdout.bytes > 0) parts.push(stream('stdout', log.stdout));
  if (log.stderr.bytes > 0) parts.push('── stderr', stream('stderr', log.stderr));
  if (log.stdout.bytes === 0 && log.stderr.bytes === 0) parts.push('(no output)');
  return parts.join('\n');
}
