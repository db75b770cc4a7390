import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Then } from '@cucumber/cucumber';
import { git } from '../support/fixture-git.js';
import type { TroupeWorld } from '../support/world.js';

// a plan's sandbox as git and the disk have it: its worktree folder and its branch
async function sandboxOf(world: TroupeWorld, name: string): Promise<{ folder: boolean; branch: boolean }> {
  const record = await world.planRecord(name);
  assert.ok(record.sandbox, `${name} never had a sandbox`);
  const branches = git(world.project, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/troupe/').split('\n');
  return {
    folder: existsSync(join(world.project, record.sandbox.worktree)),
    branch: branches.includes(record.sandbox.branch),
  };
}

Then('plan {string} still has its worktree and branch', async function (this: TroupeWorld, name: string) {
  assert.deepEqual(await sandboxOf(this, name), { folder: true, branch: true });
});

Then('plan {string} has no worktree or branch left', async function (this: TroupeWorld, name: string) {
  // a deleted plan has no record to ask: then no folder and no branch of troupe's may be left at all
  const record = await this.planRecord(name).catch(() => null);
  if (record) {
    assert.deepEqual(await sandboxOf(this, name), { folder: false, branch: false });
    return;
  }
  assert.equal(git(this.project, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/troupe/'), '');
  assert.equal(git(this.project, 'worktree', 'list').split('\n').length, 1);
});
