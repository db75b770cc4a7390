// The recovery figures: a store of plans resumed, a step rolled back, and checkpoints along a long plan.
import { runCheckpointBench } from './checkpoints.bench.js';
import { formatNumber, formatRatio } from './measure.js';
import { log, orReport, verdict } from './report.js';
import { runResumeBench } from './resume.bench.js';
import { runRollbackBench } from './rollback.bench.js';

// issue 42: 10,000 stored plans ready
const READY_TARGET_MS = 1000;
const READY_RSS_TARGET_MB = 300;
// issue 42: a rollback of 1,000 written files against git reset --hard && git clean -fd of the same worktree
const ROLLBACK_TARGET = 1.5;

/** What the checkpoints section is given. */
export interface CheckpointsOptions {
  /** Plans in the store the resume figure opens. */
  plans: number;
  /** Every how many of the plan's steps one writes a file (and takes a checkpoint). */
  writeEvery: number;
  /** Most a checkpoint may grow along the plan and still be flat. */
  flatGrowth: number;
}

/**
 * Issues 6 and 42. Prints resume (a store of `plans` plans ready, and the lists on it), rollback of a step that wrote 1,000 files,
 * and checkpoint size over a 1,000-step plan, each against its floor.
 */
export async function runCheckpointsSection(options: CheckpointsOptions): Promise<void> {
  const { plans, writeEvery, flatGrowth } = options;
  await orReport('resume', async () => {
    const resume = await runResumeBench({ plans, memory: true });
    const peak = resume.restoreRssMb!;
    const ready = resume.readyMs <= READY_TARGET_MS && peak * 1.048576 <= READY_RSS_TARGET_MB;
    log();
    log(
      `resume: createRuntime on a store of ${resume.plans.toLocaleString('en-US')} plans that have not ended (${resume.strategized.toLocaleString('en-US')} of them strategized; ` +
        `${resume.written.toLocaleString('en-US')} written by a runtime, the rest copies: writing the store took ${formatNumber(resume.setupMs / 1000)} s) ` +
        `is ready in ${formatNumber(resume.readyMs / 1000)} s (median of ${resume.readyMsEach.length} openings: ${resume.readyMsEach.map((ms) => formatNumber(ms / 1000)).join(', ')} s), ` +
        `with ${resume.restored.toLocaleString('en-US')} plans made actors (none was running when its process stopped); peak RSS of a fresh process doing it ${formatNumber(peak)} MiB ` +
        `(a process that only loaded the runtime ${formatNumber(resume.idleRssMb!)} MiB) ` +
        `(≤ ${READY_TARGET_MS / 1000} s and ≤ ${READY_RSS_TARGET_MB} MB: ${verdict(ready)}); ` +
        `floor: the same LevelDB opened with level, all ${resume.entries.toLocaleString('en-US')} entries read and parsed, closed, ${formatNumber(resume.floorMs / 1000)} s: ${formatRatio(resume.readyMs / resume.floorMs)}`,
    );
    log(
      `lists on the ready runtime, all ${resume.plans.toLocaleString('en-US')} plans: troupe plan list's reads ${formatNumber(resume.planListMs)} ms, troupe ui's first load ${formatNumber(resume.uiMs)} ms, ` +
        `MCP plan_list ${formatNumber(resume.mcpPlanListMs)} ms; ${resume.cliPlanListMs === null ? 'the CLI not built (npm run build): no process figure' : `troupe plan list --json as a new process ${formatNumber(resume.cliPlanListMs)} ms`}; ` +
        `floor: the plan records alone read from the same LevelDB and parsed ${formatNumber(resume.listFloorMs)} ms ` +
        `(${formatRatio(resume.planListMs / resume.listFloorMs)} / ${formatRatio(resume.uiMs / resume.listFloorMs)} / ${formatRatio(resume.mcpPlanListMs / resume.listFloorMs)})`,
    );
  });
  await orReport('rollback', async () => {
    const rollback = await runRollbackBench({ files: 1000 });
    const ratio = rollback.rollbackMs / rollback.floorMs;
    log();
    log(
      `rollback: a step that wrote ${rollback.files.toLocaleString('en-US')} files, rolled back to the pre-execute checkpoint in ${formatNumber(rollback.rollbackMs)} ms ` +
        `(median of ${rollback.rollbackMsEach.length}: ${rollback.rollbackMsEach.map((ms) => formatNumber(ms)).join(', ')} ms; ${rollback.changesReverted.toLocaleString('en-US')} changes reverted; ${rollback.gitPerRollback} git processes); ` +
        `git reset --hard && git clean -fd of the same worktree ${formatNumber(rollback.floorMs)} ms (${rollback.floorMsEach.map((ms) => formatNumber(ms)).join(', ')}; 2 git processes): ` +
        `${formatRatio(ratio)} (≤ ${ROLLBACK_TARGET}× the floor: ${verdict(ratio <= ROLLBACK_TARGET && rollback.changesReverted === rollback.files)})`,
    );
  });
  await orReport('checkpoints', async () => {
    const checkpoints = await runCheckpointBench({ steps: 1000, writeEvery });
    const { early, last } = checkpoints;
    const growth = last.bytes / early.bytes;
    log();
    log(
      `checkpoints: a plan of ${checkpoints.steps.toLocaleString('en-US')} steps, ${writeEvery === 1 ? 'every one' : `every ${writeEvery}th`} writing a file ` +
        `(${checkpoints.stepCheckpoints.toLocaleString('en-US')} step checkpoints, execute ${formatNumber(checkpoints.executeMs / 1000)} s): ` +
        `checkpoint ${early.ordinal} (after step ${early.step}) ${formatNumber(early.bytes)} bytes, checkpoint ${last.ordinal.toLocaleString('en-US')} (after step ${last.step.toLocaleString('en-US')}) ` +
        `${formatNumber(last.bytes)} bytes: ${formatRatio(growth)} (flat, ≤ ${flatGrowth}×: ${verdict(growth <= flatGrowth)}); ` +
        `floor: the machine snapshot a checkpoint must hold, ${formatNumber(early.snapshotBytes)} → ${formatNumber(last.snapshotBytes)} bytes ` +
        `(${formatRatio(last.bytes / last.snapshotBytes)} at the last checkpoint: the rest is its cursors, commit and step-chain pointer, never a copy of the step list)`,
    );
  });
}
