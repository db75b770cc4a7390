import { existsSync } from 'node:fs';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ToolRunner } from '../../../src/tools/index.js';
import { git, tempDir, writeFiles } from '../../helpers/temp.js';
import { tempSandbox, toolContext } from '../helpers.js';

// fs/search over a real git repository: what git would track, matched in linear time

let sandbox: { root: string; cleanup: () => Promise<void> };
const outside = { dir: '', cleanup: async () => {} };
beforeEach(async () => {
  sandbox = await tempSandbox({
    '.gitignore': 'node_modules/\n*.log\n',
    'src/a.ts': 'export const a = 1;\n// TODO: b\nexport const c = 3;\n',
    'src/b.ts': 'const todo = "lowercase";\n',
    'docs/notes.md': 'TODO in the docs\n',
    'node_modules/dep/index.js': '// TODO inside a dependency\n',
    'build.log': 'TODO in a log\n',
    'bin/blob': Buffer.from([0x54, 0x4f, 0x44, 0x4f, 0x00]),
  });
  git(sandbox.root, 'init', '-q');
  git(sandbox.root, 'add', 'src', '.gitignore', 'bin');
  git(sandbox.root, 'commit', '-qm', 'init');
  // docs/notes.md stays untracked but not ignored: git would track it
  Object.assign(outside, await tempDir('troupe-search-outside-'));
  await writeFiles(outside.dir, { 'secret.txt': 'TODO outside the sandbox\n' });
});
afterEach(async () => {
  await sandbox.cleanup();
  await outside.cleanup();
});

const search = (input: Record<string, unknown>, phase: 'strategize' | 'execute' = 'strategize') =>
  new ToolRunner().run('fs/search', input, toolContext(sandbox.root, { phase }));

describe('fs/search', () => {
  it('finds matching lines over tracked and new files, not ignored or binary ones, in path and line order', async () => {
    expect(await search({ pattern: 'TODO' })).toEqual({
      success: true,
      output: {
        matches: [
          { path: 'docs/notes.md', line: 1, column: 1, text: 'TODO in the docs' },
          { path: 'src/a.ts', line: 2, column: 4, text: '// TODO: b' },
        ],
        truncated: false,
        files: 4,
      },
    });
  });

  it('searches ignored files when asked, case-insensitively, within a glob, with context', async () => {
    const withIgnored = await search({ pattern: 'todo', ignoreCase: true, ignored: true });
    expect(
      (withIgnored as { output: { matches: { path: string }[] } }).output.matches.map((match) => match.path),
    ).toEqual(['build.log', 'docs/notes.md', 'node_modules/dep/index.js', 'src/a.ts', 'src/b.ts']);
    expect(await search({ pattern: 'TODO', glob: 'src/**', contextLines: 1 })).toMatchObject({
      output: {
        matches: [{ path: 'src/a.ts', line: 2, before: ['export const a = 1;'], after: ['export const c = 3;'] }],
        files: 2,
      },
    });
  });

  it('stops at maxResults and says there were more', async () => {
    expect(await search({ pattern: 'const', maxResults: 2 })).toMatchObject({
      output: {
        matches: [
          { path: 'src/a.ts', line: 1 },
          { path: 'src/a.ts', line: 3 },
        ],
        truncated: true,
      },
    });
    expect(await search({ pattern: 'const', maxResults: 3 })).toMatchObject({ output: { truncated: false } });
  });

  it('answers a catastrophic pattern at once, and refuses what it cannot match in linear time', async () => {
    await writeFiles(sandbox.root, { 'src/long.txt': `${'a'.repeat(100_000)}b\n` });
    expect(await search({ pattern: '(a+)+$' })).toMatchObject({ success: true, output: { matches: [] } });
    expect(await search({ pattern: '(\\w)\\1' })).toMatchObject({
      success: false,
      error: {
        code: 'VALIDATION_ERROR',
        message: expect.stringContaining('input.pattern: not a pattern troupe can search with'),
      },
    });
    expect(await search({ pattern: 'x', glob: '+(a|b)' })).toMatchObject({
      success: false,
      error: { code: 'VALIDATION_ERROR', message: expect.stringContaining('input.glob') },
    });
    expect(await search({ pattern: '' })).toMatchObject({ success: false, error: { code: 'VALIDATION_ERROR' } });
    expect(await search({ pattern: 'x', maxResults: 0 })).toMatchObject({
      success: false,
      error: { code: 'VALIDATION_ERROR' },
    });
  });

  it('never reads through a symlink out of the sandbox, even a tracked one', async () => {
    await symlink(join(outside.dir, 'secret.txt'), join(sandbox.root, 'src/leak.txt'));
    git(sandbox.root, 'add', 'src/leak.txt');
    const found = await search({ pattern: 'outside', ignored: true });
    expect(found).toMatchObject({ success: true, output: { matches: [] } });
  });

  it('runs no program a hostile repository config names while it lists the files (core.fsmonitor, which plain git ls-files starts)', async () => {
    // git status/ls-files would start core.fsmonitor: a repository's own config is an attacker's input
    const ran = join(outside.dir, 'ran');
    git(sandbox.root, 'config', 'core.fsmonitor', `touch ${ran}`);
    const found = await search({ pattern: 'TODO' });
    expect(found).toMatchObject({
      success: true,
      output: { matches: [{ path: 'docs/notes.md' }, { path: 'src/a.ts' }] },
    });
    expect(existsSync(ran)).toBe(false);
  });

  it('is a read: allowed while strategizing and in execute', async () => {
    expect(await search({ pattern: 'TODO' }, 'execute')).toMatchObject({ success: true });
    expect(new ToolRunner().writes('fs/search')).toBe(false);
  });
});
