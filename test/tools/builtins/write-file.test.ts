import { mkdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ToolRunner } from '../../../src/tools/index.js';
import { fileText, tempSandbox, toolContext } from '../helpers.js';

let sandbox: { root: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  sandbox = await tempSandbox({ 'src/old.ts': 'old\n' });
});
afterEach(() => sandbox.cleanup());

const write = (input: Record<string, unknown>, scopes?: string[]) =>
  new ToolRunner().run('fs/write-file', input, toolContext(sandbox.root, { phase: 'execute', ...(scopes ? { scopes } : {}) }));

describe('fs/write-file', () => {
  it('creates a file and its parent directories', async () => {
    expect(await write({ path: 'src/new/deep/file.ts', content: 'é\n' })).toEqual({
      success: true,
      output: { path: 'src/new/deep/file.ts', bytes: 3, created: true },
    });
    expect(await readFile(join(sandbox.root, 'src/new/deep/file.ts'), 'utf8')).toBe('é\n');
  });

  it('replaces an existing file', async () => {
    expect(await write({ path: 'src/old.ts', content: 'new\n' })).toEqual({ success: true, output: { path: 'src/old.ts', bytes: 4, created: false } });
    expect(await fileText(sandbox.root, 'src/old.ts')).toBe('new\n');
  });

  it('refuses to write over a directory', async () => {
    await mkdir(join(sandbox.root, 'dir'));
    expect(await write({ path: 'dir', content: 'x' })).toMatchObject({ error: { code: 'TOOL_FAILED', message: 'cannot write "dir": it is a directory' } });
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
        error: { code: 'TOOL_FAILED', message: expect.stringMatching(/^cannot write "src\/daemon\.sock": /), details: { path: 'src/daemon.sock', errno: expect.any(String) } },
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses a write outside the scopes and writes nothing', async () => {
    expect(await write({ path: 'docs/a.md', content: 'x' }, ['src/**'])).toMatchObject({ error: { code: 'SCOPE_VIOLATION' } });
    expect(await fileText(sandbox.root, 'docs/a.md')).toBeNull();
    expect(await write({ path: 'src/a.ts', content: 'x' }, ['src/**'])).toMatchObject({ success: true });
  });

  it('refuses content that is not a string or is too large', async () => {
    expect(await write({ path: 'a.txt', content: 42 })).toMatchObject({
      error: { code: 'VALIDATION_ERROR', details: { issues: [{ path: 'input.content', message: 'must be a string, got number 42' }] } },
    });
    expect(await write({ path: 'a.txt', content: 'é'.repeat(6 * 1024 * 1024) })).toMatchObject({
      error: { code: 'VALIDATION_ERROR', details: { issues: [{ path: 'input.content', message: 'must be at most 10 MiB of UTF-8' }] } },
    });
    expect(await fileText(sandbox.root, 'a.txt')).toBeNull();
  });
});
