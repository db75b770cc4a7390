// Apply meets the user's uncommitted work like `git merge` does: changes in
// files the plan leaves alone stay exactly as they were (staged stays
// staged); a change in a file the plan writes refuses it, changing nothing.
import { engineMerger } from '../../src/runtime/children/engine-merger.js';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId, type SandboxInfo } from '../../src/domain/index.js';
import {
  createGitSandboxes,
  createProjectRepo,
  initProject,
  type ApplyOptions,
  type GitSandboxes,
  type ProjectRepo,
} from '../../src/sandbox/index.js';
import { git, tempRepo, writeFiles } from '../helpers/temp.js';
import { rejection } from '../helpers/rejection.js';

let repo: string;
let cleanup: () => Promise<void>;
let sandboxes: GitSandboxes;
let project: ProjectRepo;

beforeEach(async () => {
  ({ dir: repo, cleanup } = await tempRepo({
    'README.md': '# test\n',
    'package.json': '{}\n',
    'src/a.txt': 'a\n',
    'old.txt': 'old\n',
  }));
  await initProject(repo);
  sandboxes = createGitSandboxes(repo);
  project = createProjectRepo(repo, engineMerger(repo));
});
afterEach(async () => {
  await cleanup();
});

/** A sandbox with `files` written (null deletes, `{ from }` renames) and committed as one step. */
async function planWith(
  files: Record<string, string | null | { from: string }>,
): Promise<ApplyOptions & { sandbox: SandboxInfo }> {
  const planId = newId();
  const sandbox = await sandboxes.ensure({ id: planId, name: 'demo/dirty' });
  const path = sandboxes.pathOf(sandbox);
  for (const [file, content] of Object.entries(files)) {
    if (content === null) await rm(join(path, file));
    else if (typeof content === 'string') await writeFiles(path, { [file]: content });
    else await rename(join(path, content.from), join(path, file));
  }
  const head = await sandboxes.commit(sandbox, 'step 1');
  return { base: sandbox.baseCommit, head, planId, message: 'apply', sandbox };
}

/** Everything a refused apply must leave alone: HEAD, the index, the status and the working tree's diff. */
function projectState(): string[] {
  return [
    git(repo, 'rev-parse', 'HEAD'),
    git(repo, 'status', '--porcelain', '--untracked-files=all'),
    git(repo, 'write-tree'),
    git(repo, 'diff'),
  ];
}

/** The user's work in files no plan here touches: unstaged, staged, untracked. */
async function unrelatedWork(): Promise<void> {
  await writeFile(join(repo, 'package.json'), '{ "dependencies": {} }\n');
  await writeFile(join(repo, 'README.md'), '# staged\n');
  git(repo, 'add', 'README.md');
  await writeFile(join(repo, 'README.md'), '# staged, then edited\n');
  await writeFile(join(repo, 'scratch.txt'), 'mine\n');
}

async function expectUnrelatedWorkKept(): Promise<void> {
  expect(await readFile(join(repo, 'package.json'), 'utf8')).toBe('{ "dependencies": {} }\n');
  expect(await readFile(join(repo, 'README.md'), 'utf8')).toBe('# staged, then edited\n');
  expect(git(repo, 'show', ':README.md')).toBe('# staged');
  expect(await readFile(join(repo, 'scratch.txt'), 'utf8')).toBe('mine\n');
  expect(git(repo, 'status', '--porcelain', '--untracked-files=all').split('\n').sort()).toEqual(
    ['MM README.md', ' M package.json', '?? scratch.txt'].sort(),
  );
}

