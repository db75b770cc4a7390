// The figures of a fresh process: a plan run end to end in one, and the built CLI started cold.
import { runCliStartBench } from './cli-start.bench.js';
import { runColdBench } from './cold.bench.js';
import { formatNumber, formatRatio, table } from './measure.js';
import { log, orReport, verdict } from './report.js';

// issue 42: end to end in a fresh process, strategize included
const COLD_READ_TARGET = 2;
const COLD_WRITING_TARGET = 1.2;

/** Prints the table of the cold, end-to-end figures (read-only steps, writing steps, strategize) against their floors, and each run. */
export async function runColdSection(options: { steps: number; writingSteps: number; rounds: number }): Promise<void> {
  const { steps, writingSteps, rounds } = options;
  // issue 42: what a user meets — a fresh process, from run() to its return, strategize included — against each floor timed the same way
  await orReport('cold, end to end', async () => {
    const cold = runColdBench({ steps, writingSteps, rounds });
    const { read, write } = cold;
    const readRatio = read.troupe.ms / read.floor.ms;
    const writeRatio = write.troupe.ms / write.floor.ms;
    const each = (side: { runs: { ms: number }[] }) => side.runs.map((run) => formatNumber(run.ms)).join(', ');
    log();
    log(
      `cold, end to end (a fresh process each, ${rounds} round(s), medians; runtime.run(id, { until: 'execute' }) from the call to its return, strategize included):`,
    );
    log(
      table(
        ['figure', 'troupe', 'floor', 'ratio', 'target', 'result'],
        [
          [
            `${read.steps.toLocaleString('en-US')} read-only steps, ms per step`,
            formatNumber(read.troupe.msPerStep),
            formatNumber(read.floor.msPerStep),
            formatRatio(readRatio),
            `≤ ${COLD_READ_TARGET}× floor`,
            verdict(readRatio <= COLD_READ_TARGET),
          ],
          [
            `${write.steps.toLocaleString('en-US')} writing steps, ms per step`,
            formatNumber(write.troupe.msPerStep),
            formatNumber(write.floor.msPerStep),
            formatRatio(writeRatio),
            `≤ ${COLD_WRITING_TARGET}× floor`,
            verdict(writeRatio <= COLD_WRITING_TARGET),
          ],
          [
            'strategize, ms per decision (against a read-only step)',
            formatNumber(cold.strategizeMsPerDecision),
            formatNumber(cold.executeMsPerStep),
            formatRatio(cold.strategizeMsPerDecision / cold.executeMsPerStep),
            '≤ 1× a read-only step',
            verdict(cold.strategizeMsPerDecision <= cold.executeMsPerStep),
          ],
        ],
      ),
    );
    log(
      `  floors: read-only, a bare XState machine writing one LevelDB batch per transition; writing, a script writing the file, git add -A, git commit. ` +
        `Each run, ms: troupe read ${each(read.troupe)}, floor ${each(read.floor)}; troupe writing ${each(write.troupe)}, floor ${each(write.floor)}`,
    );
  });
}

/** Prints the CLI's cold start (`troupe plan status --json`) and `troupe demo`, each against `node -e 0`. */
export async function runCliStartSection(options: { runs: number }): Promise<void> {
  const { runs } = options;
  // issue 7: a new process on the built CLI against the floor of any Node command
  await orReport('CLI cold start', async () => {
    const start = await runCliStartBench({ runs });
    log();
    log(
      `CLI cold start: troupe plan status <plan> --json (node bin/troupe.js, a git project with one plan) ${formatNumber(start.cliMs)} ms, ` +
        `node -e 0 ${formatNumber(start.nodeMs)} ms: ${formatRatio(start.cliMs / start.nodeMs)} ` +
        `(${formatNumber(start.cliMs - start.nodeMs)} ms above Node's own start; medians of ${start.cliMsEach.length} runs each, alternated)`,
    );
    log(
      `troupe demo (node bin/troupe.js demo: a scratch project, four phases, three steps): ${formatNumber(start.demoMs)} ms, ` +
        `node -e 0 ${formatNumber(start.nodeMs)} ms: ${formatRatio(start.demoMs / start.nodeMs)} (median of ${start.demoMsEach.length} runs)`,
    );
  });
}
