// The figures of agent-driven plans: one call, a session of mixed calls, and writing steps with what they store.
import { runAgentCallBench } from './agent-calls.bench.js';
import { runAgentSessionBench } from './agent-session.bench.js';
import { formatNumber, formatRatio } from './measure.js';
import { log, orReport, verdict } from './report.js';
import { runWritingStepBench } from './writing-steps.bench.js';

// issue 20 item 1: stored bytes per writing step of a long plan against a 100-step one, and on disk
const STORAGE_GROWTH_TARGET = 1.2;
const DISK_PER_STEP_TARGET = 5000;
const WRITING_TARGET = 1.5;

/**
 * Prints the agent calls (a read as a tool_call decision, as a step, a writing step), the agent session against a script,
 * and the writing steps, scripted and agent-driven, against their git floor, with the agent-driven plan's storage.
 */
export async function runAgentSection(options: { writingSteps: number }): Promise<void> {
  const { writingSteps } = options;
  // issue 17: a read on an agent-driven plan recorded as a tool_call decision, against the same read made a step
  await orReport('agent calls', async () => {
    const calls = await runAgentCallBench({ calls: 200 });
    const { readAsDecision: read, readAsStep: step, writeStep: write } = calls;
    log();
    log(
      `agent calls (${read.calls} of each, one at a time, one invariant reconciled after every step): a read recorded as a tool_call decision ` +
        `${formatNumber(read.msPerCall)} ms, ${formatNumber(read.bytesPerCall)} bytes in ${formatNumber(read.batchesPerCall)} batch(es) per call; ` +
        `the same read made a step ${formatNumber(step.msPerCall)} ms, ${formatNumber(step.bytesPerCall)} bytes in ${formatNumber(step.batchesPerCall)} batches ` +
        `(${formatRatio(step.msPerCall / read.msPerCall)} the time, ${formatRatio(step.bytesPerCall / read.bytesPerCall)} the bytes); ` +
        `a writing step (fs/write-file: commit, checkpoint) ${formatNumber(write.msPerCall)} ms, ${formatNumber(write.bytesPerCall)} bytes`,
    );
  });
  // issue 20: an agent session of mixed calls, against a script doing the same file operations and commits
  await orReport('agent session', async () => {
    const session = await runAgentSessionBench({ calls: 500 });
    const kinds = (['read', 'write', 'command'] as const)
      .map(
        (kind) =>
          `${kind} ${formatNumber(session.byKind[kind].troupe)} / ${formatNumber(session.byKind[kind].floor)} ms`,
      )
      .join(', ');
    log();
    log(
      `agent session: ${session.calls} calls on one agent-driven plan (read, write, run_command true in turn; steps, commits, checkpoints, reconciliation) ` +
        `${formatNumber(session.troupeMsPerCall)} ms per call; a script doing the same file operations and commits ${formatNumber(session.floorMsPerCall)} ms: ` +
        `${formatRatio(session.troupeMsPerCall / session.floorMsPerCall)} (troupe / script per kind: ${kinds})`,
    );
  });
  // issue 20: writing steps, scripted and agent-driven, against a script doing the same write, add and commit
  await orReport('writing steps', async () => {
    const w = await runWritingStepBench({ steps: writingSteps });
    const side = (name: string, cost: typeof w.floor) =>
      `${name} ${formatNumber(cost.msPerStep)} ms against ${formatNumber(cost.floorMsPerStep)} for the floor around it ` +
      `(${formatRatio(cost.msPerStep / cost.floorMsPerStep)}; ≤ ${WRITING_TARGET}×: ${verdict(cost.msPerStep <= WRITING_TARGET * cost.floorMsPerStep)}), ` +
      `${formatNumber(cost.gitPerStep)} git processes, ${formatNumber(cost.batchesPerStep)} batches (${formatNumber(cost.syncedBatchesPerStep)} synced), ${formatNumber(cost.bytesPerStep)} bytes`;
    log();
    log(
      `writing steps: ${w.steps.toLocaleString('en-US')} fs/write-file steps (one of 50 notes each, its commit and step checkpoint), per step: ` +
        `${side('a scripted plan', w.scripted)}; ${side('an agent-driven plan, one call at a time', w.agent)}; ` +
        `floor: a script writing the file, git add -A, git commit -q, ${formatNumber(w.floor.gitPerStep)} git processes, ` +
        `${w.floorRuns.map((ms) => formatNumber(ms)).join(' / ')} ms (run before, between and after the two sides)`,
    );
    // issue 20 item 1: what the agent-driven plan stores per writing step, along its length and on disk
    const g = w.storage;
    const growth = g.meanBytesPerStep / g.first100BytesPerStep;
    log(
      `storage of the agent-driven plan's ${w.steps.toLocaleString('en-US')} writing steps (keys + values as stored, per step): ` +
        `${formatNumber(g.first100BytesPerStep)} bytes over its first 100 (a 100-step plan), ${formatNumber(g.meanBytesPerStep)} over all ` +
        `(${formatRatio(growth)}; ≤ ${STORAGE_GROWTH_TARGET}×: ${verdict(growth <= STORAGE_GROWTH_TARGET)}), ${formatNumber(g.last100BytesPerStep)} over its last 100; ` +
        `on disk after close ${formatNumber(g.diskBytesPerStep)} bytes per step (≤ ${formatNumber(DISK_PER_STEP_TARGET)}: ${verdict(g.diskBytesPerStep <= DISK_PER_STEP_TARGET)}); ` +
        `floor: git's own objects for the same commits, ${formatNumber(g.gitDiskBytesPerStep)} bytes per step on disk`,
    );
  });
}
