import { TroupeError, type CommandLog } from '../domain/index.js';
import type { Runtime, ToolCallResult } from '../runtime/index.js';

// run_command answers the last 16 KiB of each stream
const TAIL_CHARS = 16 * 1024;

/**
 * What a `run_command` task whose server stopped mid-command comes to, once
 * a restarted `troupe mcp` carries it on (docs/reference/mcp.md#tasks): the plan is
 * resumed — the interrupted step runs again from the last step commit
 * (docs/explanation/reliability.md) — and the call's answer is read from what that
 * step recorded: its command log (exit code, output) and its checkpoint
 * (whether it wrote). The step is the last one that ran `command` and was
 * not rolled back. A call that had not become a step yet ran nothing:
 * `CANCELLED`, to be called again.
 *
 * @example
 * const result = await resumedCommand(runtime, 'agent/x', 'npm test');
 */
export async function resumedCommand(
  runtime: Runtime,
  plan: string,
  command: string,
): Promise<Extract<ToolCallResult, { ok: true }>> {
  const [record] = await runtime.resume(plan);
  const logs = await runtime.logs(record!.id, { phase: 'execute' });
  const log = logs.findLast(
    (entry) =>
      (entry.kind === 'step' || entry.kind === 'read') &&
      entry.tool === 'shell/exec' &&
      entry.command === command &&
      entry.discardedBy === null,
  );
  if (!log || (log.step === null && log.read === undefined)) {
    throw new TroupeError(
      'CANCELLED',
      `run_command on ${record!.name} had not become a step when the server stopped: nothing ran`,
      { hint: 'call run_command again' },
    );
  }
  const output = outputOf(log);
  // it changed nothing: recorded as a read, on the commit the plan stands on
  if (log.step === null)
    return {
      ok: true,
      planId: record!.id,
      tool: 'shell/exec',
      output,
      step: null,
      read: log.read!,
      commit: record!.sandbox?.headCommit ?? null,
      wrote: false,
      plan: record!,
    };
  const checkpoints = await runtime.checkpoints(record!.id);
  const at = (steps: number) => checkpoints.findLast((checkpoint) => checkpoint.stepIds.length === steps);
  const [before, after] = [at(log.step), at(log.step + 1)];
  const wrote = after !== undefined && after.sandboxCommit !== (before?.sandboxCommit ?? null);
  return {
    ok: true,
    planId: record!.id,
    tool: 'shell/exec',
    output,
    step: log.step,
    read: null,
    commit: after?.sandboxCommit ?? null,
    wrote,
    plan: record!,
  };
}

// run_command's output, from the command's log
function outputOf(log: CommandLog): {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  durationMs: number;
} {
  return {
    exitCode: log.exitCode,
    signal: log.signal,
    timedOut: log.timedOut,
    stdout: log.stdout.text.slice(-TAIL_CHARS),
    stderr: log.stderr.text.slice(-TAIL_CHARS),
    durationMs: log.durationMs,
  };
}
