// The fan-out figures: a plan's child plans merged into it, and its sandboxes made at once.
import { formatNumber, formatRatio, median } from './measure.js';
import { peakMemory } from './memory.js';
import { log, orReport, verdict } from './report.js';
import { runSnapshotBytes } from './snapshot-bytes.bench.js';
import { runPredictionBench, runSubplanBench } from './subplans.bench.js';
import { runWorktreeBench, worktreeLine } from './worktrees.bench.js';

/**
 * Prints the 64-child fan-out against the same git operations scripted, with conflict prediction on and off,
 * its parent's snapshot bytes and its peak RSS; then a fan-out's sandboxes made at once against git making them one by one.
 */
export async function runFanOutSection(options: { runs: number }): Promise<void> {
  const { runs } = options;
  // subplans: 64 children (maxParallel 8), one file each, merged — against the same git operations scripted
  await orReport('subplans', async () => {
    const subplanRuns = [];
    for (let round = 0; round < Math.min(runs, 2); round++)
      subplanRuns.push(await runSubplanBench({ children: 64, maxParallel: 8 }));
    const troupeFan = median(subplanRuns.map((figures) => figures.troupeMs));
    const gitFan = median(subplanRuns.map((figures) => figures.gitMs));
    log();
    log(
      `subplans: 64 child plans (maxParallel 8), one file each, merged into the parent: troupe ${formatNumber(troupeFan / 1000)} s, ` +
        `the same git operations scripted (worktree add, commit, merge) ${formatNumber(gitFan / 1000)} s: ${formatRatio(troupeFan / gitFan)} ` +
        `(≤ 1.5×: ${verdict(troupeFan <= 1.5 * gitFan)}; ${subplanRuns.length} run(s), medians)`,
    );
    // issue 38: the same fan-out with conflict prediction off, alternated in the same run: children touching separate files pay nothing measurable
    const prediction = await runPredictionBench({ children: 64, maxParallel: 8, runs: Math.min(runs, 3) });
    log(
      `conflict prediction on the 64-child fan-out (separate files): on ${formatNumber(prediction.onMs / 1000)} s, off (the floor) ${formatNumber(prediction.offMs / 1000)} s: ` +
        `${formatRatio(prediction.onMs / prediction.offMs)}; CPU of the process ${formatNumber(prediction.onCpuMs / 1000)} s against ${formatNumber(prediction.offCpuMs / 1000)} s: ${formatRatio(prediction.onCpuMs / prediction.offCpuMs)}; ` +
        `${prediction.moves} step commits looked at, ${prediction.pairs} pairs and ${prediction.files} files merged ahead of time ` +
        `(${prediction.runs} run(s) each, alternated, medians)`,
    );
    // the same fan-out's parent snapshots: its group's state stored once, against the same snapshots whole (bytes: one run)
    const bytes = await runSnapshotBytes(64, 8);
    log(
      `snapshots the parent of the 64-child fan-out wrote: ${bytes.snapshots}, ${formatNumber(bytes.storedBytes / 1_048_576)} MiB in all (the largest ${formatNumber(bytes.largestStored / 1024)} KiB); ` +
        `the same snapshots whole, the group's state twice: ${formatNumber(bytes.wholeBytes / 1_048_576)} MiB (the largest ${formatNumber(bytes.largestWhole / 1024)} KiB): ${formatRatio(bytes.storedBytes / bytes.wholeBytes)}`,
    );
    // issue 20: the same fan-out in a fresh process, its peak RSS
    const [fan, idle] = [peakMemory('fanout', '64', '8'), peakMemory('idle')];
    log(
      `memory: peak RSS of a fresh process running the 64-child fan-out ${formatNumber(fan.peakRssMb)} MiB (≤ 400 MB: ${verdict(fan.peakRssMb * 1.048576 <= 400)}); ` +
        `a process that only loaded the runtime ${formatNumber(idle.peakRssMb)} MiB`,
    );
  });
  // a fan-out's sandboxes of one repository made at once, against git making the same worktrees one after another
  await orReport('sandboxes at once', async () => {
    log();
    log(worktreeLine(await runWorktreeBench({ sandboxes: 16, files: 1000, runs: Math.min(runs, 3) })));
  });
}
