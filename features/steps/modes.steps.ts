import assert from 'node:assert/strict';
import { chmod, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Then, When } from '@cucumber/cucumber';
import { commitAll, git } from '../support/fixture-git.js';
import type { TroupeWorld } from '../support/world.js';

// the user changes only a file's mode in their project after the plan's sandbox was made
When('I make {string} executable in the project and commit it', async function (this: TroupeWorld, path: string) {
  await chmod(join(this.project, path), 0o755);
  commitAll(this.project, `make ${path} executable`);
  this.initialHead = git(this.project, 'rev-parse', 'HEAD');
});

Then(
  /^the project file "([^"]+)" is (executable|gone)$/,
  async function (this: TroupeWorld, path: string, outcome: 'executable' | 'gone') {
    const committed = git(this.project, 'ls-tree', 'HEAD', '--', path);
    if (outcome === 'gone') {
      assert.equal(committed, '');
      return;
    }
    assert.match(committed, /^100755 blob /);
    assert.ok(((await stat(join(this.project, path))).mode & 0o111) !== 0, `${path} is not executable on disk`);
  },
);
