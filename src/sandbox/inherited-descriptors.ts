import { openSync, readdirSync, readFileSync } from 'node:fs';

// O_CLOEXEC in /proc/self/fdinfo's octal `flags:`
const O_CLOEXEC = 0o2000000;

/**
 * The descriptors above `above` this process holds without close-on-exec:
 * every program it starts inherits them. LevelDB opens the store's files
 * so (its lock, its log, its journal and manifest, open for writing), and a
 * pipe troupe itself inherited is one too; libuv opens everything of its
 * own with close-on-exec. Empty where `/proc` cannot be read.
 *
 * @example
 * spawn('git', args, { stdio: shadowing(['ignore', 'pipe', 'pipe'], leakedDescriptors()) });
 */
export function leakedDescriptors(above = 2): number[] {
  let names: string[];
  try {
    names = readdirSync('/proc/self/fd');
  } catch {
    return [];
  }
  const leaked: number[] = [];
  for (const name of names) {
    const fd = Number(name);
    if (!Number.isInteger(fd) || fd <= above) continue;
    try {
      const flags = /^flags:\s*([0-7]+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1];
      if (flags !== undefined && (parseInt(flags, 8) & O_CLOEXEC) === 0) leaked.push(fd);
    } catch {
      // closed while we looked (readdir's own descriptor, say): nothing to hide
    }
  }
  return leaked.sort((a, b) => a - b);
}

/** One of a child's descriptors, as `spawn`'s `stdio` gives it: a new pipe, nothing, Node's channel, or one of this process's. */
export type ChildStdio = 'pipe' | 'ignore' | 'ipc' | number;

let devNull: number | undefined;

/**
 * `stdio` for `child_process.spawn` with `/dev/null` standing over each of
 * `fds` (those `stdio` does not already give the child): the child's
 * descriptor of that number is `/dev/null`, not what this process holds
 * there. Node cannot set close-on-exec on a descriptor it did not open;
 * this is the way to keep one from a child.
 */
export function shadowing(stdio: readonly ChildStdio[], fds: readonly number[]): ChildStdio[] {
  const shadowed: ChildStdio[] = [...stdio];
  const over = fds.filter((fd) => fd >= stdio.length);
  if (over.length === 0) return shadowed;
  // opened with close-on-exec by libuv, and kept: it only ever stands in for others
  devNull ??= openSync('/dev/null', 'r+');
  for (const fd of over) {
    while (shadowed.length < fd) shadowed.push('ignore');
    shadowed[fd] = devNull;
  }
  return shadowed;
}
