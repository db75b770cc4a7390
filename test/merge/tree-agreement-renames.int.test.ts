import { describe, expect, it } from 'vitest';
import { CLEAN_RENAME_CASES, CONFLICT_RENAME_CASES, type RenameCase } from './rename-fixtures.js';
import { gitMerge, referenceRepo, troupeMerge, type TreeEntry } from './merge-tree-reference.js';

// troupe's tree merge across renames against git's (`git merge-tree
// --write-tree`, merge-ort): the same tree where git merges cleanly, a
// conflict on the same paths where git conflicts.

async function bothMerges(fixture: RenameCase) {
  const repo = await referenceRepo(fixture);
  try {
    return { troupe: await troupeMerge(repo), git: gitMerge(repo) };
  } finally {
    await repo.cleanup();
  }
}

function without(files: Record<string, TreeEntry>, paths: ReadonlySet<string>): Record<string, TreeEntry> {
  return Object.fromEntries(Object.entries(files).filter(([path]) => !paths.has(path)));
}

describe('tree merge across renames agrees with git merge-tree', () => {
  it.each(CLEAN_RENAME_CASES.map((fixture) => [fixture.name, fixture] as const))(
    '%s: the same tree as git',
    async (_name, fixture) => {
      const { troupe, git } = await bothMerges(fixture);

      expect(git.clean).toBe(true);
      expect(troupe.conflicts).toEqual([]);
      expect(troupe.files).toEqual(git.files);
    },
  );

  it.each(CONFLICT_RENAME_CASES.map((fixture) => [fixture.name, fixture] as const))(
    '%s: a conflict on the paths git leaves unmerged',
    async (_name, fixture) => {
      const { troupe, git } = await bothMerges(fixture);

      expect(git.clean).toBe(false);
      // where a version of the file is left: git's paths with an ours or theirs stage
      const gitPaths = Object.entries(git.conflicted)
        .filter(([, stages]) => stages.includes(2) || stages.includes(3))
        .map(([path]) => path)
        .sort();
      const troupePaths = troupe.conflicts
        .flatMap((conflict) =>
          conflict.kind.startsWith('rename-')
            ? [conflict.file, conflict.paths?.ours ?? null, conflict.paths?.theirs ?? null]
            : [conflict.file],
        )
        .filter((path): path is string => path !== null);
      expect([...new Set(troupePaths)].sort()).toEqual(gitPaths);
      // everything else merged as git merged it
      const covered = new Set(
        troupe.conflicts.flatMap((conflict) =>
          [conflict.file, ...Object.values(conflict.paths ?? {})].filter((path): path is string => path !== null),
        ),
      );
      expect(without(troupe.files, covered)).toEqual(without(git.files, covered));
    },
  );
});
