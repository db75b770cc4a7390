import { engineMerger } from '../../src/runtime/children/engine-merger.js';
import { existsSync } from 'node:fs';
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId, type SandboxInfo } from '../../src/domain/index.js';
import {
  createGitSandboxes,
  createProjectRepo,
  initProject,
  type GitSandboxes,
  type ProjectRepo,
} from '../../src/sandbox/index.js';
import { git, tempRepo, writeFiles } from '../helpers/temp.js';
import { rejection } from '../helpers/rejection.js';

const LINES = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`);
const text = (lines: string[]) => `${lines.join('\n')}\n`;
const replaced = (index: number, value: string) => text(LINES.map((line, i) => (i === index ? value : line)));

let repo: string;
let cleanup: () => Promise<void>;
let sandboxes: GitSandboxes;
let project: ProjectRepo;

beforeEach(async () => {
  ({ dir: repo, cleanup } = await tempRepo({
    'README.md': '# test\n',
    'src/a.txt': text(LINES),
    'old.txt': 'to be deleted\n',
  }));
  await initProject(repo);
  sandboxes = createGitSandboxes(repo);
  project = createProjectRepo(repo, engineMerger(repo));
});
afterEach(async () => {
  await cleanup();
});

/** A sandbox with `files` written (null deletes) and committed as one step. */
async function planWith(
  files: Record<string, string | Buffer | null>,
): Promise<{ planId: string; sandbox: SandboxInfo; head: string }> {
  const planId = newId();
  const sandbox = await sandboxes.ensure({ id: planId, name: 'demo/apply' });
  const path = sandboxes.pathOf(sandbox);
  for (const [file, content] of Object.entries(files)) {
    if (content === null) await rm(join(path, file));
    else await writeFiles(path, { [file]: content });
  }
  const head = await sandboxes.commit(sandbox, 'step 1');
  return { planId, sandbox, head };
}

async function commitInProject(files: Record<string, string | Buffer>): Promise<string> {
  await writeFiles(repo, files);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'user change');
  return git(repo, 'rev-parse', 'HEAD');
}

/** Everything apply must leave alone when it refuses. */
function projectState(): string[] {
  return [
    git(repo, 'rev-parse', 'HEAD'),
    git(repo, 'status', '--porcelain', '--untracked-files=all'),
    git(repo, 'write-tree'),
    git(repo, 'diff'),
  ];
}

describe('applyChanges', () => {
  it('applies onto a project that did not move as one commit by troupe with the plan trailer', async () => {
    const before = git(repo, 'rev-parse', 'HEAD');
    const { planId, sandbox, head } = await planWith({ 'src/a.txt': replaced(0, 'LINE 1'), 'src/new.txt': 'new\n' });

    const result = await project.applyChanges({
      base: sandbox.baseCommit,
      head,
      message: 'demo/apply: edit a.txt',
      planId,
    });

    expect(result).toEqual({ status: 'applied', commit: git(repo, 'rev-parse', 'HEAD') });
    expect(git(repo, 'rev-parse', 'HEAD^')).toBe(before);
    expect(git(repo, 'rev-parse', 'HEAD^{tree}')).toBe(git(repo, 'rev-parse', `${head}^{tree}`));
    expect(git(repo, 'log', '-1', '--format=%an <%ae>|%cn <%ce>')).toBe(
      'troupe <troupe@localhost>|troupe <troupe@localhost>',
    );
    expect(git(repo, 'log', '-1', '--format=%B')).toBe(`demo/apply: edit a.txt\n\nTroupe-Plan-Id: ${planId}`);
    expect(git(repo, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
    expect(await readFile(join(repo, 'src/new.txt'), 'utf8')).toBe('new\n');
    expect(git(repo, 'status', '--porcelain')).toBe('');
  });

  it('merges three ways when the project moved on other files and lines', async () => {
    const { planId, sandbox, head } = await planWith({ 'src/a.txt': replaced(1, 'PLAN'), 'plan.txt': 'plan\n' });
    const moved = await commitInProject({ 'src/a.txt': replaced(9, 'USER'), 'user.txt': 'user\n' });

    const result = await project.applyChanges({ base: sandbox.baseCommit, head, message: 'apply', planId });

    expect(result.status).toBe('applied');
    expect(git(repo, 'rev-parse', 'HEAD^')).toBe(moved);
    const merged = LINES.map((line, i) => (i === 1 ? 'PLAN' : i === 9 ? 'USER' : line));
    expect(await readFile(join(repo, 'src/a.txt'), 'utf8')).toBe(text(merged));
    expect(await readFile(join(repo, 'plan.txt'), 'utf8')).toBe('plan\n');
    expect(await readFile(join(repo, 'user.txt'), 'utf8')).toBe('user\n');
    expect(git(repo, 'status', '--porcelain')).toBe('');
  });

  it('brings only base..head even when the project dropped the base commit since', async () => {
    await commitInProject({ 'dropped.txt': 'the user will drop this commit\n' });
    const { planId, sandbox, head } = await planWith({ 'src/a.txt': replaced(1, 'PLAN') });
    git(repo, 'reset', '-q', '--hard', 'HEAD~1');
    await commitInProject({ 'src/a.txt': replaced(9, 'USER') });

    await project.applyChanges({ base: sandbox.baseCommit, head, message: 'apply', planId });

    expect(existsSync(join(repo, 'dropped.txt'))).toBe(false);
    expect(await readFile(join(repo, 'src/a.txt'), 'utf8')).toBe(
      text(LINES.map((line, i) => (i === 1 ? 'PLAN' : i === 9 ? 'USER' : line))),
    );
  });

  it('returns the conflicts and a commit of the clean parts when both changed the same lines, leaving the project as it was', async () => {
    const { planId, sandbox, head } = await planWith({ 'src/a.txt': replaced(4, 'PLAN'), 'plan.txt': 'plan\n' });
    const ours = await commitInProject({ 'src/a.txt': replaced(4, 'USER') });
    const before = projectState();

    const result = await project.applyChanges({ base: sandbox.baseCommit, head, message: 'apply', planId });

    if (result.status !== 'conflict') throw new Error(`expected conflicts, got ${result.status}`);
    expect(result.ours).toBe(ours);
    expect(result.conflicts.map(({ file, kind, hunks }) => ({ file, kind, hunks }))).toEqual([
      { file: 'src/a.txt', kind: 'content', hunks: [{ ours: 'USER\n', base: 'line 5\n', theirs: 'PLAN\n' }] },
    ]);
    expect(Buffer.from(result.conflicts[0]!.content!).toString()).toContain('<<<<<<< ours\nUSER\n');
    // the clean commit holds the plan's other file and ours' side of the conflict
    expect(git(repo, 'show', `${result.clean}:plan.txt`)).toBe('plan');
    expect(git(repo, 'show', `${result.clean}:src/a.txt`)).toBe(replaced(4, 'USER').trim());
    expect(git(repo, 'rev-parse', `${result.clean}^`)).toBe(ours);
    expect(projectState()).toEqual(before);
    expect(await readFile(join(repo, 'src/a.txt'), 'utf8')).toBe(replaced(4, 'USER'));
    expect(existsSync(join(repo, 'plan.txt'))).toBe(false);
  });

  it('refuses with MERGE_CONFLICT under fail-on-conflict, and settles to one side under ours or theirs', async () => {
    const { planId, sandbox, head } = await planWith({ 'src/a.txt': replaced(4, 'PLAN'), 'plan.txt': 'plan\n' });
    await commitInProject({ 'src/a.txt': replaced(4, 'USER') });
    const before = projectState();

    const error = await rejection(
      project.applyChanges({ base: sandbox.baseCommit, head, message: 'apply', planId, strategy: 'fail-on-conflict' }),
    );
    expect(error.code).toBe('MERGE_CONFLICT');
    expect(error.message).toBe(`cannot apply plan ${planId}: 1 file conflicts (fail-on-conflict): src/a.txt`);
    expect(error.details).toEqual({
      files: ['src/a.txt'],
      conflicts: [
        { file: 'src/a.txt', kind: 'content', hunks: [{ ours: 'USER\n', base: 'line 5\n', theirs: 'PLAN\n' }] },
      ],
    });
    expect(projectState()).toEqual(before);

    const applied = await project.applyChanges({
      base: sandbox.baseCommit,
      head,
      message: 'apply',
      planId,
      strategy: 'ours',
    });
    expect(applied).toMatchObject({
      status: 'applied',
      settled: [{ file: 'src/a.txt', kind: 'content', side: 'ours', hunks: 1 }],
    });
    expect(await readFile(join(repo, 'src/a.txt'), 'utf8')).toBe(replaced(4, 'USER'));
    expect(await readFile(join(repo, 'plan.txt'), 'utf8')).toBe('plan\n');
  });

  it('merges a JSON file by key where a line merge would conflict (one-line JSON, different keys)', async () => {
    await commitInProject({ 'conf.json': '{"name":"x","port":1}\n' });
    const { planId, sandbox, head } = await planWith({ 'conf.json': '{"name":"x","port":2}\n' });
    await commitInProject({ 'conf.json': '{"name":"y","port":1}\n' });

    const result = await project.applyChanges({ base: sandbox.baseCommit, head, message: 'apply', planId });

    expect(result.status).toBe('applied');
    expect(await readFile(join(repo, 'conf.json'), 'utf8')).toBe('{"name":"y","port":2}\n');
  });

  it('names a binary conflict and a modify/delete conflict by kind, and applies nothing', async () => {
    await commitInProject({ 'img.bin': Buffer.from([0, 1]) });
    const { planId, sandbox, head } = await planWith({
      'img.bin': Buffer.from([0, 2]),
      'old.txt': 'changed by the plan\n',
    });
    await writeFiles(repo, { 'img.bin': Buffer.from([0, 3]) });
    git(repo, 'rm', '-q', 'old.txt');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'user');
    const before = projectState();

    const result = await project.applyChanges({ base: sandbox.baseCommit, head, message: 'apply', planId });

    if (result.status !== 'conflict') throw new Error(`expected conflicts, got ${result.status}`);
    expect(result.conflicts.map(({ file, kind, content }) => [file, kind, content])).toEqual([
      ['img.bin', 'binary', null],
      ['old.txt', 'modify-delete', null],
    ]);
    expect(projectState()).toEqual(before);
  });

  it('refuses when an untracked file is in the way, changing nothing', async () => {
    const { planId, sandbox, head } = await planWith({
      'notes.txt': 'from the plan\n',
      'src/a.txt': replaced(0, 'PLAN'),
    });
    await writeFile(join(repo, 'notes.txt'), 'my own notes\n');
    const before = projectState();

    const error = await rejection(project.applyChanges({ base: sandbox.baseCommit, head, message: 'apply', planId }));

    expect(error.code).toBe('DIRTY_WORKTREE');
    expect(error.details).toEqual({ files: ['notes.txt'] });
    expect(projectState()).toEqual(before);
    expect(await readFile(join(repo, 'notes.txt'), 'utf8')).toBe('my own notes\n');
    expect(await readFile(join(repo, 'src/a.txt'), 'utf8')).toBe(text(LINES));
  });

  it('is idempotent: applying again returns the first commit and changes nothing', async () => {
    const { planId, sandbox, head } = await planWith({ 'plan.txt': 'plan\n' });
    const first = await project.applyChanges({ base: sandbox.baseCommit, head, message: 'apply', planId });
    await commitInProject({ 'later.txt': 'later\n' });
    await writeFile(join(repo, 'README.md'), 'dirty now\n');
    const before = projectState();

    const second = await project.applyChanges({ base: sandbox.baseCommit, head, message: 'apply', planId });

    expect(first.status).toBe('applied');
    expect(second).toEqual({ ...first, alreadyApplied: true });
    expect(projectState()).toEqual(before);
  });

  it('reports unchanged when the sandbox changed nothing', async () => {
    const { planId, sandbox, head } = await planWith({});
    const before = projectState();

    expect(await project.applyChanges({ base: sandbox.baseCommit, head, message: 'apply', planId })).toEqual({
      status: 'unchanged',
    });
    expect(
      await project.applyChanges({ base: sandbox.baseCommit, head: sandbox.baseCommit, message: 'apply', planId }),
    ).toEqual({ status: 'unchanged' });
    expect(projectState()).toEqual(before);
  });

  it('carries deletions and binary files over', async () => {
    const binary = Buffer.from([0, 159, 146, 150, 0, 1, 2, 255]);
    const { planId, sandbox, head } = await planWith({ 'old.txt': null, 'assets/logo.bin': binary });
    await commitInProject({ 'user.txt': 'user\n' });

    await project.applyChanges({ base: sandbox.baseCommit, head, message: 'apply', planId });

    expect(existsSync(join(repo, 'old.txt'))).toBe(false);
    expect(Buffer.compare(await readFile(join(repo, 'assets/logo.bin')), binary)).toBe(0);
    expect(git(repo, 'show', '--format=', '--name-status', 'HEAD').split('\n')).toEqual([
      'A\tassets/logo.bin',
      'D\told.txt',
    ]);
  });

  it('works on a detached HEAD', async () => {
    const { planId, sandbox, head } = await planWith({ 'plan.txt': 'plan\n' });
    git(repo, 'checkout', '-q', '--detach', 'HEAD');
    await commitInProject({ 'user.txt': 'user\n' });

    const result = await project.applyChanges({ base: sandbox.baseCommit, head, message: 'apply', planId });

    expect(result.status === 'applied' && result.commit).toBe(git(repo, 'rev-parse', 'HEAD'));
    expect(git(repo, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('HEAD');
    expect(git(repo, 'rev-parse', 'main')).not.toBe(git(repo, 'rev-parse', 'HEAD'));
    expect(await readFile(join(repo, 'plan.txt'), 'utf8')).toBe('plan\n');
  });

  it("does not run the project's hooks", async () => {
    const { planId, sandbox, head } = await planWith({ 'plan.txt': 'plan\n' });
    await commitInProject({ 'user.txt': 'user\n' });
    const marker = join(repo, 'hook-ran');
    // reference-transaction runs on every ref update and can veto it
    for (const hook of ['post-merge', 'post-checkout', 'reference-transaction']) {
      const path = join(repo, '.git', 'hooks', hook);
      await writeFile(path, `#!/bin/sh\necho ${hook} >> "${marker}"\nexit 1\n`);
      await chmod(path, 0o755);
    }

    expect((await project.applyChanges({ base: sandbox.baseCommit, head, message: 'apply', planId })).status).toBe(
      'applied',
    );
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses a plan id that is not a ULID and revisions that are not commits', async () => {
    const { sandbox, head } = await planWith({ 'plan.txt': 'plan\n' });
    expect(
      (await rejection(project.applyChanges({ base: sandbox.baseCommit, head, message: 'x', planId: 'nope' }))).code,
    ).toBe('VALIDATION_ERROR');
    expect((await rejection(project.applyChanges({ base: '--all', head, message: 'x', planId: newId() }))).code).toBe(
      'VALIDATION_ERROR',
    );
    expect(
      (
        await rejection(
          project.applyChanges({ base: sandbox.baseCommit, head: 'f'.repeat(40), message: 'x', planId: newId() }),
        )
      ).code,
    ).toBe('VALIDATION_ERROR');
  });
});

