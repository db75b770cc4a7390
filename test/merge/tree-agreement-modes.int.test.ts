import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mergeCommitRound, mergeCommits } from '../../src/runtime/children/engine-merger.js';
import { GitTrees } from '../../src/sandbox/git-trees.js';
import { GIT_ENV, git, tempDir } from '../helpers/temp.js';
import {
  gitMerge,
  referenceRepo,
  treeFiles,
  troupeMerge,
  type FixtureTree,
  type ReferenceRepo,
} from './merge-tree-reference.js';

// Tree merges with modes, submodules and entries of different types, side by
// side with git merge-tree (merge-ort): where git merges cleanly troupe writes
// the same tree; where git conflicts troupe conflicts on the same path, with a
// kind of its own. Fixtures are small excerpts of the real cases (a file made
// executable on one side and deleted on the other, as 40 times in
// Font-Awesome's history; submodule pointers; symlinks; file/directory).

const repos: ReferenceRepo[] = [];
afterEach(async () => {
  for (const repo of repos.splice(0)) await repo.cleanup();
});

type Fixture = { base: FixtureTree; ours: FixtureTree; theirs: FixtureTree };

async function both(fixture: Fixture) {
  const repo = await referenceRepo(fixture);
  repos.push(repo);
  return { repo, troupe: await troupeMerge(repo), git: gitMerge(repo) };
}

const exec = (content: string) => ({ content, mode: '100755' as const });
const link = (target: string) => ({ content: target, mode: '120000' as const });
const submodule = (digit: number) => ({ gitlink: String(digit).repeat(40) });
const ICONS =
  '.fa-glass:before { content: "\\f000"; }\n.fa-music:before { content: "\\f001"; }\n.fa-search:before { content: "\\f002"; }\n';
// the files of a directory differ from the file against them: git would otherwise see a rename
const BRANDS = '.fa-github:before { content: "\\f09b"; }\n.fa-twitter:before { content: "\\f099"; }\n';
const BUILD = '#!/bin/sh\nset -e\nmake icons\nmake fonts\n';

