// Where this process may make control groups for its commands, found once
// and cleaned up at exit; the groups of one command are command-cgroup.ts.
import { existsSync, readdirSync, rmdirSync } from 'node:fs';
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

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
