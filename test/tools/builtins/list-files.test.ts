import { execFileSync } from 'node:child_process';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_LISTED_FILES, ToolRunner } from '../../../src/tools/index.js';
import { tempSandbox, toolContext } from '../helpers.js';

let sandbox: { root: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  sandbox = await tempSandbox({
    'README.md': '#',
    'src/b.ts': '',
    'src/a.ts': '',
    'src/deep/c.ts': '',
    '.github/ci.yml': '',
    '.git/config': '',
    'sub/.git': 'gitdir: elsewhere',
  });
});
afterEach(() => sandbox.cleanup());

const list = (input: Record<string, unknown>) =>
  new ToolRunner().run('fs/list-files', input, toolContext(sandbox.root, { phase: 'strategize' }));

describe('fs/list-files', () => {
  it('lists every file under the root, sorted, without .git', async () => {
    expect(await list({})).toEqual({
      success: true,
      output: { files: ['.github/ci.yml', 'README.md', 'src/a.ts', 'src/b.ts', 'src/deep/c.ts'], truncated: false },
    });
  });

  it('lists a subdirectory with paths relative to the root', async () => {
    expect(await list({ path: 'src/deep' })).toMatchObject({ output: { files: ['src/deep/c.ts'] } });
  });

  it('filters by a glob over root-relative paths, dotfiles included', async () => {
    expect(await list({ glob: '**/*.ts' })).toMatchObject({
      output: { files: ['src/a.ts', 'src/b.ts', 'src/deep/c.ts'] },
    });
    expect(await list({ glob: '**/*.yml' })).toMatchObject({ output: { files: ['.github/ci.yml'] } });
  });

  it('lists a symlinked directory as an entry without entering it', async () => {
    await symlink(join(sandbox.root, 'src'), join(sandbox.root, 'loop'));
    await symlink('/etc', join(sandbox.root, 'etc-link'));
    const result = await list({});
    expect(result).toMatchObject({ output: { files: expect.arrayContaining(['loop', 'etc-link']) } });
    if (result.success)
      expect((result.output as { files: string[] }).files.filter((file) => file.startsWith('loop/'))).toEqual([]);
  });

  it('fails for a missing directory or a file', async () => {
    expect(await list({ path: 'nope' })).toMatchObject({
      error: { code: 'TOOL_FAILED', message: 'cannot list "nope": no such file' },
    });
    expect(await list({ path: 'README.md' })).toMatchObject({
      error: { code: 'TOOL_FAILED', message: 'cannot list "README.md": it is not a directory' },
    });
  });

  it('stops at 10,000 files and says so', async () => {
    await mkdir(join(sandbox.root, 'many'));
    // one touch for all the files: creating them one by one from node takes seconds
    execFileSync('sh', ['-c', `seq -f 'f%05g' 0 ${MAX_LISTED_FILES + 4} | xargs touch`], {
      cwd: join(sandbox.root, 'many'),
    });
    const result = await list({ path: 'many' });
    expect(result).toMatchObject({ success: true, output: { truncated: true } });
    if (result.success) {
      const listed = (result.output as { files: string[] }).files;
      expect(listed).toHaveLength(MAX_LISTED_FILES);
      expect(listed[0]).toBe('many/f00000');
    }
  });
});
