// Times the matcher on every pair of glob-pairs.ts and prints
// [{glob, ms}] as JSON: run as a process of its own, so that the test
// suite's coverage instrumentation (which slows the matcher's loop several
// times) is not what gets measured.
import { compileGlobNfa } from '../../src/domain/glob-compile.js';
import { costPairs } from './glob-pairs.js';

function cpuMs(glob: string, path: string): number {
  let best = Infinity;
  // CPU time, the least of five runs: not the time spent waiting for a core other processes held, nor a GC pause
  for (let run = 0; run < 5; run++) {
    const start = process.cpuUsage();
    const { nfa, problem } = compileGlobNfa(glob);
    if (nfa === null) throw new Error(`${glob}: ${problem}`);
    nfa.match(path);
    const spent = process.cpuUsage(start);
    best = Math.min(best, (spent.user + spent.system) / 1000);
  }
  return best;
}

// measured once every path of the matcher is compiled by the JIT, as in a long-running runtime
const pairs = costPairs();
for (let round = 0; round < 3; round++) for (const [glob, path] of pairs) cpuMs(glob, path);
process.stdout.write(JSON.stringify(pairs.map(([glob, path]) => ({ glob: glob.slice(0, 60), ms: cpuMs(glob, path) }))));