describe('apply onto a project with uncommitted changes', () => {
  it('keeps changes in files the plan does not touch — unstaged, staged and untracked — and commits only the plan’s changes', async () => {
    const options = await planWith({ 'src/a.txt': 'A\n', 'src/new.txt': 'new\n', 'old.txt': null });
    await unrelatedWork();
    const before = git(repo, 'rev-parse', 'HEAD');

    const preview = await project.previewApply(options);
    const result = await project.applyChanges(options);

    expect(preview).toMatchObject({ status: 'commit', onto: before });
    expect(result.status).toBe('applied');
    expect(git(repo, 'rev-parse', 'HEAD~1')).toBe(before);
    expect(git(repo, 'diff-tree', '--no-commit-id', '--name-status', '-r', 'HEAD')).toBe(
      'D\told.txt\nM\tsrc/a.txt\nA\tsrc/new.txt',
    );
    expect(git(repo, 'show', 'HEAD:README.md')).toBe('# test');
    expect(await readFile(join(repo, 'src/a.txt'), 'utf8')).toBe('A\n');
    await expectUnrelatedWorkKept();
  });

  it('keeps them too when the project moved on and apply merges', async () => {
    const options = await planWith({ 'src/a.txt': 'A\n' });
    await writeFiles(repo, { 'later.txt': 'later\n' });
    git(repo, 'add', 'later.txt');
    git(repo, 'commit', '-q', '-m', 'user change');
    await unrelatedWork();

    expect(await project.previewApply(options)).toMatchObject({ status: 'commit', merged: true });
    expect((await project.applyChanges(options)).status).toBe('applied');
    expect(git(repo, 'diff-tree', '--no-commit-id', '--name-only', '-r', 'HEAD')).toBe('src/a.txt');
    await expectUnrelatedWorkKept();
  });

  it('is safe to run twice: the second answers already applied and the user’s changes stay', async () => {
    const options = await planWith({ 'src/a.txt': 'A\n' });
    await unrelatedWork();
    const first = await project.applyChanges(options);

    expect(await project.applyChanges(options)).toEqual({ ...first, alreadyApplied: true });
    await expectUnrelatedWorkKept();
  });

  it.each([
    ['modified', async () => writeFile(join(repo, 'src/a.txt'), 'mine\n')],
    [
      'staged',
      async () => {
        await writeFile(join(repo, 'src/a.txt'), 'mine\n');
        git(repo, 'add', 'src/a.txt');
      },
    ],
    ['deleted', async () => rm(join(repo, 'src/a.txt'))],
  ])('refuses a %s file the plan changes, naming it and changing nothing', async (_how, change) => {
    const options = await planWith({ 'src/a.txt': 'A\n' });
    await change();
    await writeFile(join(repo, 'package.json'), '{ "unrelated": true }\n');
    const before = projectState();

    const preview = await project.previewApply(options);
    const error = await rejection(project.applyChanges(options));

    expect(error).toMatchObject({ code: 'DIRTY_WORKTREE', details: { files: ['src/a.txt'] } });
    expect(error.message).toContain('uncommitted changes in 1 file the plan changes: src/a.txt');
    expect(preview).toMatchObject({ status: 'refused', error: { code: 'DIRTY_WORKTREE', message: error.message } });
    expect(projectState()).toEqual(before);
  });

  it('refuses changes to the files a plan deletes or renames, naming both sides', async () => {
    const options = await planWith({ 'old.txt': null, 'src/b.txt': { from: 'src/a.txt' } });
    await writeFile(join(repo, 'old.txt'), 'still needed\n');
    await writeFile(join(repo, 'src/a.txt'), 'mine\n');
    const before = projectState();

    const error = await rejection(project.applyChanges(options));

    expect(error).toMatchObject({ code: 'DIRTY_WORKTREE', details: { files: ['old.txt', 'src/a.txt'] } });
    expect((await project.previewApply(options)).status).toBe('refused');
    expect(projectState()).toEqual(before);
  });

  it('refuses an untracked file where the plan creates one, and applies once it is gone', async () => {
    const options = await planWith({ 'src/new.txt': 'new\n' });
    await writeFile(join(repo, 'src/new.txt'), 'my own\n');
    await writeFile(join(repo, 'scratch.txt'), 'mine\n');
    const before = projectState();

    const error = await rejection(project.applyChanges(options));
    expect(error).toMatchObject({ code: 'DIRTY_WORKTREE', details: { files: ['src/new.txt'] } });
    expect(await project.previewApply(options)).toMatchObject({ status: 'refused', error: { message: error.message } });
    expect(projectState()).toEqual(before);
    expect(await readFile(join(repo, 'src/new.txt'), 'utf8')).toBe('my own\n');

    await rm(join(repo, 'src/new.txt'));
    expect((await project.applyChanges(options)).status).toBe('applied');
    expect(await readFile(join(repo, 'scratch.txt'), 'utf8')).toBe('mine\n');
  });
});
