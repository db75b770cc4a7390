import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ToolRunner } from '../../../src/tools/index.js';
import { git, tempRepo } from '../../helpers/temp.js';
import { fileText, tempSandbox, toolContext } from '../helpers.js';
import { unifiedDiff } from './make-diff.js';

const FILES = {
  'src/a.ts': 'one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\n',
  'src/b.ts': 'b\n',
  'docs/c.md': '# c\n',
  'bin/blob': Buffer.from([0xff, 0x00]),
};

let sandbox: { root: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  sandbox = await tempSandbox(FILES);
});
afterEach(() => sandbox.cleanup());

const patch = (text: string, options: { scopes?: string[]; phase?: 'strategize' | 'execute' } = {}) =>
  new ToolRunner().run(
    'fs/apply-patch',
    { patch: text },
    toolContext(sandbox.root, {
      phase: options.phase ?? 'execute',
      ...(options.scopes ? { scopes: options.scopes } : {}),
    }),
  );

// the sandbox's text files as they are
const texts = async () =>
  Object.fromEntries(
    await Promise.all(
      ['src/a.ts', 'src/b.ts', 'docs/c.md', 'src/new.ts'].map(async (path) => [
        path,
        await fileText(sandbox.root, path),
      ]),
    ),
  );

const TWO_HUNKS = unifiedDiff('src/a.ts', FILES['src/a.ts'], 'one\nTWO\nthree\nfour\nfive\nsix\nseven\nEIGHT\n', 1);

