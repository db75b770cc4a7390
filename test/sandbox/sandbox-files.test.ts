import { lstat, readdir, readFile, realpath, rename, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPathGuard } from '../../src/sandbox/index.js';
import type { PathGuard, SandboxDirectory } from '../../src/domain/index.js';
import { tempDir, writeFiles } from '../helpers/temp.js';

// The PathGuard's I/O methods: checked and done as one step, never through a symlink the check did not see.

let root: string;
let outside: string;
let cleanup: () => Promise<void>;
let paths: PathGuard;

beforeEach(async () => {
  const temp = await tempDir('troupe-files-');
  cleanup = temp.cleanup;
  const base = await realpath(temp.dir);
  root = join(base, 'sandbox');
  outside = join(base, 'outside');
  await writeFiles(root, { 'src/a.ts': 'a\n', 'src/lib/b.ts': 'b\n', '.git/config': '[core]\n' });
  await writeFiles(outside, { 'secret.txt': 'secret\n' });
  await symlink(outside, join(root, 'escape'));
  paths = await createPathGuard({ root });
});
afterEach(async () => {
  await cleanup();
});

async function refusal(
  promise: Promise<unknown>,
): Promise<{ code?: string; message: string; details?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected a refusal');
}

describe('readFile', () => {
  it('reads a file and refuses one larger than maxBytes', async () => {
    expect((await paths.readFile('./src//a.ts')).toString()).toBe('a\n');
    expect(await refusal(paths.readFile('src/a.ts', { maxBytes: 1 }))).toMatchObject({
      code: 'TOOL_FAILED',
      details: { path: 'src/a.ts', bytes: 2, limit: 1 },
    });
  });

  it('reads small files in the thread and large ones in the pool, byte for byte either way', async () => {
    // 256 KiB is where reads leave the thread: one side of it each, and a size no read size divides
    for (const size of [256 * 1024, 256 * 1024 + 1, 3 * 1024 * 1024 + 7]) {
      const content = Buffer.alloc(size, 0);
      for (let i = 0; i < size; i += 4093) content[i] = i % 251;
      await paths.writeFile(`src/big-${size}.bin`, content);
      expect((await paths.readFile(`src/big-${size}.bin`)).equals(content)).toBe(true);
      expect(await refusal(paths.readFile(`src/big-${size}.bin`, { maxBytes: size - 1 }))).toMatchObject({
        code: 'TOOL_FAILED',
        details: { bytes: size },
      });
    }
  });

  it('answers node:fs codes that name the sandbox path, not a descriptor', async () => {
    expect(await refusal(paths.readFile('src/missing.ts'))).toMatchObject({
      code: 'ENOENT',
      message: "ENOENT: no such file or directory, open 'src/missing.ts'",
    });
    expect(await refusal(paths.readFile('src'))).toMatchObject({ code: 'EISDIR' });
    expect(await refusal(paths.readFile('src/a.ts/x'))).toMatchObject({ code: 'ENOTDIR' });
  });

  it('refuses symlinks out of the sandbox and .git', async () => {
    expect(await refusal(paths.readFile('escape/secret.txt'))).toMatchObject({ code: 'SANDBOX_ESCAPE' });
    expect(await refusal(paths.readFile('.git/config'))).toMatchObject({ code: 'SANDBOX_ESCAPE' });
  });

  // a path read as given stops at the first symlink and is resolved instead: each kind of link, wherever it stands
  it('reads through symlinks that stay inside, and refuses every other link wherever it stands on the path', async () => {
    await symlink('src', join(root, 'source'));
    await symlink('a.ts', join(root, 'src', 'alias.ts'));
    await symlink('../lib/b.ts', join(root, 'src', 'lib', 'up.ts'));
    await symlink(join(outside, 'secret.txt'), join(root, 'src', 'secret.ts'));
    await symlink('.git', join(root, 'innocent'));
    await symlink('loop-b', join(root, 'loop-a'));
    await symlink('loop-a', join(root, 'loop-b'));
    expect((await paths.readFile('source/a.ts')).toString()).toBe('a\n');
    expect((await paths.readFile('source/alias.ts')).toString()).toBe('a\n');
    expect((await paths.readFile('src/lib/up.ts')).toString()).toBe('b\n');
    expect((await paths.readFile('source/lib/b.ts')).toString()).toBe('b\n');
    for (const path of ['src/secret.ts', 'source/secret.ts', 'innocent/config', 'loop-a', 'escape/secret.txt']) {
      expect(await refusal(paths.readFile(path)), path).toMatchObject({ code: 'SANDBOX_ESCAPE', details: { path } });
    }
    // a missing file says so whether or not a link stands before it
    expect(await refusal(paths.readFile('source/missing.ts'))).toMatchObject({ code: 'ENOENT' });
  });
});

