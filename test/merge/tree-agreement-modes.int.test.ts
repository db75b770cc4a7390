import { describe, expect, it } from 'vitest';
import { mergeCommitRound } from '../../src/runtime/children/engine-merger.js';
import { treeFiles } from './merge-tree-reference.js';
import { type Fixture, both, exec, submodule, ICONS, BUILD } from './tree-agreement-fixtures.js';

// Tree merges with modes and submodules, side by side with git merge-tree
// (merge-ort): where git merges cleanly troupe writes the same tree; where git
// conflicts troupe conflicts on the same path, with a kind of its own. Fixtures
// are small excerpts of the real cases (a file made executable on one side and
// deleted on the other, as 40 times in Font-Awesome's history; submodule pointers).

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
