import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attempt, baseline, runtime, useEscapeSuite } from './escape-fixture.js';

// The escape suite's other side: what a plan's commands are there to do still
// works in the sandbox.

useEscapeSuite();

describe('legitimate work still works', () => {
  it('writes in the worktree, committed as the step', async () => {
    const { record, worktree } = await attempt('mkdir -p out && echo made > out/file.txt');
    expect(record).toMatchObject({ status: 'complete', lastCompletedStep: 0 });
    expect(readFileSync(join(worktree, 'out/file.txt'), 'utf8')).toBe('made\n');
    expect((await runtime.changes(record.id))?.files.map((file) => file.path)).toEqual(['out/file.txt']);
  });

  it('node and npm run scripts, with the project’s node_modules shared read-only and no network', async () => {
    const { record, worktree, seen } = await attempt([
      'node -e "console.log(6 * 7)" > seen.txt && npm test --silent >> seen.txt',
      '{ echo x > node_modules/dep/index.js; } 2> denied.txt; test $? -ne 0',
    ]);
    expect(record, JSON.stringify(record.error)).toMatchObject({ status: 'complete' });
    expect(seen()).toBe('42\ndep is 42\n');
    expect(seen('denied.txt')).toMatch(/Read-only file system/);
    // the mount point is gone with the command: no node_modules in the plan's changes
    expect(existsSync(join(worktree, 'node_modules'))).toBe(false);
    expect((await runtime.changes(record.id))?.files.map((file) => file.path).sort()).toEqual([
      'denied.txt',
      'seen.txt',
    ]);
  });

  it('git status, diff and log read the repository', async () => {
    const { record, seen } = await attempt(
      'echo more >> README.md && { git status --short; git diff --stat; git log --format=%s; } > seen.txt',
    );
    expect(record, JSON.stringify(record.error)).toMatchObject({ status: 'complete' });
    // (node_modules is the shared one, which this project does not ignore)
    expect(seen()).toBe(
      ' M README.md\n?? node_modules/\n?? seen.txt\n README.md | 1 +\n 1 file changed, 1 insertion(+)\ninit\n',
    );
  });

  it('the project’s tracked files are there to read, through the worktree', async () => {
    const { record, seen } = await attempt('cat README.md src/a.ts > seen.txt');
    expect(record).toMatchObject({ status: 'complete' });
    expect(seen()).toBe('# escape\nexport const a = 1;\n');
  });

  it('a step can read what the user keeps in $HOME that is not a secret', async () => {
    const { record, seen } = await attempt('cat "$HOME/notes.txt" > seen.txt');
    expect(record).toMatchObject({ status: 'complete' });
    expect(seen()).toBe('not a secret\n');
    expect(baseline().home).toContain('notes.txt');
  });
});
