// The persistence figures of `npm run bench` (DESIGN §9): a plan of read-only
// steps persisted per transition, against a bare floor measured in the same run.
import { runFloor } from './floor.bench.js';
import { formatNumber, formatRatio, medianFigures, table, type RunFigures } from './measure.js';
import { runTroupePlan } from './plan-steps.bench.js';
import { log, verdict } from './report.js';

const TARGET_RATIO = 2;
// issue 20 item 3: read-only steps against the bare floor
const READ_ONLY_TARGET = 3;

/** What the persistence section is given. */
export interface PersistenceOptions {
  /** Read-only steps of each plan. */
  steps: number;
  /** Rounds of the floor; of troupe too, while they fit the budget. */
  runs: number;
  /** ms the troupe side may take: at least one run, more while they fit. */
  budgetMs: number;
  /** Most a byte figure may grow along the plan and still be flat. */
  flatGrowth: number;
}

/**
 * Prints the warm-up, each run's ms/step, the table of medians against the floor,
 * troupe against the floor doing the same work, and the same plan with one invariant reconciled after every step.
 */
export async function runPersistenceSection(options: PersistenceOptions): Promise<void> {
  const { steps, runs, budgetMs, flatGrowth } = options;
  const warmUpSteps = Math.min(steps, 10);
  log(`warming up (floor ${steps} steps, troupe ${warmUpSteps} steps)…`);
  await runFloor({ steps });
  await runFloor({ steps, withTool: true });
  const warm = await runTroupePlan({ steps: warmUpSteps });
  await warm.close();
  log(
    `  troupe warm-up: ${formatNumber(warm.figures.msPerStep)} ms/step, so about ${formatNumber((warm.figures.msPerStep * steps) / 1000)} s per ${steps}-step run`,
  );

  const floor: RunFigures[] = [];
  const floorWithTool: RunFigures[] = [];
  const troupe: RunFigures[] = [];
  let troupeMs = 0;
  for (let round = 0; round < runs; round++) {
    floor.push(await runFloor({ steps }));
    floorWithTool.push(await runFloor({ steps, withTool: true }));
    const last = troupeMs / Math.max(1, troupe.length);
    if (troupe.length > 0 && troupeMs + last > budgetMs) continue;
    const runStarted = performance.now();
    const done = await runTroupePlan({ steps });
    troupeMs += performance.now() - runStarted;
    await done.close();
    troupe.push(done.figures);
    log(
      `  run ${round + 1}: troupe ${formatNumber(done.figures.msPerStep)} ms/step, floor ${formatNumber(floor.at(-1)!.msPerStep)} ms/step`,
    );
  }

  const t = medianFigures(troupe);
  const f = medianFigures(floor);
  const p = medianFigures(floorWithTool);
  const growth = (figures: RunFigures) => figures.bytesAtLastStep / figures.bytesAtStep10;
  const tenthsGrowth = (figures: RunFigures) => figures.bytesLastTenth / figures.bytesFirstTenth;
  const last = steps.toLocaleString('en-US');
  const row = (figure: string, pick: (figures: RunFigures) => number, target = '', result = '') => [
    figure,
    formatNumber(pick(t)),
    formatNumber(pick(f)),
    formatRatio(pick(t) / pick(f)),
    target,
    result,
    formatNumber(pick(p)),
  ];
  log();
  log(
    `medians: troupe ${troupe.length} run(s)${troupe.length < runs ? ` (one run takes ${formatNumber(troupeMs / troupe.length / 1000)} s; --budget ${budgetMs / 1000} s)` : ''}, floor ${floor.length} runs`,
  );
  log(
    table(
      ['figure', 'troupe', 'floor', 'ratio', 'target', 'result', 'floor + the tool call (info)'],
      [
        row(
          'ms per step',
          (x) => x.msPerStep,
          `≤ ${TARGET_RATIO}× floor`,
          verdict(t.msPerStep <= TARGET_RATIO * f.msPerStep),
        ),
        // issue 20 item 3 set its own target for the same figure
        row(
          'ms per step (issue 20: read-only steps)',
          (x) => x.msPerStep,
          `≤ ${READ_ONLY_TARGET}× floor`,
          verdict(t.msPerStep <= READ_ONLY_TARGET * f.msPerStep),
        ),
        row('ms per step, first 10% of steps', (x) => x.msPerStepFirstTenth),
        row('ms per step, last 10% of steps', (x) => x.msPerStepLastTenth),
        row('bytes at step 10', (x) => x.bytesAtStep10),
        row(`bytes at step ${last}`, (x) => x.bytesAtLastStep),
        row('bytes per step, mean', (x) => x.bytesPerStepMean),
        row('bytes written by the steps, total', (x) => x.bytesPerStepMean * x.steps),
        [
          `bytes growth, step 10 → ${last}`,
          formatRatio(growth(t)),
          formatRatio(growth(f)),
          '',
          `≤ ${flatGrowth}× (flat)`,
          verdict(growth(t) <= flatGrowth),
          formatRatio(growth(p)),
        ],
        [
          'bytes growth, first → last 10%',
          formatRatio(tenthsGrowth(t)),
          formatRatio(tenthsGrowth(f)),
          '',
          `≤ ${flatGrowth}× (flat)`,
          verdict(tenthsGrowth(t) <= flatGrowth),
          formatRatio(tenthsGrowth(p)),
        ],
        row('batches per step', (x) => x.batchesPerStep),
        row('operations per batch', (x) => x.operationsPerBatch),
        row('bytes outside the steps (setup, end of the phase)', (x) => x.setupBytes),
        row('bytes of phase checkpoints (not per step)', (x) => x.phaseCheckpointBytes),
      ],
    ),
  );

  log();
  const withWork = t.msPerStep / p.msPerStep;
  log(
    `troupe against the floor doing the same work (the step's fs/read-file call): ${formatRatio(withWork)} ` +
      `(${formatNumber(t.msPerStep - p.msPerStep)} ms per step added around the work; ≤ ${TARGET_RATIO}×: ${verdict(withWork <= TARGET_RATIO)})`,
  );
  // the same plan with one file-exists invariant reconciled after every step
  const reconciled: RunFigures[] = [];
  for (let round = 0; round < Math.min(runs, troupe.length); round++) {
    const done = await runTroupePlan({ steps, reconcile: true });
    await done.close();
    reconciled.push(done.figures);
  }
  const r = medianFigures(reconciled);
  log();
  log(
    `with one file-exists invariant reconciled after every step (${reconciled.length} run(s)): ${formatNumber(r.msPerStep)} ms/step ` +
      `(${formatNumber(r.msPerStep - t.msPerStep)} ms per reconciliation, ${formatRatio(r.msPerStep / f.msPerStep)} the floor), ` +
      `${formatNumber(r.bytesPerStepMean)} bytes/step (+${formatNumber(r.bytesPerStepMean - t.bytesPerStepMean)} for its decision and event) ` +
      `in ${formatNumber(r.batchesPerStep)} batches/step, ` +
      `bytes growth step 10 → ${last}: ${formatRatio(growth(r))} (${verdict(growth(r) <= flatGrowth)})`,
  );
}
