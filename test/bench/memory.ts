// Peak memory of a scenario, measured in a Node process of its own
// (test/bench/memory-child.ts) so that nothing else the bench did counts.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./memory-child.ts', import.meta.url));
// tsx resolves from the project, whatever directory the bench runs in
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What a memory child printed: its peak RSS in MiB, and the scenario's own figures. */
export interface MemoryFigures {
  scenario: string;
  peakRssMb: number;
  restored?: number;
  ms?: number;
}

/**
 * Run one scenario of test/bench/memory-child.ts in a fresh Node (with tsx,
 * as the bench itself runs) and return what it printed.
 *
 * @example
 * const idle = peakMemory('idle');
 * const fan = peakMemory('fanout', '64', '8');
 * console.log(fan.peakRssMb - idle.peakRssMb);
 */
export function peakMemory(scenario: 'idle' | 'restore' | 'fanout', ...args: string[]): MemoryFigures {
  const result = spawnSync(process.execPath, ['--import', 'tsx', CHILD, scenario, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 16 << 20,
  });
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  if (result.status !== 0 || !line.startsWith('{'))
    throw new Error(`memory scenario ${scenario} failed (exit ${result.status}): ${result.stderr.trim().slice(-500)}`);
  return JSON.parse(line) as MemoryFigures;
}
