import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Then, type DataTable } from '@cucumber/cucumber';
import { git } from '../support/fixture-git.js';
import { assertIncludes } from '../support/json-match.js';
import type { PlanRecordView, TroupeWorld } from '../support/world.js';

Then(
  /^the plan(?: "([^"]+)")? is at \((\w+), (\w+)\)$/,
  async function (this: TroupeWorld, name: string | undefined, phase: string, status: string) {
    const record = await this.planRecord(name ?? this.currentPlan());
    assert.deepEqual(
      { phase: record.phase, status: record.status },
      { phase, status },
      `error: ${JSON.stringify(record.error)}`,
    );
  },
);

Then('the plan record includes:', async function (this: TroupeWorld, expected: string) {
  assertIncludes(await this.planRecord(), JSON.parse(expected));
});

Then('the plan has no error', async function (this: TroupeWorld) {
  assert.equal((await this.planRecord()).error, null);
});

Then('no plan was created', async function (this: TroupeWorld) {
  // a project troupe was never set up in has no plans, and reading it sets nothing up
  if (!existsSync(join(this.project, '.troupe'))) return;
  assert.deepEqual(await this.query('plan list --all --json'), []);
});

Then('troupe set nothing up in the project', async function (this: TroupeWorld) {
  assert.equal(existsSync(join(this.project, '.troupe')), false, '.troupe/ was created');
  const exclude = join(this.project, '.git', 'info', 'exclude');
  assert.equal(
    existsSync(exclude) && (await readFile(exclude, 'utf8')).includes('.troupe'),
    false,
    '.troupe/ was added to info/exclude',
  );
});

Then('the plan list without --all does not show the plan', async function (this: TroupeWorld) {
  const plans = (await this.query('plan list --json')) as { name: string }[];
  assert.deepEqual(
    plans.filter((plan) => plan.name === this.currentPlan()),
    [],
  );
});

Then('no sandbox was created', function (this: TroupeWorld) {
  const worktrees = join(this.project, '.troupe', 'worktrees');
  assert.deepEqual(existsSync(worktrees) ? readdirSync(worktrees) : [], [], 'a sandbox folder exists');
  assert.equal(git(this.project, 'worktree', 'list').split('\n').length, 1, 'git knows another worktree');
  assert.equal(git(this.project, 'branch', '--list', 'troupe/*'), '', 'a troupe branch exists');
});

// <id> is the plan's id, <id6> its last 6 characters in lower case (SPEC §3)
Then(
  "the plan's sandbox is the git worktree {string} on branch {string}",
  async function (this: TroupeWorld, worktree: string, branch: string) {
    const record = await this.planRecord();
    const fill = (text: string) => text.replace('<id>', record.id).replace('<id6>', record.id.slice(-6).toLowerCase());
    assertIncludes(record.sandbox, { worktree: fill(worktree), branch: fill(branch) });
    const listed = git(this.project, 'worktree', 'list', '--porcelain');
    assert.ok(
      listed.includes(`worktree ${join(this.project, fill(worktree))}\n`),
      `git does not list the worktree:\n${listed}`,
    );
    assert.ok(
      listed.includes(`branch refs/heads/${fill(branch)}`),
      `the worktree is not on ${fill(branch)}:\n${listed}`,
    );
    assert.equal(git(join(this.project, fill(worktree)), 'branch', '--show-current'), fill(branch));
  },
);

// one row per commit, oldest first: the files that commit changed
Then(
  'the sandbox has one commit per step that changed files, each by {string}:',
  async function (this: TroupeWorld, who: string, table: DataTable) {
    const sandbox = sandboxOf(this, await this.planRecord());
    const commits = git(sandbox, 'rev-list', '--reverse', `${this.initialHead}..HEAD`).split('\n').filter(Boolean);
    const described = commits.map((commit) => ({
      by: git(sandbox, 'show', '-s', '--format=%an <%ae>|%cn <%ce>', commit),
      files: git(sandbox, 'show', '--name-only', '--format=', commit).split('\n').join(', '),
    }));
    assert.deepEqual(
      described,
      table.raw().map(([files]) => ({ by: `${who}|${who}`, files })),
    );
  },
);

Then('the sandbox has no file {string}', async function (this: TroupeWorld, path: string) {
  const sandbox = sandboxOf(this, await this.planRecord());
  assert.equal(existsSync(join(sandbox, path)), false, `${path} exists in the sandbox`);
});

Then('the sandbox file {string} contains:', async function (this: TroupeWorld, path: string, content: string) {
  const sandbox = sandboxOf(this, await this.planRecord());
  assert.equal(await readFile(join(sandbox, path), 'utf8'), `${content}\n`);
});

Then(
  'the sandbox file {string} does not contain {string}',
  async function (this: TroupeWorld, path: string, text: string) {
    const sandbox = sandboxOf(this, await this.planRecord());
    const content = await readFile(join(sandbox, path), 'utf8');
    assert.ok(!content.includes(text), `${path} contains "${text}":\n${content}`);
  },
);

// the sandbox must exist, or "has no file" would hold for the wrong reason
function sandboxOf(world: TroupeWorld, record: PlanRecordView): string {
  assert.ok(record.sandbox, `${record.name} has no sandbox`);
  const path = join(world.project, record.sandbox.worktree);
  assert.ok(existsSync(join(path, '.git')), `the sandbox of ${record.name} is not a git worktree at ${path}`);
  return path;
}
