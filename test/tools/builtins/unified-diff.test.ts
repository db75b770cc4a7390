import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseUnifiedDiff } from '../../../src/tools/builtins/unified-diff.js';
import { git, tempRepo } from '../../helpers/temp.js';

// Paths git quotes, and the shapes of text that are not a patch: each read as git wrote it, or
// refused naming the line.

const refusal = (patch: string): string => {
  try {
    parseUnifiedDiff(patch);
  } catch (error) {
    return (error as { issues: { message: string }[] }).issues.map((issue) => issue.message).join('; ');
  }
  throw new Error('the patch was read');
};

describe('parseUnifiedDiff: quoted paths', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('reads the paths git quotes (octal UTF-8 bytes, a tab, a quote) as the files they name', async () => {
    const repo = await tempRepo({ 'README.md': '# x\n' });
    cleanups.push(repo.cleanup);
    const names = ['café.txt', 'tab\there.txt', 'say "hi".txt'];
    for (const name of names) await writeFile(join(repo.dir, name), 'one\n');
    git(repo.dir, 'add', '--all');
    git(repo.dir, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '--quiet', '-m', 'files');
    for (const name of names) await writeFile(join(repo.dir, name), 'two\n');
    // quotePath on (git's default): non-ASCII bytes as \ooo
    const patch = git(repo.dir, '-c', 'core.quotePath=true', 'diff');
    expect(patch).toContain('"a/caf\\303\\251.txt"');
    const files = parseUnifiedDiff(`${patch}\n`);
    expect(files.map((file) => file.path).sort()).toEqual([...names].sort());
    expect(files.every((file) => file.action === 'modify')).toBe(true);
  });

  it('reads the other escapes of git’s C quoting, and an empty file made under a quoted name', () => {
    const patch = [
      'diff --git "a/new\\nline\\\\x" "b/new\\nline\\\\x"',
      'new file mode 100644',
      'index 0000000..e69de29',
      '--- /dev/null',
      '+++ "b/bell\\a\\b\\f\\v\\r\\q"',
      '@@ -0,0 +1 @@',
      '+x',
      'diff --git "a/empty\\tfile" "b/empty\\tfile"',
      'new file mode 100644',
      'index 0000000..e69de29',
      '',
    ].join('\n');
    expect(parseUnifiedDiff(patch)).toEqual([
      { path: 'bell\x07\b\f\v\rq', action: 'create', hunks: [expect.objectContaining({ oldStart: 0, oldCount: 0 })] },
      { path: 'empty\tfile', action: 'create', hunks: [] },
    ]);
  });

  it('refuses a quoted path with no closing quote', () => {
    expect(refusal('--- "a/open\n+++ "b/open\n@@ -1 +1 @@\n-a\n+b\n')).toMatch(/a quoted path has no closing quote/);
  });
});

describe('parseUnifiedDiff: text that is not a patch', () => {
  it('refuses a hunk before any file header, naming its line', () => {
    expect(refusal('a note\n@@ -1 +1 @@\n-a\n+b\n')).toBe(
      'line 2: a hunk before any "--- a/file" / "+++ b/file" header',
    );
  });

  it('refuses a git header whose path cannot be read, for an empty file it alone names', () => {
    expect(refusal('diff --git a/x b/y\nnew file mode 100644\n')).toMatch(/^line 1: cannot read the path of/);
  });

  it('refuses a "---" header not followed by "+++"', () => {
    expect(refusal('diff --git a/x b/x\n--- a/x\n@@ -1 +1 @@\n')).toBe('line 3: a "--- " header is followed by "+++ "');
  });
});