describe('modes, as git merges them', () => {
  it.each<[string, Fixture]>([
    [
      'ours makes a script executable, theirs edits it',
      {
        base: { 'build.sh': BUILD },
        ours: { 'build.sh': exec(BUILD) },
        theirs: { 'build.sh': BUILD.replace('fonts', 'fonts woff2') },
      },
    ],
    [
      'ours edits a script, theirs makes it executable',
      {
        base: { 'build.sh': BUILD },
        ours: { 'build.sh': BUILD.replace('icons', 'icons svg') },
        theirs: { 'build.sh': exec(BUILD) },
      },
    ],
    [
      'ours drops the executable bit, theirs edits',
      {
        base: { 'build.sh': exec(BUILD) },
        ours: { 'build.sh': BUILD },
        theirs: { 'build.sh': exec(BUILD.replace('fonts', 'fonts woff2')) },
      },
    ],
    [
      'both make it executable alike',
      { base: { 'build.sh': BUILD }, ours: { 'build.sh': exec(BUILD) }, theirs: { 'build.sh': exec(BUILD) } },
    ],
    [
      'only theirs changes the mode, ours another file',
      {
        base: { 'build.sh': BUILD, 'icons.css': ICONS },
        ours: { 'build.sh': BUILD, 'icons.css': ICONS.replace('glass', 'martini') },
        theirs: { 'build.sh': exec(BUILD), 'icons.css': ICONS },
      },
    ],
    [
      'only theirs changes the mode, beside a file both change',
      {
        base: { 'build.sh': BUILD, 'icons.css': ICONS },
        ours: { 'build.sh': BUILD, 'icons.css': ICONS.replace('glass', 'martini') },
        theirs: { 'build.sh': exec(BUILD), 'icons.css': ICONS.replace('search', 'find') },
      },
    ],
  ])('%s: the same tree as git', async (_, fixture) => {
    const merged = await both(fixture);
    expect(merged.git.clean).toBe(true);
    expect(merged.troupe.conflicts).toEqual([]);
    expect(merged.troupe.files).toEqual(merged.git.files);
  });

  it.each<[string, Fixture, string]>([
    [
      'ours',
      {
        base: { 'src/fa.sh': BUILD, 'icons.css': ICONS },
        ours: { 'src/fa.sh': exec(BUILD), 'icons.css': ICONS },
        theirs: { 'icons.css': ICONS.replace('music', 'note') },
      },
      'ours',
    ],
    [
      'theirs',
      {
        base: { 'src/fa.sh': BUILD, 'icons.css': ICONS },
        ours: { 'icons.css': ICONS.replace('music', 'note') },
        theirs: { 'src/fa.sh': exec(BUILD), 'icons.css': ICONS },
      },
      'theirs',
    ],
  ])(
    'a mode change on %s against a deletion is a modify/delete conflict, as in git, not a silent deletion',
    async (_, fixture, changed) => {
      const merged = await both(fixture);
      expect(Object.keys(merged.git.conflicted)).toEqual(['src/fa.sh']);
      expect(merged.git.messages).toContain('CONFLICT (modify/delete)');
      expect(merged.troupe.conflicts).toEqual([
        {
          file: 'src/fa.sh',
          kind: 'modify-delete',
          hunks: [
            {
              base: BUILD,
              [changed]: 'mode 100644 → 100755, content unchanged',
              [changed === 'ours' ? 'theirs' : 'ours']: null,
            },
          ],
          content: null,
        },
      ]);
      // the rest of the merge goes through
      expect(merged.troupe.files['icons.css']).toEqual(merged.git.files['icons.css']);
    },
  );

  it('a file both sides add with different modes conflicts (add/add), as in git; either side settles it', async () => {
    const merged = await both({ base: {}, ours: { 'build.sh': exec(BUILD) }, theirs: { 'build.sh': BUILD } });
    expect(merged.git.conflicted).toEqual({ 'build.sh': [2, 3] });
    expect(merged.troupe.conflicts).toEqual([
      {
        file: 'build.sh',
        kind: 'add-add',
        hunks: [{ ours: 'mode 100755', base: null, theirs: 'mode 100644' }],
        content: new TextEncoder().encode(BUILD),
      },
    ]);
  });

  it('a mode-only change on theirs arrives through a round of child merges', async () => {
    const fixture = {
      base: { 'build.sh': BUILD, 'icons.css': ICONS },
      ours: { 'build.sh': BUILD, 'icons.css': ICONS.replace('glass', 'martini') },
      theirs: { 'build.sh': exec(BUILD), 'icons.css': ICONS },
    };
    const { repo, git: reference } = await both(fixture);
    const round = await mergeCommitRound(repo.trees, {
      ours: repo.ours,
      strategy: 'three-way',
      merges: [{ base: repo.base, theirs: repo.theirs, message: 'merge', subject: 'merge' }],
    });
    expect(round.stopped).toBeUndefined();
    expect(treeFiles(repo.dir, round.merged[0]!.commit)).toEqual(reference.files);
  });
});

