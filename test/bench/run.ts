// `npm run bench`: the persistence benchmark (DESIGN §9). Not a timed
// test: it prints figures and their ratio to a floor measured in the same
// run on the same machine, says whether the targets hold, and exits 0
// either way. docs/explanation/performance.md explains the figures.
//
//   npm run bench                        the figures of the issue (1,000 steps)
//   npm run bench -- --steps 200 --runs 5 --budget 120
//   npm run bench -- --write-every 1     1,000 writing steps for the checkpoint figure (about 3 min)
//   npm run bench -- --cli-runs 50       more runs of the CLI cold start (it needs npm run build)
//   npm run bench -- --writing-steps 200 fewer writing steps each way (1,000 by default; the cold figure too)
//   npm run bench -- --cold-runs 5       more rounds of the cold, end-to-end figures (3 by default)
//   npm run bench -- --plans 2000        fewer stored plans for the resume figure (10,000 by default)
import { parseArgs } from 'node:util';
import { runAgentSection } from './agent-section.js';
import { runCheckpointsSection } from './checkpoints-section.js';
import { runCliStartSection, runColdSection } from './cold-section.js';
import { runContainmentSection } from './containment-section.js';
import { runDurabilitySection } from './durability-section.js';
import { runFanOutSection } from './fan-out-section.js';
import { environment, formatNumber } from './measure.js';
import { runMergeSection } from './merge-section.js';
import { runPersistenceSection } from './persistence-section.js';
import { log } from './report.js';
import { runScaleOutSection } from './scale-out-section.js';

const { values: args } = parseArgs({
  options: {
    steps: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '3' },
    // seconds the troupe side may take: at least one run, more while they fit
    budget: { type: 'string', default: '60' },
    // checkpoints: every how many of the plan's steps one writes a file (and takes a checkpoint)
    'write-every': { type: 'string', default: '10' },
    // CLI cold start: timed runs of each side
    'cli-runs': { type: 'string', default: '20' },
    // writing steps: how many each way (scripted plan, agent-driven plan, the git floor)
    'writing-steps': { type: 'string', default: '1000' },
    // contained commands: timed runs of each side
    'sandbox-runs': { type: 'string', default: '60' },
    // network by name: timed pairs per figure
    'network-runs': { type: 'string', default: '40' },
    // the cold, end-to-end figures: rounds of fresh processes, each side once per round
    'cold-runs': { type: 'string', default: '3' },
    // resume: plans in the store
    plans: { type: 'string', default: '10000' },
  },
});
const STEPS = wholeNumber('steps', args.steps);
const RUNS = wholeNumber('runs', args.runs);
const BUDGET_MS = wholeNumber('budget', args.budget) * 1000;
const WRITE_EVERY = wholeNumber('write-every', args['write-every']);
const CLI_RUNS = wholeNumber('cli-runs', args['cli-runs']);
const WRITING_STEPS = wholeNumber('writing-steps', args['writing-steps']);
const SANDBOX_RUNS = wholeNumber('sandbox-runs', args['sandbox-runs']);
const COLD_RUNS = wholeNumber('cold-runs', args['cold-runs']);
const PLANS = wholeNumber('plans', args.plans);
const NETWORK_RUNS = wholeNumber('network-runs', args['network-runs']);
// bytes along a plan and checkpoints along a long one: at most this growth is flat
const FLAT_GROWTH = 1.1;

function wholeNumber(name: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number ≥ 1, got ${text}`);
  return value;
}

async function main(): Promise<void> {
  const started = performance.now();
  log(
    `troupe persistence benchmark: a plan of ${STEPS.toLocaleString('en-US')} read-only steps (fs/read-file), persisted per transition`,
  );
  for (const [key, value] of Object.entries(environment())) log(`  ${key.padEnd(6)} ${value}`);
  log();
  await runPersistenceSection({ steps: STEPS, runs: RUNS, budgetMs: BUDGET_MS, flatGrowth: FLAT_GROWTH });
  await runColdSection({ steps: STEPS, writingSteps: WRITING_STEPS, rounds: COLD_RUNS });
  await runMergeSection();
  await runFanOutSection({ runs: RUNS });
  await runCheckpointsSection({ plans: PLANS, writeEvery: WRITE_EVERY, flatGrowth: FLAT_GROWTH });
  await runScaleOutSection();
  await runContainmentSection({ sandboxRuns: SANDBOX_RUNS, networkRuns: NETWORK_RUNS });
  await runDurabilitySection({ runs: 9 });
  await runAgentSection({ writingSteps: WRITING_STEPS });
  await runCliStartSection({ runs: CLI_RUNS });
  log();
  log(
    `done in ${formatNumber((performance.now() - started) / 1000)} s. A benchmark informs: the exit code does not depend on the targets.`,
  );
}

await main();
