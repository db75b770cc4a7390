import { mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git } from '../helpers/temp.js';
import { executedPlan } from './checks-fixture.js';

// The paths-within check: committed changes against the plan's resourceScopes.

describe('the paths-within check', () => {
  it('passes when every committed change since the base matches resourceScopes', async () => {
    const { check, services, sandbox } = await executedPlan('level');
    expect(
      (await services.sandboxes.diff(sandbox, sandbox.baseCommit, sandbox.headCommit)).map((change) => change.path),
    ).toEqual(['docs/guide.md', 'src/b.ts']);
    expect(await check({ check: 'paths-within' })).toMatchObject({
      passed: true,
      message: '2 changed path(s), all within src/**, docs/**',
    });
  });

  it('fails listing every committed path outside resourceScopes (added, modified and deleted), and only those', async () => {
    const { check, services, sandbox, worktree } = await executedPlan('level');
    // what an executor that slipped past the step checks would leave: a commit outside the scopes
    writeFileSync(join(worktree, 'config.json'), '{}\n');
    unlinkSync(join(worktree, 'README.md'));
    writeFileSync(join(worktree, 'src', 'a.ts'), 'export const a = 10;\n');
    // a rename is a delete (in scope here) and an add (outside)
    git(worktree, 'mv', 'docs/guide.md', 'guide.md');
    const head = await services.sandboxes.commit(sandbox, 'outside the scopes');
    const result = await check({ check: 'paths-within' }, { sandbox: { ...sandbox, headCommit: head } });
    expect(result.passed).toBe(false);
    expect(result.message).toMatch(/^3 changed path\(s\) outside resourceScopes \(src\/\*\*, docs\/\*\*\): /);
    expect(result.message.split(': ')[1]!.split(', ').sort()).toEqual(['README.md', 'config.json', 'guide.md']);
    // the recorded head is what counts: before that commit, everything was in scope
    expect(await check({ check: 'paths-within' })).toMatchObject({ passed: true });
  });

  it('lists the first five outside paths and counts the rest', async () => {
    const { check, services, sandbox, worktree } = await executedPlan('memory');
    for (let index = 0; index < 7; index++) writeFileSync(join(worktree, `stray-${index}.txt`), `${index}\n`);
    const head = await services.sandboxes.commit(sandbox, 'strays');
    const result = await check({ check: 'paths-within' }, { sandbox: { ...sandbox, headCommit: head } });
    expect(result).toMatchObject({
      passed: false,
      message: expect.stringMatching(
        /^7 changed path\(s\) outside .*: stray-0\.txt, stray-1\.txt, stray-2\.txt, stray-3\.txt, stray-4\.txt and 2 more$/,
      ),
    });
  });

  it('ignores what is not committed', async () => {
    const { check, worktree } = await executedPlan('level');
    writeFileSync(join(worktree, 'junk.txt'), 'junk\n');
    writeFileSync(join(worktree, 'README.md'), 'edited, not committed\n');
    mkdirSync(join(worktree, 'build'));
    writeFileSync(join(worktree, 'build', 'out.js'), '\n');
    expect(await check({ check: 'paths-within' })).toMatchObject({
      passed: true,
      message: '2 changed path(s), all within src/**, docs/**',
    });
  });

  it('passes with no resourceScopes, wherever the changes are', async () => {
    const { check, services, sandbox, worktree } = await executedPlan('memory', { resourceScopes: undefined });
    writeFileSync(join(worktree, 'anywhere.txt'), 'x\n');
    const head = await services.sandboxes.commit(sandbox, 'anywhere');
    expect(await check({ check: 'paths-within' }, { sandbox: { ...sandbox, headCommit: head } })).toMatchObject({
      passed: true,
      message: 'the plan has no resourceScopes: its 3 changed path(s) may be anywhere',
    });
  });
});