describe('submodules, as git merges them', () => {
  it.each<[string, Fixture]>([
    [
      'both sides move the pointer alike',
      { base: { vendor: submodule(1) }, ours: { vendor: submodule(2) }, theirs: { vendor: submodule(2) } },
    ],
    [
      'theirs moves the pointer, ours edits a file',
      {
        base: { vendor: submodule(1), 'icons.css': ICONS },
        ours: { vendor: submodule(1), 'icons.css': ICONS.replace('glass', 'martini') },
        theirs: { vendor: submodule(2), 'icons.css': ICONS },
      },
    ],
    [
      'theirs moves the pointer beside a file both edit',
      {
        base: { vendor: submodule(1), 'icons.css': ICONS },
        ours: { vendor: submodule(1), 'icons.css': ICONS.replace('glass', 'martini') },
        theirs: { vendor: submodule(2), 'icons.css': ICONS.replace('search', 'find') },
      },
    ],
    [
      'ours moves the pointer, theirs edits a file',
      {
        base: { vendor: submodule(1), 'icons.css': ICONS },
        ours: { vendor: submodule(3), 'icons.css': ICONS },
        theirs: { vendor: submodule(1), 'icons.css': ICONS.replace('glass', 'martini') },
      },
    ],
    [
      'theirs adds a submodule',
      {
        base: { 'icons.css': ICONS },
        ours: { 'icons.css': ICONS.replace('glass', 'martini') },
        theirs: { 'icons.css': ICONS, 'vendor/fonts': submodule(4) },
      },
    ],
  ])('%s: the same tree as git', async (_, fixture) => {
    const merged = await both(fixture);
    expect(merged.git.clean).toBe(true);
    expect(merged.troupe.conflicts).toEqual([]);
    expect(merged.troupe.files).toEqual(merged.git.files);
  });

  it('both sides moving the pointer differently is a submodule conflict, ours kept until it is resolved', async () => {
    const merged = await both({
      base: { vendor: submodule(1), 'icons.css': ICONS },
      ours: { vendor: submodule(2), 'icons.css': ICONS },
      theirs: { vendor: submodule(3), 'icons.css': ICONS.replace('glass', 'martini') },
    });
    expect(Object.keys(merged.git.conflicted)).toEqual(['vendor']);
    expect(merged.git.messages).toContain('CONFLICT (submodule)');
    expect(merged.troupe.conflicts).toEqual([
      {
        file: 'vendor',
        kind: 'submodule',
        hunks: [
          {
            ours: `submodule commit ${'2'.repeat(40)}`,
            base: `submodule commit ${'1'.repeat(40)}`,
            theirs: `submodule commit ${'3'.repeat(40)}`,
          },
        ],
        content: null,
      },
    ]);
    expect(merged.troupe.files).toEqual(merged.git.files);
  });

  it('both sides adding different submodules at one path is a submodule conflict', async () => {
    const merged = await both({ base: {}, ours: { vendor: submodule(2) }, theirs: { vendor: submodule(3) } });
    expect(Object.keys(merged.git.conflicted)).toEqual(['vendor']);
    expect(merged.troupe.conflicts.map((conflict) => [conflict.file, conflict.kind])).toEqual([
      ['vendor', 'submodule'],
    ]);
  });

  it('a submodule deleted on one side and moved on the other is modify/delete', async () => {
    const merged = await both({ base: { vendor: submodule(1) }, ours: {}, theirs: { vendor: submodule(3) } });
    expect(merged.git.messages).toContain('CONFLICT (modify/delete)');
    expect(Object.keys(merged.git.conflicted)).toEqual(['vendor']);
    expect(merged.troupe.conflicts).toEqual([
      {
        file: 'vendor',
        kind: 'modify-delete',
        hunks: [
          { ours: null, base: `submodule commit ${'1'.repeat(40)}`, theirs: `submodule commit ${'3'.repeat(40)}` },
        ],
        content: null,
      },
    ]);
  });

  it('a child that moves a pointer merges in a round without a file read', async () => {
    const fixture = {
      base: { vendor: submodule(1), 'icons.css': ICONS },
      ours: { vendor: submodule(1), 'icons.css': ICONS.replace('glass', 'martini') },
      theirs: { vendor: submodule(2), 'icons.css': ICONS },
    };
    const { repo, git: reference } = await both(fixture);
    const round = await mergeCommitRound(repo.trees, {
      ours: repo.ours,
      strategy: 'three-way',
      merges: [{ base: repo.base, theirs: repo.theirs, message: 'merge', subject: 'merge' }],
    });
    expect(round.stopped).toBeUndefined();
    expect(treeFiles(repo.dir, round.merged[0]!.commit)).toEqual(reference.files);
  });
});

