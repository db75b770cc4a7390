import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.js';
import { cleanups, executedPlan } from './checks-fixture.js';

// The file-exists and file-absent checks, and paths that lead out of the sandbox.

describe('the file-exists and file-absent checks', () => {
  /** A sandbox with links: one inside, several that lead out of it (to a file that exists, one that does not, a directory). */
  async function linkedSandbox() {
    const made = await executedPlan('memory');
    const outside = await tempDir('troupe-outside-');
    cleanups.push(outside.cleanup);
    writeFileSync(join(outside.dir, 'secret.txt'), 'secret\n');
    symlinkSync('src/a.ts', join(made.worktree, 'inside-link'));
    symlinkSync(join(outside.dir, 'secret.txt'), join(made.worktree, 'out-link'));
    symlinkSync(join(outside.dir, 'missing.txt'), join(made.worktree, 'dangling-out-link'));
    symlinkSync(outside.dir, join(made.worktree, 'out-dir'));
    symlinkSync('../../..', join(made.worktree, 'src', 'up'));
    return made;
  }

  it('file-exists passes for a file, a directory and a link that stays inside; fails for a missing path', async () => {
    const { check } = await linkedSandbox();
    expect(await check({ id: 'readme', check: 'file-exists', path: 'README.md' })).toMatchObject({
      id: 'readme',
      check: 'file-exists',
      passed: true,
      message: 'README.md exists',
    });
    expect(await check({ check: 'file-exists', path: 'src' })).toMatchObject({ passed: true, message: 'src exists' });
    expect(await check({ check: 'file-exists', path: 'docs/guide.md' })).toMatchObject({ passed: true });
    expect(await check({ check: 'file-exists', path: 'inside-link' })).toMatchObject({
      passed: true,
      message: 'inside-link exists',
    });
    expect(await check({ check: 'file-exists', path: 'LICENSE' })).toMatchObject({
      passed: false,
      message: 'LICENSE does not exist',
    });
    expect(await check({ check: 'file-exists', path: 'src/nested/deeper.ts' })).toMatchObject({
      passed: false,
      message: 'src/nested/deeper.ts does not exist',
    });
  });

  it('file-absent passes for a missing path and fails for a file or a directory', async () => {
    const { check } = await linkedSandbox();
    expect(await check({ check: 'file-absent', path: 'debug.log' })).toMatchObject({
      passed: true,
      message: 'debug.log is absent',
    });
    expect(await check({ check: 'file-absent', path: 'README.md/child' })).toMatchObject({ passed: true });
    expect(await check({ check: 'file-absent', path: 'README.md' })).toMatchObject({
      passed: false,
      message: 'README.md exists',
    });
    expect(await check({ check: 'file-absent', path: 'src' })).toMatchObject({ passed: false, message: 'src exists' });
    expect(await check({ check: 'file-absent', path: 'inside-link' })).toMatchObject({
      passed: false,
      message: 'inside-link exists',
    });
  });

  it('never passes a path that leaves the sandbox, and says SANDBOX_ESCAPE', async () => {
    const { check } = await linkedSandbox();
    const escapes = [
      'out-link',
      'dangling-out-link',
      'out-dir',
      'out-dir/secret.txt',
      'out-dir/missing.txt',
      'src/up/etc',
      '../outside.txt',
      '.git/config',
    ];
    for (const path of escapes) {
      for (const kind of ['file-exists', 'file-absent']) {
        const result = await check({ check: kind, path });
        expect(result, `${kind} ${path}`).toMatchObject({
          passed: false,
          message: expect.stringContaining('SANDBOX_ESCAPE'),
        });
      }
    }
  });
});
