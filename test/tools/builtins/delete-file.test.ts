import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ToolRunner } from '../../../src/tools/index.js';
import { fileText, tempSandbox, toolContext } from '../helpers.js';

let sandbox: { root: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  sandbox = await tempSandbox({ 'src/old.ts': 'old\n', 'docs/a.md': '#' });
});
afterEach(() => sandbox.cleanup());

const remove = (path: string, scopes?: string[]) =>
  new ToolRunner().run(
    'fs/delete-file',
    { path },
    toolContext(sandbox.root, { phase: 'execute', ...(scopes ? { scopes } : {}) }),
  );

describe('fs/delete-file', () => {
  it('deletes a file', async () => {
    expect(await remove('src/old.ts')).toEqual({ success: true, output: { path: 'src/old.ts', deleted: true } });
    expect(await fileText(sandbox.root, 'src/old.ts')).toBeNull();
  });

  it('fails for a missing file', async () => {
    expect(await remove('src/nope.ts')).toMatchObject({
      error: { code: 'TOOL_FAILED', message: 'cannot delete "src/nope.ts": no such file' },
    });
  });

  it('refuses a directory', async () => {
    await mkdir(join(sandbox.root, 'empty'));
    expect(await remove('empty')).toMatchObject({
      error: { code: 'TOOL_FAILED', message: 'cannot delete "empty": it is a directory' },
    });
  });

  it('deletes a symlink, not its target', async () => {
    await symlink('src/old.ts', join(sandbox.root, 'link'));
    expect(await remove('link')).toMatchObject({ success: true });
    expect(await fileText(sandbox.root, 'src/old.ts')).toBe('old\n');
  });

  it('refuses a file outside the scopes and keeps it', async () => {
    expect(await remove('docs/a.md', ['src/**'])).toMatchObject({ error: { code: 'SCOPE_VIOLATION' } });
    expect(await fileText(sandbox.root, 'docs/a.md')).toBe('#');
  });
});
