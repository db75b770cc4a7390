import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Then, When } from '@cucumber/cucumber';
import { commitAll, git, writeProjectFile } from '../support/fixture-git.js';
import type { TroupeWorld } from '../support/world.js';

interface ConflictsView {
  conflicts: { file: string; kind: string; edit: string | null }[];
  resolved: { file: string; with: string }[];
}

const conflictsOf = async (world: TroupeWorld) =>
  (await world.query(`plan conflicts ${world.currentPlan()} --json`)) as ConflictsView;

async function copyOf(world: TroupeWorld, file: string): Promise<string> {
  const conflict = (await conflictsOf(world)).conflicts.find((open) => open.file === file);
  assert.ok(conflict?.edit, `${file} has no copy with conflict markers`);
  return conflict.edit;
}

// the user moves on in their project after the plan's sandbox was made
When(
  'I commit a change of {string} to the project:',
  async function (this: TroupeWorld, path: string, content: string) {
    await writeProjectFile(this.project, path, `${content}\n`);
    commitAll(this.project, `change ${path}`);
    this.initialHead = git(this.project, 'rev-parse', 'HEAD');
  },
);

When(
  'I edit the copy of {string} with conflict markers to:',
  async function (this: TroupeWorld, file: string, content: string) {
    await writeFile(join(this.project, await copyOf(this, file)), `${content}\n`);
  },
);

When('I resolve {string} with the copy I edited', async function (this: TroupeWorld, file: string) {
  await this.troupe(`plan resolve ${this.currentPlan()} ${file} --use ${await copyOf(this, file)}`);
});

Then(
  'the copy of {string} with conflict markers contains:',
  async function (this: TroupeWorld, file: string, content: string) {
    assert.equal(await readFile(join(this.project, await copyOf(this, file)), 'utf8'), `${content}\n`);
  },
);

Then('the open conflicts are {string}', async function (this: TroupeWorld, list: string) {
  const open = (await conflictsOf(this)).conflicts.map((conflict) => `${conflict.file} (${conflict.kind})`);
  assert.deepEqual(open, list === '' ? [] : list.split(', '));
});

Then('the plan has no open conflicts', async function (this: TroupeWorld) {
  assert.deepEqual((await conflictsOf(this)).conflicts, []);
});
