import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, writeFileSync } from 'node:fs';
import { chmod, link, lstat, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ToolRunner } from '../../../src/tools/index.js';
import { tempDir } from '../../helpers/temp.js';
import { fileText, tempSandbox, toolContext } from '../helpers.js';

let sandbox: { root: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  sandbox = await tempSandbox({ 'src/old.ts': 'old\n' });
});
afterEach(() => sandbox.cleanup());

const write = (input: Record<string, unknown>, scopes?: string[]) =>
  new ToolRunner().run(
    'fs/write-file',
    input,
    toolContext(sandbox.root, { phase: 'execute', ...(scopes ? { scopes } : {}) }),
  );

describe('fs/write-file', () => {
  it('creates a file and its parent directories', async () => {
    expect(await write({ path: 'src/new/deep/file.ts', content: 'é\n' })).toEqual({
      success: true,
      output: { path: 'src/new/deep/file.ts', bytes: 3, created: true },
    });
    expect(await readFile(join(sandbox.root, 'src/new/deep/file.ts'), 'utf8')).toBe('é\n');
  });

  it('replaces an existing file', async () => {
    expect(await write({ path: 'src/old.ts', content: 'new\n' })).toEqual({
      success: true,
      output: { path: 'src/old.ts', bytes: 4, created: false },
    });
    expect(await fileText(sandbox.root, 'src/old.ts')).toBe('new\n');
  });

  it('refuses to write over a directory', async () => {
    await mkdir(join(sandbox.root, 'dir'));
    expect(await write({ path: 'dir', content: 'x' })).toMatchObject({
      error: { code: 'TOOL_FAILED', message: 'cannot write "dir": it is a directory' },
    });
  });

  it('fails when a parent is a file', async () => {
    expect(await write({ path: 'src/old.ts/child', content: 'x' })).toMatchObject({
      error: { code: 'TOOL_FAILED', message: expect.stringContaining('cannot write "src/old.ts/child"') },
    });
  });

  it('fails, naming the path, when the file cannot be opened for writing', async () => {
    // a unix socket in the sandbox: it exists and is no directory, but open() refuses it
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(join(sandbox.root, 'src/daemon.sock'), resolve));
    try {
      expect(await write({ path: 'src/daemon.sock', content: 'x' })).toEqual({
        success: false,
        error: {
          code: 'TOOL_FAILED',
          message: expect.stringMatching(/^cannot write "src\/daemon\.sock": /),
          details: { path: 'src/daemon.sock', errno: expect.any(String) },
        },
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses a write outside the scopes and writes nothing', async () => {
    expect(await write({ path: 'docs/a.md', content: 'x' }, ['src/**'])).toMatchObject({
      error: { code: 'SCOPE_VIOLATION' },
    });
    expect(await fileText(sandbox.root, 'docs/a.md')).toBeNull();
    expect(await write({ path: 'src/a.ts', content: 'x' }, ['src/**'])).toMatchObject({ success: true });
  });

  it('refuses content that is not a string or is too large', async () => {
    expect(await write({ path: 'a.txt', content: 42 })).toMatchObject({
      error: {
        code: 'VALIDATION_ERROR',
        details: { issues: [{ path: 'input.content', message: 'must be a string, got number 42' }] },
      },
    });
    expect(await write({ path: 'a.txt', content: 'é'.repeat(6 * 1024 * 1024) })).toMatchObject({
      error: {
        code: 'VALIDATION_ERROR',
        details: { issues: [{ path: 'input.content', message: 'must be at most 10 MiB of UTF-8' }] },
      },
    });
    expect(await fileText(sandbox.root, 'a.txt')).toBeNull();
  });

  it('creates a new file with the mode writeFile would give it', async () => {
    writeFileSync(join(sandbox.root, 'src/reference.txt'), '');
    expect(await write({ path: 'src/new.txt', content: 'x' })).toMatchObject({
      success: true,
      output: { created: true },
    });
    expect((await stat(join(sandbox.root, 'src/new.txt'))).mode).toBe(
      (await stat(join(sandbox.root, 'src/reference.txt'))).mode,
    );
  });

  it('keeps the executable bit of a file it overwrites', async () => {
    await writeFile(join(sandbox.root, 'run.sh'), 'echo old\n');
    await chmod(join(sandbox.root, 'run.sh'), 0o755);
    expect(await write({ path: 'run.sh', content: 'echo new\n' })).toMatchObject({
      success: true,
      output: { created: false },
    });
    expect((await stat(join(sandbox.root, 'run.sh'))).mode & 0o777).toBe(0o755);
    expect(await fileText(sandbox.root, 'run.sh')).toBe('echo new\n');
  });

  it('writes the target of a symlink that stays inside the sandbox', async () => {
    await symlink('old.ts', join(sandbox.root, 'src/link.ts'));
    expect(await write({ path: 'src/link.ts', content: 'through the link\n' })).toMatchObject({
      success: true,
      output: { created: false },
    });
    expect(await fileText(sandbox.root, 'src/old.ts')).toBe('through the link\n');
    expect((await lstat(join(sandbox.root, 'src/link.ts'))).isSymbolicLink()).toBe(true);
  });

  it('leaves a file outside the sandbox alone when writing a hard link to it', async () => {
    const outside = await tempDir('troupe-outside-');
    try {
      await writeFile(join(outside.dir, 'secret.txt'), 'secret\n');
      await chmod(join(outside.dir, 'secret.txt'), 0o750);
      await link(join(outside.dir, 'secret.txt'), join(sandbox.root, 'src/linked.txt'));
      expect(await write({ path: 'src/linked.txt', content: 'mine\n' })).toEqual({
        success: true,
        output: { path: 'src/linked.txt', bytes: 5, created: false },
      });
      expect(await readFile(join(outside.dir, 'secret.txt'), 'utf8')).toBe('secret\n');
      expect(await fileText(sandbox.root, 'src/linked.txt')).toBe('mine\n');
      const inside = await stat(join(sandbox.root, 'src/linked.txt'));
      expect([inside.nlink, inside.mode & 0o777]).toEqual([1, 0o750]);
      expect((await stat(join(outside.dir, 'secret.txt'))).nlink).toBe(1);
    } finally {
      await outside.cleanup();
    }
  });

  it('refuses a FIFO at once instead of blocking on it, with or without a reader', async () => {
    const pipe = join(sandbox.root, 'src/pipe');
    execFileSync('mkfifo', [pipe]);
    const refused = {
      success: false,
      error: { code: 'TOOL_FAILED', message: 'cannot write "src/pipe": it is not a regular file' },
    };
    expect(await write({ path: 'src/pipe', content: 'x' })).toMatchObject(refused);
    const reader = openSync(pipe, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      expect(await write({ path: 'src/pipe', content: 'x' })).toMatchObject(refused);
    } finally {
      closeSync(reader);
    }
  });
});