describe('entries of different types', () => {
  it.each<[string, Fixture, string]>([
    [
      'a symlink (ours) against a file theirs edited',
      {
        base: { 'fonts.css': ICONS },
        ours: { 'fonts.css': link('css/icons.css') },
        theirs: { 'fonts.css': ICONS.replace('glass', 'martini') },
      },
      'fonts.css',
    ],
    [
      'a file ours edited against a symlink (theirs)',
      {
        base: { 'fonts.css': ICONS },
        ours: { 'fonts.css': ICONS.replace('glass', 'martini') },
        theirs: { 'fonts.css': link('css/icons.css') },
      },
      'fonts.css',
    ],
    [
      'a symlink against a file both added',
      { base: {}, ours: { 'fonts.css': link('css/icons.css') }, theirs: { 'fonts.css': ICONS } },
      'fonts.css',
    ],
    [
      'a submodule ours moved against a file theirs made of it',
      { base: { vendor: submodule(1) }, ours: { vendor: submodule(2) }, theirs: { vendor: 'vendored\n' } },
      'vendor',
    ],
  ])('%s: a distinct-types conflict where git reports distinct types', async (_, fixture, path) => {
    const merged = await both({
      base: { ...fixture.base, 'keep.txt': 'k\n' },
      ours: { ...fixture.ours, 'keep.txt': 'k\n' },
      theirs: { ...fixture.theirs, 'keep.txt': 'K\n' },
    });
    expect(merged.git.messages).toContain(`CONFLICT (distinct types): ${path} had different types on each side`);
    expect(merged.troupe.conflicts.map((conflict) => [conflict.file, conflict.kind, conflict.content])).toEqual([
      [path, 'distinct-types', null],
    ]);
    // troupe keeps ours' entry at the path until the conflict is resolved; git keeps both, the regular file moved beside it
    expect(merged.troupe.files[path]).toEqual(treeFiles(merged.repo.dir, merged.repo.ours)[path]);
    expect(Object.keys(merged.git.conflicted).map((conflicted) => conflicted.replace(/~[0-9a-f]+$/, '~side'))).toEqual(
      expect.arrayContaining([path, `${path}~side`]),
    );
    expect(merged.troupe.files['keep.txt']).toEqual({ mode: '100644', content: 'K\n' });
  });

  it('names each side of a distinct-types conflict by its type', async () => {
    const merged = await both({
      base: { 'fonts.css': 'a\n' },
      ours: { 'fonts.css': link('css/icons.css') },
      theirs: { 'fonts.css': 'b\n' },
    });
    expect(merged.troupe.conflicts[0]?.hunks).toEqual([
      { ours: 'symlink to css/icons.css', base: 'a\n', theirs: 'b\n' },
    ]);
  });

  it.each<[string, Fixture]>([
    [
      'a symlink retargeted on one side',
      { base: { latest: link('v1') }, ours: { latest: link('v1'), 'keep.txt': 'k\n' }, theirs: { latest: link('v2') } },
    ],
    [
      'a file turned into a symlink on one side',
      { base: { latest: 'v1\n' }, ours: { latest: 'v1\n', 'keep.txt': 'k\n' }, theirs: { latest: link('v2') } },
    ],
  ])('%s: the same tree as git', async (_, fixture) => {
    const merged = await both(fixture);
    expect(merged.git.clean).toBe(true);
    expect(merged.troupe.files).toEqual(merged.git.files);
  });

  it('a symlink both sides retargeted differently conflicts on its content, as in git', async () => {
    const merged = await both({
      base: { latest: link('v1') },
      ours: { latest: link('v2') },
      theirs: { latest: link('v3') },
    });
    expect(merged.git.messages).toContain('CONFLICT (content)');
    expect(merged.troupe.conflicts.map((conflict) => [conflict.file, conflict.kind])).toEqual([['latest', 'content']]);
    expect(merged.troupe.files.latest).toEqual(merged.git.files.latest);
  });
});