describe('writeFile', () => {
  it('creates the file and its directories, and says whether it was new', async () => {
    expect(await paths.writeFile('src/new/deep.ts', 'x')).toEqual({ created: true });
    expect(await paths.writeFile('src/new/deep.ts', Buffer.from('y'))).toEqual({ created: false });
    expect(await readFile(join(root, 'src/new/deep.ts'), 'utf8')).toBe('y');
  });

  it('refuses paths outside the scopes, symlinks out and .git, writing nothing', async () => {
    const scoped = await createPathGuard({ root, scopes: ['src/**'] });
    expect(await refusal(scoped.writeFile('docs/a.md', 'x'))).toMatchObject({ code: 'SCOPE_VIOLATION' });
    expect(await refusal(paths.writeFile('escape/new.txt', 'x'))).toMatchObject({ code: 'SANDBOX_ESCAPE' });
    expect(await refusal(paths.writeFile('.git/hooks/pre-commit', 'x'))).toMatchObject({ code: 'SANDBOX_ESCAPE' });
    expect(await readdir(outside)).toEqual(['secret.txt']);
    expect(await readdir(join(root, '.git'))).toEqual(['config']);
  });

  it('refuses a directory with EISDIR', async () => {
    expect(await refusal(paths.writeFile('src', 'x'))).toMatchObject({ code: 'EISDIR' });
  });
});

describe('deleteFile', () => {
  it('deletes a file, and a symlink rather than its target', async () => {
    await symlink('a.ts', join(root, 'src/link.ts'));
    await paths.deleteFile('src/link.ts');
    expect(await readFile(join(root, 'src/a.ts'), 'utf8')).toBe('a\n');
    await paths.deleteFile('src/a.ts');
    expect(await readdir(join(root, 'src'))).toEqual(['lib']);
  });

  it('refuses a directory, a missing file and a file reached through a symlink out', async () => {
    expect(await refusal(paths.deleteFile('src/lib'))).toMatchObject({ code: 'EISDIR' });
    expect(await refusal(paths.deleteFile('src/missing.ts'))).toMatchObject({ code: 'ENOENT' });
    expect(await refusal(paths.deleteFile('escape/secret.txt'))).toMatchObject({ code: 'SANDBOX_ESCAPE' });
    expect(await readdir(outside)).toEqual(['secret.txt']);
  });
});

describe('openDirectory', () => {
  const names = async (directory: SandboxDirectory) =>
    (await directory.entries()).map(({ name, kind }) => `${name}:${kind}`).sort();

  it('lists entries by kind without following symlinks, and opens subdirectories through itself', async () => {
    const top = await paths.openDirectory('.');
    try {
      expect(await names(top)).toEqual(['.git:directory', 'escape:symlink', 'src:directory']);
      const src = await top.openDirectory('src');
      const lib = await src.openDirectory('lib');
      expect(await names(lib)).toEqual(['b.ts:file']);
      await Promise.all([lib.close(), src.close()]);
    } finally {
      await top.close();
    }
  });

  it('refuses a symlinked subdirectory, .git and names that are not one entry', async () => {
    const top = await paths.openDirectory('.');
    try {
      for (const name of ['escape', '.git', '..', 'src/lib', '']) {
        expect(await refusal(top.openDirectory(name))).toMatchObject({ code: 'SANDBOX_ESCAPE' });
      }
      expect(await refusal(top.openDirectory('nope'))).toMatchObject({ code: 'ENOENT' });
    } finally {
      await top.close();
    }
    expect(await refusal(paths.openDirectory('src/a.ts'))).toMatchObject({ code: 'ENOTDIR' });
    expect(await refusal(paths.openDirectory('escape'))).toMatchObject({ code: 'SANDBOX_ESCAPE' });
  });

  it('keeps reading the directory it opened after its name is swapped for a symlink out', async () => {
    const src = await paths.openDirectory('src');
    try {
      await rename(join(root, 'src'), join(root, 'moved'));
      await symlink(outside, join(root, 'src'));
      expect(await names(src)).toEqual(['a.ts:file', 'lib:directory']);
      const lib = await src.openDirectory('lib');
      expect(await names(lib)).toEqual(['b.ts:file']);
      await lib.close();
    } finally {
      await src.close();
    }
    await src.close();
    await expect(src.entries()).rejects.toThrow(/closed/);
  });

  it('refuses a subdirectory swapped for a symlink after it was listed', async () => {
    const top = await paths.openDirectory('.');
    try {
      expect(await names(top)).toContain('src:directory');
      await rename(join(root, 'src'), join(root, 'moved'));
      await symlink(outside, join(root, 'src'));
      expect(await refusal(top.openDirectory('src'))).toMatchObject({ code: 'SANDBOX_ESCAPE' });
      expect((await lstat(join(root, 'src'))).isSymbolicLink()).toBe(true);
    } finally {
      await top.close();
    }
  });
});

describe('descriptors', () => {
  it('closes every descriptor it opens, whether the call succeeds or fails', async () => {
    const open = async () => (await readdir('/proc/self/fd')).length;
    const before = await open();
    for (let i = 0; i < 20; i++) {
      await paths.writeFile(`src/new/${i}.ts`, 'x');
      await paths.writeFile(`src/new/${i}.ts`, 'y');
      await paths.readFile(`src/new/${i}.ts`);
      await paths.writeFile(`src/new/big-${i}.ts`, Buffer.alloc(300 * 1024, 120));
      await paths.readFile(`src/new/big-${i}.ts`);
      await paths.deleteFile(`src/new/${i}.ts`);
      await Promise.allSettled([
        paths.readFile('src'),
        paths.writeFile('src/lib', 'x'),
        paths.deleteFile('src/lib'),
        paths.openDirectory('src/a.ts'),
        paths.readFile('src/a.ts/x'),
      ]);
      const top = await paths.openDirectory('.');
      await Promise.allSettled([top.openDirectory('escape'), top.openDirectory('nope')]);
      await top.close();
    }
    expect(await open()).toBe(before);
  });
});
