import { existsSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ResourceLimits } from '../domain/index.js';

/**
 * Where this process may make control groups for its commands: one
 * directory per controller (`troupe-<pid>` under the process's own cgroup),
 * or none. With cgroup v2 both controllers share one directory.
 */
export interface CgroupSupport {
  version: 'v2' | 'v1' | null;
  /** The directory command groups of the memory controller go in, or null. */
  memory: string | null;
  /** The directory command groups of the pids controller go in, or null. */
  pids: string | null;
  /** Why cgroups are not used, when a controller is missing. */
  why: string | null;
}

/** One line of `/proc/self/cgroup`: the hierarchy's controllers (empty for v2) and this process's path in it. */
export interface ProcCgroup {
  /** 0: the cgroup v2 hierarchy. */
  hierarchy: number;
  controllers: string[];
  path: string;
}

/** A cgroup file system in `/proc/self/mountinfo`: where it is mounted, which part of the tree it shows, its controllers. */
export interface CgroupMount {
  version: 'v1' | 'v2';
  root: string;
  mountPoint: string;
  controllers: string[];
}

/**
 * Read `/proc/self/cgroup`.
 *
 * @example
 * parseProcCgroup('4:memory:/user.slice\n0::/user.slice/troupe.service\n');
 * // [{ hierarchy: 4, controllers: ['memory'], path: '/user.slice' }, { hierarchy: 0, controllers: [], path: '/user.slice/troupe.service' }]
 */
export function parseProcCgroup(text: string): ProcCgroup[] {
  return text
    .split('\n')
    .map((line) => /^(\d+):([^:]*):(.*)$/.exec(line))
    .filter((match) => match !== null)
    .map((match) => ({
      hierarchy: Number(match[1]),
      controllers: match[2]!.split(',').filter((name) => name !== '' && !name.startsWith('name=')),
      path: match[3]!,
    }));
}

/**
 * The cgroup mounts of `/proc/self/mountinfo` (fields: id, parent, device, root, mount point, …, `-`, type, source, options).
 *
 * @example
 * parseCgroupMounts('35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n');
 * // [{ version: 'v1', root: '/', mountPoint: '/sys/fs/cgroup/memory', controllers: ['memory'] }]
 */