describe('a file on one side, a directory on the other', () => {
  it.each<[string, Fixture]>([
    [
      'ours adds a file where theirs adds a directory',
      { base: {}, ours: { icons: ICONS }, theirs: { 'icons/fa.css': BRANDS } },
    ],
    [
      'ours adds a directory where theirs adds a file',
      { base: {}, ours: { 'icons/fa.css': BRANDS }, theirs: { icons: ICONS } },
    ],
    [
      'ours edits a file theirs turned into a directory',
      {
        base: { icons: ICONS },
        ours: { icons: ICONS.replace('glass', 'martini') },
        theirs: { 'icons/fa.css': BRANDS },
      },
    ],
    [
      'ours turns a file into a directory theirs edited',
      {
        base: { icons: ICONS },
        ours: { 'icons/fa.css': BRANDS },
        theirs: { icons: ICONS.replace('glass', 'martini') },
      },
    ],
    [
      'ours adds to a directory theirs turned into a file',
      {
        base: { 'icons/fa.css': BRANDS },
        ours: { 'icons/fa.css': BRANDS, 'icons/solid.css': 'solid\n' },
        theirs: { icons: ICONS },
      },
    ],
  ])('%s: a file-directory conflict where git reports file/directory, and the rest merges', async (_, fixture) => {
    const merged = await both({
      base: { ...fixture.base, 'keep.txt': 'k\n' },
      ours: { ...fixture.ours, 'keep.txt': 'k\n' },
      theirs: { ...fixture.theirs, 'keep.txt': 'K\n' },
    });
    expect(merged.git.messages).toContain('CONFLICT (file/directory): directory in the way of icons');
    expect(merged.troupe.conflicts.map((conflict) => [conflict.file, conflict.kind, conflict.content])).toEqual([
      ['icons', 'file-directory', null],
    ]);
    expect(merged.troupe.files['keep.txt']).toEqual({ mode: '100644', content: 'K\n' });
    // like git, the directory's files stay in the tree until the conflict is resolved
    const directory = (files: Record<string, unknown>) =>
      Object.keys(files).filter((path) => path.startsWith('icons/'));
    expect(directory(merged.troupe.files)).toEqual(directory(merged.git.files));
  });

  it('shows which side has the file and which the directory', async () => {
    const merged = await both({
      base: { icons: ICONS },
      ours: { icons: 'mine\n' },
      theirs: { 'icons/fa.css': BRANDS },
    });
    expect(merged.troupe.conflicts[0]?.hunks).toEqual([{ ours: 'mine\n', base: ICONS, theirs: 'directory' }]);
  });

  it('a file ours edited under a directory theirs turned into a file: modify/delete there and file/directory above, as in git', async () => {
    const merged = await both({
      base: { 'icons/fa.css': ICONS },
      ours: { 'icons/fa.css': ICONS.replace('glass', 'martini') },
      theirs: { icons: BRANDS },
    });
    expect(merged.git.messages).toContain('CONFLICT (modify/delete): icons/fa.css deleted');
    expect(merged.git.messages).toContain('CONFLICT (file/directory): directory in the way of icons');
    expect(merged.troupe.conflicts.map((conflict) => [conflict.file, conflict.kind])).toEqual([
      ['icons', 'file-directory'],
      ['icons/fa.css', 'modify-delete'],
    ]);
  });

  it('a directory ours turned into a file while theirs deleted it merges cleanly, as in git', async () => {
    const merged = await both({
      base: { 'icons/fa.css': BRANDS, 'keep.txt': 'k\n' },
      ours: { icons: ICONS, 'keep.txt': 'k\n' },
      theirs: { 'keep.txt': 'K\n' },
    });
    expect(merged.git.clean).toBe(true);
    expect(merged.troupe.conflicts).toEqual([]);
    expect(merged.troupe.files).toEqual(merged.git.files);
  });

  it('a file only theirs turned into a directory merges cleanly, as in git', async () => {
    const merged = await both({
      base: { icons: ICONS, 'keep.txt': 'k\n' },
      ours: { icons: ICONS, 'keep.txt': 'K\n' },
      theirs: { 'icons/fa.css': BRANDS, 'keep.txt': 'k\n' },
    });
    expect(merged.git.clean).toBe(true);
    expect(merged.troupe.conflicts).toEqual([]);
    expect(merged.troupe.files).toEqual(merged.git.files);
  });

  it('a child that makes a directory where the round made a file is merged, not taken as separate', async () => {
    const { repo } = await both({ base: {}, ours: { icons: ICONS }, theirs: { 'icons/fa.css': BRANDS } });
    const round = await mergeCommitRound(repo.trees, {
      ours: repo.ours,
      strategy: 'three-way',
      merges: [{ base: repo.base, theirs: repo.theirs, message: 'merge', subject: 'merge' }],
    });
    expect(round.stopped).toMatchObject({ index: 0, conflicts: [{ file: 'icons', kind: 'file-directory' }] });
  });
});

describe('whole-entry conflicts settled by a strategy', () => {
  const settled = async (fixture: Fixture, strategy: 'ours' | 'theirs') => {
    const repo = await referenceRepo(fixture);
    repos.push(repo);
    const merged = await mergeCommits(repo.trees, {
      base: repo.base,
      ours: repo.ours,
      theirs: repo.theirs,
      strategy,
      parents: [repo.ours, repo.theirs],
      message: 'merge',
    });
    return { resolved: merged.resolved, files: treeFiles(repo.dir, merged.tree) };
  };

  it('takes the strategy side’s submodule pointer', async () => {
    const fixture = {
      base: { vendor: submodule(1) },
      ours: { vendor: submodule(2) },
      theirs: { vendor: submodule(3) },
    };
    expect(await settled(fixture, 'theirs')).toEqual({
      resolved: [{ file: 'vendor', kind: 'submodule', side: 'theirs', hunks: 1 }],
      files: { vendor: { mode: '160000', content: '3'.repeat(40) } },
    });
    expect((await settled(fixture, 'ours')).files).toEqual({ vendor: { mode: '160000', content: '2'.repeat(40) } });
  });

  it('keeps ours’ file over the directory theirs made, or theirs’ directory over ours’ file', async () => {
    const fixture = {
      base: {},
      ours: { icons: ICONS },
      theirs: { 'icons/fa.css': BRANDS, 'icons/solid.css': 'solid\n' },
    };
    expect(await settled(fixture, 'ours')).toEqual({
      resolved: [{ file: 'icons', kind: 'file-directory', side: 'ours', hunks: 1 }],
      files: { icons: { mode: '100644', content: ICONS } },
    });
    expect((await settled(fixture, 'theirs')).files).toEqual({
      'icons/fa.css': { mode: '100644', content: BRANDS },
      'icons/solid.css': { mode: '100644', content: 'solid\n' },
    });
  });
});

