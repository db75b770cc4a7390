import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ToolRunner } from '../../src/tools/index.js';
import { tempDir } from '../helpers/temp.js';
import { fileText, tempSandbox, toolContext } from './helpers.js';

let sandbox: { root: string; cleanup: () => Promise<void> };
let outside: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  sandbox = await tempSandbox({ 'README.md': '#', '.git/config': '[core]' });
  outside = await tempDir('troupe-outside-');
  await symlink(outside.dir, join(sandbox.root, 'escape'));
  await symlink(join(outside.dir, 'secret.txt'), join(sandbox.root, 'dangling'));
  await mkdir(join(sandbox.root, 'src'));
});
afterEach(async () => {
  await sandbox.cleanup();
  await outside.cleanup();
});

const ESCAPES = ['../x', '/etc/passwd', 'a\u0000b', '.git/config', 'src/../../x', 'escape/secret.txt', 'escape'];

describe('paths that leave the sandbox', () => {
  it.each(ESCAPES)('fs/read-file refuses %j with SANDBOX_ESCAPE', async (path) => {
    const result = await new ToolRunner().run('fs/read-file', { path }, toolContext(sandbox.root));
    expect(result).toMatchObject({ success: false, error: { code: 'SANDBOX_ESCAPE' } });
  });

  it.each(ESCAPES)('fs/list-files refuses %j with SANDBOX_ESCAPE', async (path) => {
    const result = await new ToolRunner().run('fs/list-files', { path }, toolContext(sandbox.root));
    expect(result).toMatchObject({ success: false, error: { code: 'SANDBOX_ESCAPE' } });
  });

  it.each([...ESCAPES, 'dangling'])('fs/write-file refuses %j and writes nothing outside', async (path) => {
    const result = await new ToolRunner().run('fs/write-file', { path, content: 'pwned' }, toolContext(sandbox.root));
    expect(result).toMatchObject({ success: false, error: { code: 'SANDBOX_ESCAPE' } });
    expect(await fileText(outside.dir, 'secret.txt')).toBeNull();
    expect(await fileText(sandbox.root, '.git/config')).toBe('[core]');
  });

  it.each(ESCAPES)('fs/delete-file refuses %j', async (path) => {
    const result = await new ToolRunner().run('fs/delete-file', { path }, toolContext(sandbox.root));
    expect(result).toMatchObject({ success: false, error: { code: 'SANDBOX_ESCAPE' } });
    expect(await fileText(sandbox.root, '.git/config')).toBe('[core]');
  });
});
