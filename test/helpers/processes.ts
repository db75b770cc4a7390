import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/** Whether a process is running (a zombie waiting to be reaped counts as gone). */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  // no /proc: the signal's answer is all there is; with it, a process reaped since the signal is gone
  if (stat === null) return !existsSync('/proc/self/stat');
  // the state is the field after the parenthesised command name
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

/**
 * The host pids of processes whose command line contains `marker`. A
 * contained command runs in a PID namespace of its own, so the `$$` it
 * prints means nothing outside: tests find its processes by a marker in
 * their arguments (`sleep 30.4711`) instead.
 */
export async function processesWith(marker: string): Promise<number[]> {
  const { readdir } = await import('node:fs/promises');
  const found: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(marker) && (await isAlive(Number(name)))) found.push(Number(name));
  }
  return found;
}

/** The host pids of processes whose whole argument list, joined by spaces, is `argv` (`sleep 30.4711`). */
export async function processesRunning(argv: string): Promise<number[]> {
  const { readdir } = await import('node:fs/promises');
  const found: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const cmdline = (await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => ''))
      .split('\u0000')
      .filter(Boolean)
      .join(' ');
    if (cmdline === argv && (await isAlive(Number(name)))) found.push(Number(name));
  }
  return found;
}
