// The control groups of one command (docs/explanation/sandbox.md#how-they-are-enforced): made
// under the directories detectCgroups found, with the command's limits,
// and read, killed and removed from the files the kernel answers in place.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ResourceLimits } from '../domain/index.js';
import type { CgroupSupport } from './cgroups.js';

let counter = 0;

/**
 * The control groups of one command: made with its limits before it runs,
 * the sandbox's first process put in them before it says `go`, read for
 * whether a limit was hit, and emptied and removed after it ends.
 *
 * @example
 * const group = await CommandCgroup.create(support, limits);
 * await group.attach(childPid);
 * if ((await group.hit()) === 'memory') await group.kill();
 * await group.remove();
 */
export class CommandCgroup {
  readonly #version: 'v1' | 'v2';
  readonly #memory: string | null;
  readonly #pids: string | null;

  private constructor(version: 'v1' | 'v2', memory: string | null, pids: string | null) {
    this.#version = version;
    this.#memory = memory;
    this.#pids = pids;
  }

  /** Make the command's groups with its limits; rejects (and leaves nothing) when a group cannot be made. */
  static async create(support: CgroupSupport, limits: ResourceLimits): Promise<CommandCgroup> {
    if (support.version === null) throw new Error(`no cgroups: ${support.why ?? 'none found'}`);
    const name = `command-${++counter}`;
    const memory = support.memory === null ? null : join(support.memory, name);
    const pids = support.pids === null ? null : support.version === 'v2' ? memory : join(support.pids, name);
    const group = new CommandCgroup(support.version, memory, pids);
    try {
      for (const dir of group.#dirs()) await mkdir(dir);
      const bytes = String(limits.memoryMB * 1024 * 1024);
      if (memory !== null && support.version === 'v2') {
        await writeFile(join(memory, 'memory.max'), bytes);
        // swap would let it go past the limit without ever being stopped
        await writeFile(join(memory, 'memory.swap.max'), '0').catch(() => {});
      } else if (memory !== null) {
        await writeFile(join(memory, 'memory.limit_in_bytes'), bytes);
        await writeFile(join(memory, 'memory.memsw.limit_in_bytes'), bytes).catch(() => {});
      }
      if (pids !== null) await writeFile(join(pids, 'pids.max'), String(limits.processes));
    } catch (error) {
      await group.remove();
      throw error;
    }
    return group;
  }

  /** Which limits these groups enforce. */
  get enforces(): { memory: boolean; processes: boolean } {
    return { memory: this.#memory !== null, processes: this.#pids !== null };
  }

  /**
   * Put `pid` in the groups, then the processes it started already (its
   * children, recursively): what any of them starts from then on is born
   * in the groups. Each process goes in before its children are listed —
   * a child forked in between is listed, one forked after is born inside.
   * Rejects when the kernel refuses.
   */
  async attach(pid: number): Promise<void> {
    const queue = [pid];
    while (queue.length > 0) {
      const member = queue.shift()!;
      for (const dir of this.#dirs()) await writeFile(join(dir, 'cgroup.procs'), String(member));
      queue.push(...childrenOf(member));
    }
  }

  /**
   * The limit the command hit so far, or null: the kernel's count of OOM
   * kills and of refused forks. Read while the command runs, ten times a
   * second: the files are the kernel's, answered from memory, so they are
   * read in place — 13 µs each, against 280 µs of CPU for `fs.promises.readFile`,
   * whose four trips to libuv's threads cost more than the read (docs/explanation/performance.md).
   */
  async hit(): Promise<'memory' | 'processes' | null> {
    if (this.#memory !== null) {
      const file = this.#version === 'v2' ? 'memory.events' : 'memory.oom_control';
      if (counterOf(readText(join(this.#memory, file)), 'oom_kill') > 0) return 'memory';
    }
    if (this.#pids !== null && counterOf(readText(join(this.#pids, 'pids.events')), 'max') > 0) return 'processes';
    return null;
  }

  /** SIGKILL everything in the groups until they are empty (or two seconds passed). */
  async kill(): Promise<void> {
    for (const pause = backoff(); ;) {
      let left = 0;
      for (const dir of this.#dirs()) {
        if (
          this.#version === 'v2' &&
          (await writeFile(join(dir, 'cgroup.kill'), '1').then(
            () => true,
            () => false,
          ))
        )
          left += this.#members(dir).length;
        else {
          const members = this.#members(dir);
          for (const pid of members) signal(Number(pid));
          left += members.length;
        }
      }
      if (left === 0 || !(await pause())) return;
    }
  }

  /** Kill what is left and remove the groups; never rejects. */
  async remove(): Promise<void> {
    await this.kill();
    for (const dir of this.#dirs()) {
      // a process that just ended leaves its group a moment later
      for (const pause = backoff(); ;) {
        const code = await rmdir(dir).then(
          () => null,
          (error: NodeJS.ErrnoException) => error.code,
        );
        if (code !== 'EBUSY' || !(await pause())) break;
      }
    }
  }

  #dirs(): string[] {
    return [...new Set([this.#memory, this.#pids].filter((dir) => dir !== null))];
  }

  // read in place, as hit() reads
  #members(dir: string): string[] {
    return readText(join(dir, 'cgroup.procs'))
      .split('\n')
      .filter((line) => line !== '');
  }
}

// waits of 1, 2, 4 … 32 ms, then 32 ms, for two seconds in all: a command's
// processes are usually gone within a millisecond or two of its end; false once the time is up
function backoff(): () => Promise<boolean> {
  let waited = 0;
  let next = 1;
  return async () => {
    if (waited >= 2000) return false;
    await sleep(next);
    waited += next;
    next = Math.min(next * 2, 32);
    return true;
  };
}

// `key N` in a flat-keyed cgroup file
function counterOf(text: string, key: string): number {
  const match = new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}

// the processes `pid` started: /proc/<pid>/task/*/children, or the parent pids of /proc/*/stat
function childrenOf(pid: number): number[] {
  if (!existsSync(`/proc/${pid}/task/${pid}/children`)) return byParentPid(pid);
  const children: number[] = [];
  for (const task of readText(`/proc/${pid}/task`, true)) {
    children.push(
      ...readText(`/proc/${pid}/task/${task}/children`)
        .split(' ')
        .filter((word) => /^\d+$/.test(word))
        .map(Number),
    );
  }
  return children;
}

function byParentPid(pid: number): number[] {
  const children: number[] = [];
  for (const name of readText('/proc', true).filter((entry) => /^\d+$/.test(entry))) {
    const stat = readText(`/proc/${name}/stat`);
    // the fields after the command name (in parentheses, which may hold spaces): state, ppid
    if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(name));
  }
  return children;
}

function readText(path: string): string;
function readText(path: string, list: true): string[];
function readText(path: string, list?: true): string | string[] {
  try {
    return list ? readdirSync(path) : readFileSync(path, 'utf8');
  } catch {
    return list ? [] : '';
  }
}

function signal(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}