describe('previewApply', () => {
  it('describes the commit apply would make — files, and diff on request — and changes nothing', async () => {
    const { planId, sandbox, head } = await planWith({
      'src/a.txt': replaced(0, 'LINE 1'),
      'src/new.txt': 'new\n',
      'old.txt': null,
    });
    const before = projectState();
    const preview = await project.previewApply(
      { base: sandbox.baseCommit, head, message: 'x', planId },
      { patch: true },
    );
    expect(preview).toMatchObject({ status: 'commit', onto: before[0], merged: false, settled: [] });
    if (preview.status !== 'commit') throw new Error('expected a commit');
    expect(preview.files.map((file) => [file.action, file.path, file.linesAdded, file.linesRemoved])).toEqual([
      ['deleted', 'old.txt', 0, 1],
      ['modified', 'src/a.txt', 1, 1],
      ['added', 'src/new.txt', 1, 0],
    ]);
    expect(preview.patch).toBe(git(repo, 'diff', '--no-color', 'HEAD', head) + '\n');
    expect(projectState()).toEqual(before);
    expect(git(repo, 'for-each-ref', '--format=%(refname)', 'refs/heads')).toBe(
      'refs/heads/main\n' + `refs/heads/${sandbox.branch}`.trim(),
    );
  });

  it('answers unchanged, already applied, an untracked file in the way, and conflicts as apply would meet them', async () => {
    const empty = await planWith({});
    expect(
      await project.previewApply({
        base: empty.sandbox.baseCommit,
        head: empty.head,
        message: 'x',
        planId: empty.planId,
      }),
    ).toEqual({ status: 'unchanged' });

    const { planId, sandbox, head } = await planWith({ 'src/new.txt': 'new\n', 'src/a.txt': replaced(3, 'mine') });
    await writeFile(join(repo, 'src/new.txt'), 'untracked\n');
    const before = projectState();
    const blocked = await project.previewApply({ base: sandbox.baseCommit, head, message: 'x', planId });
    expect(blocked.status).toBe('refused');
    if (blocked.status !== 'refused') throw new Error('expected a refusal');
    expect(blocked.error.code).toBe('DIRTY_WORKTREE');
    expect(blocked.error.message).toContain('untracked files in the project would be overwritten: src/new.txt');
    expect(projectState()).toEqual(before);
    await rm(join(repo, 'src/new.txt'));

    await commitInProject({ 'src/a.txt': replaced(3, 'theirs') });
    const conflict = await project.previewApply({ base: sandbox.baseCommit, head, message: 'x', planId });
    expect(conflict).toEqual({
      status: 'conflict',
      onto: git(repo, 'rev-parse', 'HEAD'),
      conflicts: [{ file: 'src/a.txt', kind: 'content', hunks: 1 }],
    });
    const failing = await project.previewApply({
      base: sandbox.baseCommit,
      head,
      message: 'x',
      planId,
      strategy: 'fail-on-conflict',
    });
    expect(failing.status === 'refused' && failing.error.code).toBe('MERGE_CONFLICT');

    const applied = await project.applyChanges({
      base: sandbox.baseCommit,
      head,
      message: 'x',
      planId,
      strategy: 'theirs',
    });
    expect(applied.status).toBe('applied');
    expect(await project.previewApply({ base: sandbox.baseCommit, head, message: 'x', planId })).toEqual({
      status: 'applied',
      commit: git(repo, 'rev-parse', 'HEAD'),
    });
  });
});
