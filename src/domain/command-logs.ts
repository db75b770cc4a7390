import { z } from 'zod';
import type { NetworkUsage } from './network-allow.js';
import { PHASES, type Phase } from './phases.js';

/**
 * How much of each output stream of one command a plan keeps: 1 MiB; past it, the end is kept and the cut said.
 *
 * @example
 * const full = (await runtime.logs('demo/x')).filter((log) => log.stdout.bytes <= COMMAND_LOG_BYTES);
 */
export const COMMAND_LOG_BYTES = 1024 * 1024;

/**
 * What one output stream of a command said, as kept: all of it up to a
 * bound, past the bound its end, with how much was cut from the start.
 *
 * @example
 * const { stdout }: { stdout: CapturedOutput } = (await runtime.logs('demo/x'))[0]!;
 * if (stdout.cut > 0) console.log(`(the first ${stdout.cut} of ${stdout.bytes} bytes were cut)`);
 * console.log(stdout.text);
 */
export interface CapturedOutput {
  /** The text kept, decoded as UTF-8. */
  text: string;
  /** How many bytes the command wrote to the stream in all. */
  bytes: number;
  /** How many bytes from the start are not in `text` (0 when it is all there). */
  cut: number;
}

/**
 * What ran the command: a tool of an execute step, a validate command, an
 * invariant check, a tool the strategist called in strategize, or an
 * agent's read call (a tool call that is no step, SPEC §16), or a
 * background service (its `tool` is the service's name), logged when it stopped.
 *
 * @example
 * const fromChecks = (await runtime.logs('demo/x')).filter((log) => log.kind === COMMAND_LOG_KINDS[2]);
 */
export const COMMAND_LOG_KINDS = ['step', 'validate', 'check', 'strategize', 'read', 'service'] as const;
/**
 * One of {@link COMMAND_LOG_KINDS}.
 *
 * @example
 * const kind: CommandLogKind = 'validate';
 * const validateLogs = (await runtime.logs('demo/x')).filter((log) => log.kind === kind);
 */
export type CommandLogKind = (typeof COMMAND_LOG_KINDS)[number];

/**
 * The record of one command a plan ran (SPEC §18): what ran it, how it
 * ended, and its stdout and stderr. Stored apart from the plan's snapshot
 * (`log!<planId>!<seq>`), in the batch of the transition that recorded the
 * result of its step, check or validate run.
 *
 * @example
 * for (const log of await runtime.logs('demo/x', { phase: 'validate' })) {
 *   console.log(log.command, log.exitCode, log.stderr.text);
 * }
 */
export interface CommandLog {
  planId: string;
  /** 1, 2, 3… per plan, in the order the logs were written. */
  seq: number;
  /** When it was written (with the result of what ran it). */
  ts: string;
  phase: Phase;
  kind: CommandLogKind;
  /** The step (0-based): the step that ran it, or the step after which the invariant was checked; null otherwise. */
  step: number | null;
  /**
   * The read (from 1) that ran it: an agent's command that changed nothing
   * is a read, not a step (`step` is then null). Absent otherwise.
   */
  read?: number;
  /** The tool that ran it (`shell/run`, a custom tool); null for validate commands and checks. */
  tool: string | null;
  /** The invariant whose check ran it; null otherwise. */
  invariant: string | null;
  /** The shell text, as run with `sh -c`. */
  command: string;
  /** When the command started (ISO). */
  startedAt: string;
  durationMs: number;
  /** Null when it was killed by a signal, timed out or was cancelled. */
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  stdout: CapturedOutput;
  stderr: CapturedOutput;
  /**
   * The connections it asked troupe's proxy for, by host — let through and
   * refused — when its plan has a network allow-list (docs/explanation/sandbox.md#network-by-name)
   * and it asked for any. Absent otherwise.
   */
  network?: NetworkUsage;
}

/**
 * A command log as the runtime answers it (`runtime.logs`): with the
 * rollback that discarded the work it belongs to, if one did. Logs are
 * kept through a rollback and marked; undoing the rollback unmarks them.
 *
 * @example
 * const kept = (await runtime.logs('demo/x')).filter((log: PlanLog) => log.discardedBy === null);
 */
export interface PlanLog extends CommandLog {
  /** The active `rollback` (or `correction`) decision that went back past this command; null when its work stands. */
  discardedBy: string | null;
}

const capturedOutputSchema = z.object({
  text: z.string(),
  bytes: z.number().int().nonnegative(),
  cut: z.number().int().nonnegative(),
});

/** The stored shape of a command log, checked when it is read back. */
export const commandLogSchema = z.object({
  planId: z.string(),
  seq: z.number().int().positive(),
  ts: z.string(),
  phase: z.enum(PHASES),
  kind: z.enum(COMMAND_LOG_KINDS),
  step: z.number().int().nonnegative().nullable(),
  read: z.number().int().positive().optional(),
  tool: z.string().nullable(),
  invariant: z.string().nullable(),
  command: z.string(),
  startedAt: z.string(),
  durationMs: z.number().nonnegative(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  timedOut: z.boolean(),
  cancelled: z.boolean(),
  stdout: capturedOutputSchema,
  stderr: capturedOutputSchema,
  network: z
    .object({
      allowed: z.record(z.string(), z.number().int().nonnegative()),
      denied: z.record(z.string(), z.number().int().nonnegative()),
    })
    .optional(),
});

/**
 * The range of log seqs a rollback discarded (`after` < seq ≤ `through`),
 * kept in its decision's payload as `logsDiscarded`.
 */
export interface DiscardedLogs {
  after: number;
  through: number;
}

/** The `logsDiscarded` of a rollback or correction decision's payload, or null. */
export function discardedLogsOf(payload: Record<string, unknown>): DiscardedLogs | null {
  const range = payload.logsDiscarded as Partial<DiscardedLogs> | undefined;
  if (
    typeof range !== 'object' ||
    range === null ||
    typeof range.after !== 'number' ||
    typeof range.through !== 'number'
  )
    return null;
  return { after: range.after, through: range.through };
}