describe('fs/apply-patch', () => {
  it('modifies, creates and deletes files in one call, and says what it did', async () => {
    const text = [TWO_HUNKS, unifiedDiff('src/new.ts', null, 'new\n'), unifiedDiff('src/b.ts', 'b\n', null)].join('');
    expect(await patch(text)).toEqual({
      success: true,
      output: {
        files: [
          { path: 'src/a.ts', action: 'modified', hunks: 2 },
          { path: 'src/new.ts', action: 'created', hunks: 1 },
          { path: 'src/b.ts', action: 'deleted', hunks: 1 },
        ],
        hunks: 4,
      },
    });
    expect(await texts()).toEqual({
      'src/a.ts': 'one\nTWO\nthree\nfour\nfive\nsix\nseven\nEIGHT\n',
      'src/b.ts': null,
      'docs/c.md': '# c\n',
      'src/new.ts': 'new\n',
    });
  });

  it('applies a diff git made: a change without a final newline, a new empty file, a deletion', async () => {
    const repo = await tempRepo({ 'src/a.ts': FILES['src/a.ts'], 'src/b.ts': 'b\n' });
    try {
      await writeFile(join(repo.dir, 'src/a.ts'), 'one\ntwo\nthree\nfour\nfive\nsix\nseven\neight, no newline');
      await writeFile(join(repo.dir, 'src/empty.ts'), '');
      git(repo.dir, 'rm', '-q', 'src/b.ts');
      git(repo.dir, 'add', '-A');
      const diff = git(repo.dir, 'diff', '--cached');
      expect(diff).toContain('\\ No newline at end of file');
      expect(await patch(diff)).toMatchObject({
        success: true,
        output: {
          files: [
            { path: 'src/a.ts' },
            { path: 'src/b.ts', action: 'deleted' },
            { path: 'src/empty.ts', action: 'created', hunks: 0 },
          ],
        },
      });
      expect(await fileText(sandbox.root, 'src/a.ts')).toBe(
        'one\ntwo\nthree\nfour\nfive\nsix\nseven\neight, no newline',
      );
      expect(await fileText(sandbox.root, 'src/empty.ts')).toBe('');
      expect(await fileText(sandbox.root, 'src/b.ts')).toBeNull();
    } finally {
      await repo.cleanup();
    }
  });

  it('finds a hunk a few lines off its header, as git apply does, and keeps the file mode', async () => {
    await chmod(join(sandbox.root, 'src/a.ts'), 0o755);
    const shifted = TWO_HUNKS.replace('@@ -1,3 +1,3 @@', '@@ -3,3 +3,3 @@');
    expect(await patch(shifted)).toMatchObject({ success: true });
    expect(await fileText(sandbox.root, 'src/a.ts')).toBe('one\nTWO\nthree\nfour\nfive\nsix\nseven\nEIGHT\n');
    expect((await stat(join(sandbox.root, 'src/a.ts'))).mode & 0o777).toBe(0o755);
  });

  it('changes nothing when one hunk of one file does not apply, naming the file, the hunk and its header', async () => {
    const stale = TWO_HUNKS.replace(' seven\n-eight', ' seven\n-eighth');
    const result = await patch(`${unifiedDiff('src/new.ts', null, 'new\n')}${stale}`);
    expect(result).toMatchObject({
      success: false,
      error: {
        code: 'VALIDATION_ERROR',
        message:
          'patch: hunk 2 of src/a.ts (@@ -7,2 +7,2 @@) does not apply: line 8 is "eight\\n" where the hunk expects "eighth\\n", and its lines are nowhere else after the hunk before it',
      },
    });
    expect(await texts()).toEqual({
      'src/a.ts': FILES['src/a.ts'],
      'src/b.ts': 'b\n',
      'docs/c.md': '# c\n',
      'src/new.ts': null,
    });
  });

  it.each([
    [
      'a hunk cut short',
      '--- a/src/b.ts\n+++ b/src/b.ts\n@@ -1,2 +1,2 @@\n-b\n',
      'VALIDATION_ERROR',
      'patch: hunk 1 of src/b.ts (@@ -1,2 +1,2 @@) is cut short: 1 old and 2 new lines missing',
    ],
    [
      'a miscounted hunk',
      '--- a/src/b.ts\n+++ b/src/b.ts\n@@ -1 +1 @@\n-b\n+c\n+d\n',
      'VALIDATION_ERROR',
      'patch: hunk 1 of src/b.ts (@@ -1 +1 @@) has more lines than its header counts (line 10)',
    ],
    [
      'a rename',
      'diff --git a/src/b.ts b/src/c.ts\nsimilarity index 100%\nrename from src/b.ts\nrename to src/c.ts\n',
      'VALIDATION_ERROR',
      'patch: line 7: renames and copies are not applied',
    ],
    [
      'a file made that exists',
      unifiedDiff('src/b.ts', null, 'x\n'),
      'VALIDATION_ERROR',
      'patch: creates src/b.ts (from /dev/null), which exists already',
    ],
    [
      'a file changed that does not exist',
      unifiedDiff('src/none.ts', 'x\n', 'y\n'),
      'VALIDATION_ERROR',
      'patch: changes src/none.ts, which does not exist',
    ],
    [
      'a deletion that leaves lines',
      unifiedDiff('src/a.ts', 'one\ntwo\n', null),
      'VALIDATION_ERROR',
      'patch: deletes src/a.ts, but its hunks leave 6 of its lines',
    ],
    [
      'a path out of the sandbox',
      unifiedDiff('../outside.ts', null, 'x\n'),
      'SANDBOX_ESCAPE',
      'cannot patch "../outside.ts": it must not contain ".." segments',
    ],
    ['a path into .git', unifiedDiff('.git/config', 'x\n', 'y\n'), 'SANDBOX_ESCAPE', 'cannot patch ".git/config"'],
    [
      'a binary file',
      unifiedDiff('bin/blob', 'x\n', 'y\n'),
      'TOOL_FAILED',
      'cannot patch "bin/blob": it is not UTF-8 text',
    ],
  ])('refuses %s, writing nothing', async (_, text, code, message) => {
    const before = await texts();
    const result = await patch(`${unifiedDiff('src/new.ts', null, 'new\n')}${text}`);
    expect(result).toMatchObject({ success: false, error: { code, message: expect.stringContaining(message) } });
    expect(await texts()).toEqual(before);
  });

  it('refuses text that is not a diff, writing nothing; text around a diff (a commit message) is left aside, as git apply does', async () => {
    const before = await texts();
    expect(await patch('please make a the same as b')).toMatchObject({
      success: false,
      error: {
        code: 'VALIDATION_ERROR',
        message: expect.stringContaining('patch: is not a unified diff: it has no "--- a/file" / "+++ b/file" header'),
      },
    });
    expect(await texts()).toEqual(before);
    expect(await patch(`Add new.ts\n\n${unifiedDiff('src/new.ts', null, 'new\n')}-- \n2.43.0\n`)).toMatchObject({
      success: true,
    });
    expect((await texts())['src/new.ts']).toBe('new\n');
  });

  it('refuses a patch whose path leads out of the sandbox through a symlink, writing nothing there or here', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'troupe-patch-outside-'));
    try {
      await writeFile(join(outside, 'secret.txt'), 'kept\n');
      await symlink(outside, join(sandbox.root, 'escape'));
      await symlink(join(outside, 'secret.txt'), join(sandbox.root, 'src/link.ts'));
      const before = await texts();
      for (const text of [
        unifiedDiff('escape/new.txt', null, 'x\n'),
        unifiedDiff('escape/secret.txt', 'kept\n', 'pwned\n'),
        unifiedDiff('src/link.ts', 'kept\n', 'pwned\n'),
      ]) {
        const result = await patch(`${unifiedDiff('src/new.ts', null, 'new\n')}${text}`);
        expect(result, text).toMatchObject({ success: false, error: { code: 'SANDBOX_ESCAPE' } });
      }
      expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('kept\n');
      expect(existsSync(join(outside, 'new.txt'))).toBe(false);
      expect(await texts()).toEqual(before);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('refuses a patch that reaches outside the resourceScopes before reading anything, and runs only in execute', async () => {
    const text = `${TWO_HUNKS}${unifiedDiff('docs/c.md', '# c\n', '# C\n')}`;
    expect(await patch(text, { scopes: ['src/**'] })).toMatchObject({
      success: false,
      error: { code: 'SCOPE_VIOLATION', message: `cannot patch "docs/c.md": it is outside the plan's resourceScopes` },
    });
    expect(await patch(text, { phase: 'strategize' })).toMatchObject({
      success: false,
      error: { code: 'READ_ONLY_PHASE' },
    });
    expect(await texts()).toMatchObject({ 'src/a.ts': FILES['src/a.ts'], 'docs/c.md': '# c\n' });
  });

  it('is checked before a plan runs: a path out of scope or escaping, and a patch that is not a diff, name the field', () => {
    const runner = new ToolRunner();
    const check = (text: string) =>
      runner.check('fs/apply-patch', { patch: text }, { scopes: ['src/**'], pathPrefix: 'strategy.steps[0]' });
    expect(check(TWO_HUNKS)).toEqual([]);
    expect(check(`${TWO_HUNKS}${unifiedDiff('docs/c.md', '# c\n', '# C\n')}`)).toEqual([
      {
        code: 'SCOPE_VIOLATION',
        path: 'strategy.steps[0].input.patch',
        message: "docs/c.md: is outside the plan's resourceScopes (src/**)",
      },
    ]);
    expect(check(unifiedDiff('../x.ts', null, 'x\n'))).toMatchObject([
      {
        code: 'SANDBOX_ESCAPE',
        path: 'strategy.steps[0].input.patch',
        message: expect.stringContaining('../x.ts: must not contain ".." segments'),
      },
    ]);
    expect(check('not a diff')).toMatchObject([
      {
        code: 'VALIDATION_ERROR',
        path: 'strategy.steps[0].input.patch',
        message: expect.stringContaining('is not a unified diff'),
      },
    ]);
  });
});
