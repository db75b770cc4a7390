// The scale-out figures: child plans on worker processes, and the change feed's cost (PostgreSQL and Redis).
import { formatNumber, formatRatio } from './measure.js';
import { runNotifyBench } from './notify.bench.js';
import { log, orReport } from './report.js';
import { scaleOutReport } from './scale-out-report.js';
import { runScaleOutBench, scaleOutUnavailable, SCALE_OUT_SHAPE } from './scale-out.bench.js';

// scale-out: runs of each way (one process, 1 worker, 4 workers), interleaved; the figures are their medians
const SCALE_OUT_REPEATS = 3;

/** Prints the scale-out report (one process, 1 and 4 workers) and the change feed's pg_notify cost, or why they were not measured. */
export async function runScaleOutSection(): Promise<void> {
  // issues 21, 37: child plans on worker processes (PostgreSQL, Redis, a shared remote); alone: npx tsx test/bench/run-scale-out.ts
  await orReport('scale-out', async () => {
    const unavailable = scaleOutUnavailable();
    log();
    if (unavailable !== null) {
      log(`scale-out: not measured: ${unavailable}`);
      return;
    }
    // issue 37: 32 children sleeping 2 s, 16 at once, in one process and on 1 and 4 workers
    const runs = await runScaleOutBench(SCALE_OUT_SHAPE, SCALE_OUT_REPEATS);
    for (const line of scaleOutReport(SCALE_OUT_SHAPE, runs)) log(line);
    const notify = await runNotifyBench({ transactions: 2000 });
    log(
      `change feed: a transition's 3 journal events in one PostgreSQL transaction ${formatNumber(notify.plainMs)} ms, with its pg_notify ${formatNumber(notify.notifyMs)} ms ` +
        `(+${formatNumber(notify.notifyMs - notify.plainMs)} ms, ${formatRatio(notify.notifyMs / notify.plainMs)}; medians of ${notify.transactions.toLocaleString('en-US')} each, interleaved)`,
    );
  });
}