describe('a file that is not valid UTF-8', () => {
  // Latin-1 bytes: 0xE9 is "é", not UTF-8 on its own
  const latin1 = (text: string) => Buffer.from(text, 'latin1');

  // a reference repository from raw bytes: the fixture helper writes text as UTF-8
  async function bytesRepo(fixture: {
    base: Record<string, Buffer>;
    ours: Record<string, Buffer>;
    theirs: Record<string, Buffer>;
  }): Promise<ReferenceRepo> {
    const temp = await tempDir('troupe-merge-bytes-');
    git(temp.dir, 'init', '-q', '-b', 'main');
    const commit = (files: Record<string, Buffer>, parents: string[], name: string) => {
      const env = { ...GIT_ENV, GIT_INDEX_FILE: join(temp.dir, '.git', `index-${name}`) };
      const run = (args: string[], input?: Buffer | string) =>
        execFileSync('git', args, { cwd: temp.dir, env, input }).toString('utf8').trim();
      run(['read-tree', '--empty']);
      for (const [path, content] of Object.entries(files))
        run([
          'update-index',
          '--add',
          '--cacheinfo',
          `100644,${run(['hash-object', '-w', '--stdin'], content)},${path}`,
        ]);
      return run(['commit-tree', run(['write-tree']), ...parents.flatMap((parent) => ['-p', parent]), '-m', name]);
    };
    const base = commit(fixture.base, [], 'base');
    const repo = {
      dir: temp.dir,
      base,
      ours: commit(fixture.ours, [base], 'ours'),
      theirs: commit(fixture.theirs, [base], 'theirs'),
      trees: new GitTrees(temp.dir),
      cleanup: temp.cleanup,
    };
    repos.push(repo);
    return repo;
  }

  it('is a binary conflict where both sides changed it, and never throws', async () => {
    const repo = await bytesRepo({
      base: { 'names.txt': latin1('caf\xe9\nth\xe9\n'), 'keep.txt': Buffer.from('k\n') },
      ours: { 'names.txt': latin1('CAF\xc9\nth\xe9\n'), 'keep.txt': Buffer.from('k\n') },
      theirs: { 'names.txt': latin1('caf\xe9 cr\xe8me\nth\xe9\n'), 'keep.txt': Buffer.from('K\n') },
    });
    const reference = gitMerge(repo);
    expect(Object.keys(reference.conflicted)).toEqual(['names.txt']);
    const merged = await troupeMerge(repo);
    expect(merged.conflicts.map((conflict) => [conflict.file, conflict.kind, conflict.content])).toEqual([
      ['names.txt', 'binary', null],
    ]);
    expect(merged.conflicts[0]?.hunks[0]?.ours).toMatch(/^binary, 9 bytes, blob [0-9a-f]{40}$/);
    expect(merged.files['keep.txt']).toEqual({ mode: '100644', content: 'K\n' });
  });

  it('conflicts where git, which reads it as text, merges changes on separate lines (a documented difference)', async () => {
    const repo = await bytesRepo({
      base: { 'names.txt': latin1('caf\xe9\nna\xefve\nth\xe9\n') },
      ours: { 'names.txt': latin1('CAF\xc9\nna\xefve\nth\xe9\n') },
      theirs: { 'names.txt': latin1('caf\xe9\nna\xefve\nTH\xc9\n') },
    });
    expect(gitMerge(repo).clean).toBe(true);
    expect((await troupeMerge(repo)).conflicts.map((conflict) => [conflict.file, conflict.kind])).toEqual([
      ['names.txt', 'binary'],
    ]);
  });
});
