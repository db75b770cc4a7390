import { existsSync, lstatSync } from 'node:fs';
import { realpath, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { ContainmentPolicy } from '../../src/sandbox/bubblewrap-policy.js';
import { git, tempDir, tempRepo, writeFiles } from '../helpers/temp.js';

// A real repository, worktree and home to read bubblewrap's arguments off, and readers
// of those arguments; what a test made is removed after it by the hook this module registers.

export const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export async function made<T extends { cleanup: () => Promise<void> }>(promise: Promise<T>): Promise<T> {
  const result = await promise;
  cleanups.push(result.cleanup);
  return result;
}

// every operand list that follows `flag`, `arity` operands each
export function operands(args: readonly string[], flag: string, arity: number): string[][] {
  const found: string[][] = [];
  args.forEach((arg, at) => {
    if (arg === flag) found.push(args.slice(at + 1, at + 1 + arity));
  });
  return found;
}
export const tmpfs = (args: readonly string[]) => operands(args, '--tmpfs', 1).map(([path]) => path);
export const remounted = (args: readonly string[]) => operands(args, '--remount-ro', 1).map(([path]) => path);
export const roBinds = (args: readonly string[]) => operands(args, '--ro-bind', 2);
export const at = (args: readonly string[], ...slice: string[]) =>
  args.findIndex((_, index) => slice.every((part, offset) => args[index + offset] === part));

export const runIsDirectory = (path: string) => existsSync(path) && lstatSync(path).isDirectory();

/** A project with a worktree of its own under .troupe/, a home with secrets, another project and an empty file. */
export async function scene() {
  const project = await realpath((await made(tempRepo({ 'README.md': '# p\n' }))).dir);
  const worktree = join(project, '.troupe', 'worktrees', 'p1');
  git(project, 'worktree', 'add', '-q', '-b', 'p1', worktree);
  // untracked: what sandbox.share is for
  await writeFiles(project, { 'node_modules/x/index.js': 'x\n', 'cache/deep/data': 'd\n' });
  const home = await realpath((await made(tempDir('troupe-home-'))).dir);
  const elsewhere = await realpath((await made(tempDir('troupe-elsewhere-'))).dir);
  await writeFiles(home, { '.ssh/id_rsa': 'key\n', '.npmrc': 'token\n', 'notes.txt': 'kept\n' });
  await writeFiles(elsewhere, { 'aws/credentials': 'aws\n', 'hidden.txt': 'h\n' });
  await symlink(join(elsewhere, 'aws'), join(home, '.aws'));
  const other = await realpath((await made(tempDir('troupe-other-'))).dir);
  const empty = join(elsewhere, 'empty');
  await writeFile(empty, '');
  const policy: ContainmentPolicy = {
    projectRoot: project,
    home,
    hide: [join(elsewhere, 'hidden.txt'), join(elsewhere, 'missing')],
    share: [],
  };
  return { project, worktree, home, elsewhere, other, empty, policy };
}
