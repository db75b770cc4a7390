// One process per memory figure (issue 20, item 6): peak RSS is a process's
// whole life, so each scenario runs in a fresh Node of its own and prints
// `process.resourceUsage().maxRSS` when done, as one JSON line.
//   idle              the runtime's modules loaded, nothing else (the baseline)
//   restore <dir>     a runtime opening the LevelDB store of <dir> (continuing the plans that were running)
//   fanout <n> <m>    one plan fanning out to n children, at most m at once
import { createRuntime } from '../../src/runtime/index.js';
import { troupeFanOut } from './subplans.bench.js';

const [scenario, ...args] = process.argv.slice(2);
const figures: Record<string, number> = {};
if (scenario === 'restore') {
  const runtime = await createRuntime({ dir: args[0]!, store: 'level', report: () => {} });
  figures.restored = runtime.livePlanIds().length;
  await runtime.close();
} else if (scenario === 'fanout') {
  figures.ms = await troupeFanOut(Number(args[0] ?? 64), Number(args[1] ?? 8));
} else if (scenario !== 'idle') {
  throw new Error(`unknown scenario "${scenario}": idle, restore <dir> or fanout <children> <maxParallel>`);
}
// maxRSS is in KiB
console.log(JSON.stringify({ scenario, ...figures, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
