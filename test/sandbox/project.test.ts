import { engineMerger } from '../../src/runtime/children/engine-merger.js';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, realpath, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProjectRepo, findProjectRoot, initProject } from '../../src/sandbox/index.js';
import { git, tempDir, tempRepo, writeFiles } from '../helpers/temp.js';
import { rejection } from '../helpers/rejection.js';

let repo: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  const temp = await tempRepo({ 'README.md': '# test\n', 'src/a.txt': 'a\n' });
  cleanup = temp.cleanup;
  repo = await realpath(temp.dir);
});
afterEach(async () => {
  await cleanup();
});

describe('findProjectRoot', () => {
  it('finds the repository root from a subdirectory', async () => {
    expect(await findProjectRoot(join(repo, 'src'))).toBe(repo);
  });

  it('fails with NOT_A_GIT_REPO outside a repository and for a missing directory', async () => {
    const plain = await tempDir();
    try {
      for (const dir of [plain.dir, join(plain.dir, 'does-not-exist')]) {
        const error = await rejection(findProjectRoot(dir));
        expect(error.code).toBe('NOT_A_GIT_REPO');
        expect(error.message).toBe(`${dir} is not inside a git repository`);
        expect(error.hint).toBe('run git init first, or pass -C <repo>');
      }
    } finally {
      await plain.cleanup();
    }
  });
});

describe('initProject', () => {
  it('creates .troupe/, its worktrees folder and default config, and excludes .troupe/ from git', async () => {
    expect(await initProject(join(repo, 'src'))).toEqual({ root: repo, created: true });

    expect(existsSync(join(repo, '.troupe', 'worktrees'))).toBe(true);
    expect(JSON.parse(await readFile(join(repo, '.troupe', 'config.json'), 'utf8'))).toEqual({
      invariants: [],
      actors: { strategist: 'scripted', reconciler: 'default' },
    });
    expect((await readFile(join(repo, '.git', 'info', 'exclude'), 'utf8')).split('\n')).toContain('.troupe/');
    expect(git(repo, 'status', '--porcelain', '--untracked-files=all')).toBe('');
  });

  it('lets commands set up a new project at once: each succeeds, reads the config whole, and leaves no draft', async () => {
    const config = join(repo, '.troupe', 'config.json');
    const readers = Array.from({ length: 8 }, async () => {
      // a reader that races the writers sees no file or the whole file, never a part of it
      for (let tries = 0; tries < 50; tries += 1) {
        const text = await readFile(config, 'utf8').catch(() => null);
        if (text !== null) return JSON.parse(text) as unknown;
        await new Promise((resolve) => setImmediate(resolve));
      }
      return null;
    });
    const setUps = await Promise.all(Array.from({ length: 8 }, () => initProject(repo)));
    for (const read of await Promise.all(readers))
      if (read !== null)
        expect(read).toEqual({ invariants: [], actors: { strategist: 'scripted', reconciler: 'default' } });
    expect(setUps.every((setUp) => setUp.root === repo)).toBe(true);
    expect(await readdir(join(repo, '.troupe'))).toEqual(['config.json', 'worktrees']);
  });

  it('is idempotent: keeps an edited config and never adds the exclude line twice', async () => {
    await initProject(repo);
    await writeFile(join(repo, '.troupe', 'config.json'), '{"invariants": [{"kind": "custom"}]}\n');

    expect(await initProject(repo)).toEqual({ root: repo, created: false });

    expect(await readFile(join(repo, '.troupe', 'config.json'), 'utf8')).toBe('{"invariants": [{"kind": "custom"}]}\n');
    const lines = (await readFile(join(repo, '.git', 'info', 'exclude'), 'utf8')).split('\n');
    expect(lines.filter((line) => line === '.troupe/')).toHaveLength(1);
  });

  it('adds the exclude line even when info/exclude is missing or has no final newline', async () => {
    await rm(join(repo, '.git', 'info'), { recursive: true, force: true });
    expect((await initProject(repo)).created).toBe(true);
    expect(await readFile(join(repo, '.git', 'info', 'exclude'), 'utf8')).toBe('.troupe/\n');

    await writeFile(join(repo, '.git', 'info', 'exclude'), '*.log');
    await initProject(repo);
    expect(await readFile(join(repo, '.git', 'info', 'exclude'), 'utf8')).toBe('*.log\n.troupe/\n');
  });

  it("writes the exclude line to the repository's common dir from a linked worktree", async () => {
    const linked = join(repo, '..', `${repo.split('/').at(-1)}-linked`);
    git(repo, 'worktree', 'add', '-q', '-b', 'side', linked);
    try {
      const { root } = await initProject(linked);
      expect(root).toBe(await realpath(linked));
      expect(existsSync(join(linked, '.troupe', 'config.json'))).toBe(true);
      expect(await readFile(join(repo, '.git', 'info', 'exclude'), 'utf8')).toMatch(/^\.troupe\/$/m);
      expect(git(linked, 'status', '--porcelain', '--untracked-files=all')).toBe('');
    } finally {
      await rm(linked, { recursive: true, force: true });
    }
  });

  it('fails with NOT_A_GIT_REPO outside a repository', async () => {
    const plain = await tempDir();
    try {
      expect((await rejection(initProject(plain.dir))).code).toBe('NOT_A_GIT_REPO');
      expect(existsSync(join(plain.dir, '.troupe'))).toBe(false);
    } finally {
      await plain.cleanup();
    }
  });
});

describe('ProjectRepo', () => {
  it('head() is the current commit, or null before the first commit', async () => {
    expect(await createProjectRepo(repo, engineMerger(repo)).head()).toBe(git(repo, 'rev-parse', 'HEAD'));

    const empty = await tempDir();
    try {
      git(empty.dir, 'init', '-q', '-b', 'main');
      expect(await createProjectRepo(empty.dir, engineMerger(empty.dir)).head()).toBeNull();
    } finally {
      await empty.cleanup();
    }
  });

  it('dirtyPaths() lists modified, staged and deleted tracked files, not untracked ones or .troupe/', async () => {
    const project = createProjectRepo(repo, engineMerger(repo));
    await initProject(repo);
    await writeFiles(repo, {
      'staged.txt': 'new\n',
      'untracked.txt': 'x\n',
      'src/a.txt': 'changed\n',
      '.troupe/db/LOG': 'x\n',
    });
    git(repo, 'add', 'staged.txt');
    await rm(join(repo, 'README.md'));
    await mkdir(join(repo, 'empty-dir'));

    expect(await project.dirtyPaths()).toEqual(['README.md', 'src/a.txt', 'staged.txt']);
  });

  it('dirtyPaths() is empty for a clean tree with untracked files', async () => {
    await writeFiles(repo, { 'notes.txt': 'mine\n' });
    expect(await createProjectRepo(repo, engineMerger(repo)).dirtyPaths()).toEqual([]);
  });
});
