// CPU time of whole process trees, from /proc: what a run cost the machine
// whatever else ran on it — unlike its wall time, which on a busy machine
// follows the load. Linux only; elsewhere it reads as unknown.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** A process as /proc tells it. */
export interface ProcessCpu {
  pid: number;
  ppid: number;
  /** utime + stime + cutime + cstime, in clock ticks: itself and its children that ended (and were waited for). */
  ticks: number;
  /** utime + stime: itself alone. */
  selfTicks: number;
  cmdline: string;
}

let ticksPerSecond: number | null = null;

function clockTicks(): number {
  if (ticksPerSecond === null) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** Every process: its parent, CPU ticks and command line (exported for diagnosis). */
export function processes(): ProcessCpu[] {
  const found: ProcessCpu[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // the command name is in parentheses and may hold spaces: the fields follow the last ")"
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const [utime, stime, cutime, cstime] = [fields[11], fields[12], fields[13], fields[14]].map(Number);
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ');
      found.push({
        pid: Number(name),
        ppid: Number(fields[1]),
        ticks: utime! + stime! + cutime! + cstime!,
        selfTicks: utime! + stime!,
        cmdline,
      });
    } catch {
      // it ended while we looked
    }
  }
  return found;
}

/**
 * The CPU time (ms) used so far by the process trees whose roots `isRoot`
 * picks — each process, its descendants alive now, and the ended ones they
 * waited for. Sampled before and after a run, the difference is what the
 * run cost; null where there is no /proc.
 *
 * @example
 * const before = treeCpuMs((p) => p.pid === process.pid);
 */
export function treeCpuMs(isRoot: (process: { pid: number; cmdline: string }) => boolean): number | null {
  let all: ProcessCpu[];
  try {
    all = processes();
  } catch {
    return null;
  }
  const children = new Map<number, ProcessCpu[]>();
  for (const each of all) children.set(each.ppid, [...(children.get(each.ppid) ?? []), each]);
  const counted = new Set<number>();
  let ticks = 0;
  const visit = (each: ProcessCpu) => {
    if (counted.has(each.pid)) return;
    counted.add(each.pid);
    ticks += each.ticks;
    for (const child of children.get(each.pid) ?? []) visit(child);
  };
  for (const each of all) if (isRoot(each)) visit(each);
  return (ticks * 1000) / clockTicks();
}

/** What {@link cpuParts} asks of each process: which part of a run it is (null: not the run's). */
export type CpuPartOf = (
  process: ProcessCpu,
  ancestors: readonly ProcessCpu[],
) => { self: string; children: string } | null;

/**
 * Where the CPU between two {@link processes} samples went (ms by part):
 * each process's own time goes to its `self` part, the time of the ended
 * children it waited for (git, a command) to its `children` part. A process
 * started in between counts whole. Sums to about what {@link treeCpuMs}
 * says of the same processes (a child alive at the first sample and ended
 * since counts whole in its parent's waited time).
 *
 * @example
 * const before = processes();
 * // … the run …
 * const parts = cpuParts(before, processes(), (each) => (each.pid === process.pid ? { self: 'me', children: 'my children' } : null));
 */
export function cpuParts(
  before: readonly ProcessCpu[],
  after: readonly ProcessCpu[],
  partOf: CpuPartOf,
): Map<string, number> {
  const earlier = new Map(before.map((each) => [each.pid, each]));
  const byPid = new Map(after.map((each) => [each.pid, each]));
  const parts = new Map<string, number>();
  const add = (part: string, ticks: number) => parts.set(part, (parts.get(part) ?? 0) + (ticks * 1000) / clockTicks());
  for (const each of after) {
    const ancestors: ProcessCpu[] = [];
    for (let up = byPid.get(each.ppid); up && ancestors.length < 64; up = byPid.get(up.ppid)) ancestors.push(up);
    const part = partOf(each, ancestors);
    if (!part) continue;
    // a pid reused since the first sample is a new process
    const was = earlier.get(each.pid);
    const old = was && was.cmdline === each.cmdline && was.ticks <= each.ticks ? was : { selfTicks: 0, ticks: 0 };
    add(part.self, each.selfTicks - old.selfTicks);
    add(part.children, each.ticks - each.selfTicks - (old.ticks - old.selfTicks));
  }
  return parts;
}
