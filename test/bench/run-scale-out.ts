// The scale-out figures alone (what `npm run bench` prints in its scale-out
// section), for working on them without the rest of the bench:
//
//   npx tsx test/bench/run-scale-out.ts                 3 runs each way
//   npx tsx test/bench/run-scale-out.ts --repeats 1 --ways 0,4
import { parseArgs } from 'node:util';
import { runScaleOutBench, scaleOutUnavailable, SCALE_OUT_SHAPE } from './scale-out.bench.js';
import { scaleOutReport } from './scale-out-report.js';

const { values: args } = parseArgs({
  options: { repeats: { type: 'string', default: '3' }, ways: { type: 'string', default: '0,1,4' } },
});
const repeats = Number(args.repeats);
const ways = args.ways.split(',').map(Number);
if (!Number.isInteger(repeats) || repeats < 1 || ways.some((way) => !Number.isInteger(way) || way < 0))
  throw new Error('--repeats is a whole number ≥ 1, --ways whole numbers of worker processes (0: one process)');
const unavailable = scaleOutUnavailable();
if (unavailable !== null) {
  process.stdout.write(`scale-out: not measured: ${unavailable}\n`);
} else {
  const runs = await runScaleOutBench(SCALE_OUT_SHAPE, repeats, ways);
  process.stdout.write(`${scaleOutReport(SCALE_OUT_SHAPE, runs).join('\n')}\n`);
}
