// What a durable apply costs (issue 73): troupe's apply, synced, against git's own fast-forward.
import { runApplyBench } from './apply.bench.js';
import { formatNumber } from './measure.js';
import { log, orReport } from './report.js';

/** Prints the apply figure: troupe's synced apply of a 20-file plan against git's unsynced fast-forward of the same commit. */
export async function runDurabilitySection(options: { runs: number }): Promise<void> {
  await orReport('durable apply', async () => {
    const figures = await runApplyBench({ runs: options.runs, files: 20 });
    log();
    log(
      `durable apply: a plan of ${figures.files} written files applied by troupe in ${formatNumber(figures.troupeMs)} ms (commit, branch, index and files synced), ` +
        `git's own fast-forward of the same commit in a clone ${formatNumber(figures.floorMs)} ms (nothing synced): ${formatNumber(figures.troupeMs - figures.floorMs)} ms more, median of ${figures.runs}`,
    );
  });
}