export function parseCgroupMounts(text: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of text.split('\n')) {
    const [before, after] = line.split(' - ');
    if (before === undefined || after === undefined) continue;
    const fields = before.split(' ');
    const [type, , options = ''] = after.split(' ');
    if (type !== 'cgroup' && type !== 'cgroup2') continue;
    const unescape = (field: string) =>
      field.replace(/\\(\d{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
    mounts.push({
      version: type === 'cgroup2' ? 'v2' : 'v1',
      root: unescape(fields[3] ?? '/'),
      mountPoint: unescape(fields[4] ?? ''),
      controllers:
        type === 'cgroup2' ? [] : options.split(',').filter((option) => option === 'memory' || option === 'pids'),
    });
  }
  return mounts;
}

/**
 * Where `path` (a process's cgroup) is on disk under `mount`, or null when
 * the mount does not show it (a cgroup namespace or a bind of a subtree).
 *
 * @example
 * cgroupDir({ version: 'v1', root: '/', mountPoint: '/sys/fs/cgroup/memory', controllers: ['memory'] }, '/a'); // '/sys/fs/cgroup/memory/a'
 */
export function cgroupDir(mount: CgroupMount, path: string): string | null {
  const root = mount.root === '/' ? '' : mount.root;
  if (path !== root && !path.startsWith(`${root}/`)) return null;
  return join(mount.mountPoint, path.slice(root.length));
}

/** Where to read the process's cgroups from (tests give other files). */
export interface CgroupSources {
  procCgroup?: string;
  mountinfo?: string;
  /** The name of this process's own directory (default `troupe-<pid>`). */
  name?: string;
}

/**
 * Find out where this process can limit its commands: cgroup v2 when its
 * own cgroup (or the directory made under it) offers memory and pids to
 * child groups, else cgroup v1 for each of memory and pids whose hierarchy
 * lets it make a directory under its own cgroup, else none. The directories
 * are made here, and removed when the process exits; those a dead troupe
 * process left are removed.
 *
 * @example
 * const support = await detectCgroups();
 * if (support.version === null) console.log(`no cgroups: ${support.why}`);
 */
export async function detectCgroups(sources: CgroupSources = {}): Promise<CgroupSupport> {
  const read = (path: string) => readFile(path, 'utf8').catch(() => '');
  const [own, mounts] = await Promise.all([
    read(sources.procCgroup ?? '/proc/self/cgroup').then(parseProcCgroup),
    read(sources.mountinfo ?? '/proc/self/mountinfo').then(parseCgroupMounts),
  ]);
  const name = sources.name ?? `troupe-${process.pid}`;
  const v2 = await v2Support(own, mounts, name);
  if (v2.version === 'v2') return v2;
  const dirs: Record<'memory' | 'pids', string | null> = { memory: null, pids: null };
  const problems: string[] = [];
  for (const controller of ['memory', 'pids'] as const) {
    const line = own.find((entry) => entry.controllers.includes(controller));
    const mount = mounts.find((candidate) => candidate.version === 'v1' && candidate.controllers.includes(controller));
    const dir = line && mount ? cgroupDir(mount, line.path) : null;
    if (dir === null) {
      problems.push(`no cgroup v1 ${controller} controller is mounted for this process`);
      continue;
    }
    const made = await ownDir(dir, name, controller === 'memory' ? 'memory.limit_in_bytes' : 'pids.max');
    if ('dir' in made) dirs[controller] = made.dir;
    else problems.push(`${dir}: ${made.why}`);
  }
  const version = dirs.memory !== null || dirs.pids !== null ? 'v1' : null;
  return { version, ...dirs, why: problems.length > 0 ? [v2.why, ...problems].filter(Boolean).join('; ') : null };
}

// cgroup v2: this process's group must offer both controllers, and the
// group made under it must pass them on (it holds no process itself, so
// enabling them there is allowed; enabling them in a group that holds
// processes is not, which is why troupe does not move itself)
async function v2Support(own: ProcCgroup[], mounts: CgroupMount[], name: string): Promise<CgroupSupport> {
  const none = (why: string): CgroupSupport => ({ version: null, memory: null, pids: null, why });
  const line = own.find((entry) => entry.hierarchy === 0);
  const mount = mounts.find((candidate) => candidate.version === 'v2');
  const dir = line && mount ? cgroupDir(mount, line.path) : null;
  if (dir === null) return none('no cgroup v2 hierarchy for this process');
  const offered = await readFile(join(dir, 'cgroup.controllers'), 'utf8').catch(() => '');
  if (!hasBoth(offered)) return none(`cgroup v2 at ${dir} offers no memory and pids controllers`);
  const made = await ownDir(dir, name, 'cgroup.controllers');
  if ('why' in made) return none(`${dir}: ${made.why}`);
  const enabled = hasBoth(await readFile(join(made.dir, 'cgroup.controllers'), 'utf8').catch(() => ''));
  const passed =
    enabled &&
    (await writeFile(join(made.dir, 'cgroup.subtree_control'), '+memory +pids').then(
      () => true,
      () => false,
    ));
  if (passed) return { version: 'v2', memory: made.dir, pids: made.dir, why: null };
  await rmdir(made.dir).catch(() => {});
  return none(`cgroup v2 at ${dir} does not pass memory and pids to groups under it (its cgroup.subtree_control)`);
}

const hasBoth = (list: string) => list.split(/\s+/).includes('memory') && list.split(/\s+/).includes('pids');

// make `<dir>/<name>` (and check it is a cgroup: `probe` exists in it), or
// say why not. Directories of troupe processes that are gone go first.
async function ownDir(dir: string, name: string, probe: string): Promise<{ dir: string } | { why: string }> {
  removeStale(dir);
  const made = join(dir, name);
  try {
    await mkdir(made);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // made by an earlier look in this process (or left by a process of the same pid, which was ours)
    if (code !== 'EEXIST') return { why: `cannot make a cgroup (${code ?? String(error)})` };
  }
  if (!existsSync(join(made, probe))) {
    await rmdir(made).catch(() => {});
    return { why: 'not a cgroup' };
  }
  removeAtExit(made);
  return { dir: made };
}

const removing = new Set<string>();

function removeAtExit(dir: string): void {
  if (removing.size === 0) process.once('exit', () => removing.forEach(removeTree));
  removing.add(dir);
}

// a dead troupe process's directory: its command groups are empty once their sandboxes died with it
function removeStale(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = /^troupe-(\d+)$/.exec(name)?.[1];
    if (pid !== undefined && Number(pid) !== process.pid && !alive(Number(pid))) removeTree(join(dir, name));
  }
}

function removeTree(dir: string): void {
  try {
    for (const entry of readdirSync(dir, { withFileTypes: true }))
      if (entry.isDirectory()) removeTree(join(dir, entry.name));
    rmdirSync(dir);
  } catch {
    // busy or gone: nothing more to do here
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

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
   * whose four trips to libuv's threads cost more than the read (docs/performance.md).
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
