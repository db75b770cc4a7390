import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Given, Then, When } from '@cucumber/cucumber';
import { parse } from 'yaml';
import { createRepo, git, writeProjectFile } from '../support/fixture-git.js';
import type { TroupeWorld } from '../support/world.js';

const PATHS = /^a git project with ([\w./-]+(?:(?:, | and )[\w./-]+)*)$/;

Given('a git project', async function (this: TroupeWorld) {
  await createRepo(this.project, { 'README.md': '# project\n' });
  this.initialHead = git(this.project, 'rev-parse', 'HEAD');
});

// every listed file holds one line naming itself, so line counts are known
Given(PATHS, async function (this: TroupeWorld, list: string) {
  const files: Record<string, string> = { 'README.md': '# project\n' };
  for (const path of list.split(/, | and /)) files[path] = `// ${path}\n`;
  await createRepo(this.project, files);
  this.initialHead = git(this.project, 'rev-parse', 'HEAD');
});

Given('a git project with no commits', async function (this: TroupeWorld) {
  await createRepo(this.project, null);
});

Given('a directory that is not a git repository', async function (this: TroupeWorld) {
  this.cwd = join(this.root, 'not-a-repo');
  await mkdir(this.cwd, { recursive: true });
});

Given('a plan file {string}:', async function (this: TroupeWorld, path: string, text: string) {
  await writeProjectFile(this.project, path, `${text}\n`);
  this.planFiles.push(path);
  try {
    const name = (parse(text) as { name?: unknown } | null)?.name;
    if (typeof name === 'string') this.planName = name;
  } catch {
    // a malformed plan file on purpose: there is no plan to talk about
  }
});

Given(
  'a file {string} outside the project containing {string}',
  async function (this: TroupeWorld, name: string, content: string) {
    await writeFile(join(this.outside, name), content);
  },
);

Given(
  'the project has a committed symlink {string} to the folder outside the project',
  async function (this: TroupeWorld, path: string) {
    await symlink(this.outside, join(this.project, path));
    git(this.project, 'add', path);
    git(this.project, 'commit', '-q', '-m', `link ${path}`);
    this.initialHead = git(this.project, 'rev-parse', 'HEAD');
  },
);

Given('I changed {string} in the project without committing', async function (this: TroupeWorld, path: string) {
  await appendFile(join(this.project, path), '// a change of mine\n');
});

When('I discard my uncommitted changes', function (this: TroupeWorld) {
  git(this.project, 'checkout', '--', '.');
});

When('I remove {string} from the project', async function (this: TroupeWorld, path: string) {
  await rm(join(this.project, path));
});

Then('{string} in the project still has my uncommitted change', async function (this: TroupeWorld, path: string) {
  assert.ok(
    (await readFile(join(this.project, path), 'utf8')).endsWith('// a change of mine\n'),
    `${path} lost the change`,
  );
  assert.equal(
    git(this.project, 'diff', '--name-only', '--', path),
    path,
    `${path} is not modified in the working tree`,
  );
  assert.equal(git(this.project, 'diff', '--cached', '--name-only', '--', path), '', `${path} was staged`);
});

Given('the project is on a new branch without commits', function (this: TroupeWorld) {
  git(this.project, 'checkout', '-q', '--orphan', 'fresh');
  git(this.project, 'rm', '-rq', '--cached', '.');
});

When('I make the first commit of the project', async function (this: TroupeWorld) {
  await writeProjectFile(this.project, 'README.md', '# project\n');
  git(this.project, 'add', 'README.md');
  git(this.project, 'commit', '-q', '-m', 'initial');
  this.initialHead = git(this.project, 'rev-parse', 'HEAD');
});

When('I commit {string} to the project', async function (this: TroupeWorld, path: string) {
  await writeProjectFile(this.project, path, `${path}\n`);
  git(this.project, 'add', path);
  git(this.project, 'commit', '-q', '-m', `add ${path}`);
  this.initialHead = git(this.project, 'rev-parse', 'HEAD');
});

Then('the project is untouched', function (this: TroupeWorld) {
  assert.equal(git(this.project, 'rev-parse', 'HEAD'), this.initialHead, 'the project has new commits');
  const changed = git(this.project, 'status', '--porcelain', '--untracked-files=all')
    .split('\n')
    .filter((line) => line !== '')
    .filter((line) => !this.planFiles.includes(line.slice(3)));
  assert.deepEqual(changed, [], 'the project working tree changed');
});

Then('the project has one new commit, authored and committed by {string}', function (this: TroupeWorld, who: string) {
  const commits = git(this.project, 'rev-list', `${this.initialHead}..HEAD`).split('\n').filter(Boolean);
  assert.equal(commits.length, 1, `expected one new commit, got ${commits.length}`);
  assert.equal(git(this.project, 'log', '-1', '--format=%an <%ae>'), who);
  assert.equal(git(this.project, 'log', '-1', '--format=%cn <%ce>'), who);
  assert.equal(
    git(this.project, 'rev-parse', 'HEAD~1'),
    this.initialHead,
    'the new commit is not on top of the project branch',
  );
});

Then('the new commit changes {string}', function (this: TroupeWorld, list: string) {
  const files = git(this.project, 'show', '--name-status', '--format=', 'HEAD').split('\n').filter(Boolean);
  assert.deepEqual(
    files.map((line) => line.replace(/\t/, ' ')),
    list.split(', '),
  );
});

Then('the project file {string} contains:', async function (this: TroupeWorld, path: string, content: string) {
  assert.equal(await readFile(join(this.project, path), 'utf8'), `${content}\n`);
});

Then('the project has no file {string}', function (this: TroupeWorld, path: string) {
  assert.equal(existsSync(join(this.project, path)), false, `${path} exists in the project`);
});

Given(
  'the project has an untracked file {string} containing {string}',
  async function (this: TroupeWorld, path: string, content: string) {
    await writeProjectFile(this.project, path, `${content}\n`);
  },
);

Given(
  'my home directory has a file {string} containing {string}',
  async function (this: TroupeWorld, path: string, content: string) {
    await mkdir(dirname(join(this.home, path)), { recursive: true });
    await writeFile(join(this.home, path), `${content}\n`);
  },
);

// a command refused before the store opened wrote nothing: not even the store
Then('troupe has no store in the project yet', function (this: TroupeWorld) {
  assert.equal(existsSync(join(this.project, '.troupe', 'db')), false, 'the store exists');
});

Then('a file {string} was written outside the project', function (this: TroupeWorld, name: string) {
  assert.ok(existsSync(join(this.outside, name)), `${name} is not in the folder outside the project`);
});

Then(
  'the file {string} outside the project still contains {string}',
  async function (this: TroupeWorld, name: string, content: string) {
    assert.equal(await readFile(join(this.outside, name), 'utf8'), content);
  },
);

// another repository beside the project, for multi-project plans
Given('a second git repository {string} with README.md', async function (this: TroupeWorld, name: string) {
  await createRepo(join(this.root, name), { 'README.md': `# ${name}\n` });
});

Then('the repository {string} has no file {string}', function (this: TroupeWorld, name: string, path: string) {
  assert.equal(existsSync(join(this.root, name, path)), false, `${path} exists in ${name}`);
});

Then(
  'the repository {string} file {string} contains:',
  async function (this: TroupeWorld, name: string, path: string, content: string) {
    assert.equal(await readFile(join(this.root, name, path), 'utf8'), `${content}\n`);
  },
);
