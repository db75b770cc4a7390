import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PendingMerge } from '../../machines/index.js';
import { resolutionFor } from '../../src/runtime/children/conflict-resolution.js';
import type { ResolveChoice } from '../../src/runtime/runtime.js';
import { MergeWorkspace } from '../../src/sandbox/merge-workspace.js';
import {
  referenceRepo,
  treeFiles,
  troupeMerge,
  type FixtureTree,
  type ReferenceRepo,
  type TreeEntry,
} from '../merge/merge-tree-reference.js';

// Settling the conflicts over whole entries — a submodule pointer, a symlink
// against a file, a file against a directory, modes — the way plan resolve
// does: the resolution of a choice, written on the merge's clean part as the
// merge commit is made.

const repos: ReferenceRepo[] = [];
afterEach(async () => {
  for (const repo of repos.splice(0)) await repo.cleanup();
});

type Fixture = { base: FixtureTree; ours: FixtureTree; theirs: FixtureTree };

/** The conflicts of a fixture's merge, and the tree each choice for `file` makes of it. */
async function conflicted(fixture: Fixture) {
  const repo = await referenceRepo(fixture);
  repos.push(repo);
  const merged = await troupeMerge(repo);
  const workspace = new MergeWorkspace(repo.dir);
  const merge = { base: repo.base, ours: repo.ours, theirs: repo.theirs } as PendingMerge;
  const settle = async (file: string, choice: ResolveChoice): Promise<Record<string, TreeEntry>> => {
    const conflict = merged.conflicts.find((candidate) => candidate.file === file) ?? {
      file,
      kind: 'content' as const,
    };
    const resolution = await resolutionFor(workspace, merge, conflict, choice, 'demo/x');
    const write = {
      path: file,
      file:
        resolution.content === null
          ? null
          : { mode: resolution.mode ?? '100644', content: new Uint8Array(Buffer.from(resolution.content, 'base64')) },
    };
    const commit = await workspace.commitMerge({
      planId: 'plan',
      onto: merged.commit,
      writes: [write],
      parents: [repo.ours],
      message: 'resolved',
    });
    return treeFiles(repo.dir, commit);
  };
  return { repo, merged, settle };
}

const exec = (content: string) => ({ content, mode: '100755' as const });
const link = (target: string) => ({ content: target, mode: '120000' as const });
const submodule = (digit: number) => ({ gitlink: String(digit).repeat(40) });

describe('resolving a conflict over a whole entry', () => {
  it('a submodule: --ours and --theirs take that side’s pointer; a file of yours or merged text is refused', async () => {
    const { merged, settle } = await conflicted({
      base: { vendor: submodule(1) },
      ours: { vendor: submodule(2) },
      theirs: { vendor: submodule(3) },
    });
    expect(merged.conflicts.map((conflict) => conflict.kind)).toEqual(['submodule']);
    expect((await settle('vendor', { with: 'ours' })).vendor).toEqual({ mode: '160000', content: '2'.repeat(40) });
    expect((await settle('vendor', { with: 'theirs' })).vendor).toEqual({ mode: '160000', content: '3'.repeat(40) });
    await expect(settle('vendor', { with: 'content', content: 'x\n' })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: 'content: vendor is a submodule, not a file: its pointer names a commit, which no file can stand for',
      hint: "troupe plan resolve demo/x vendor --ours|--theirs takes one side's pointer; move it afterwards with git in the submodule",
    });
  });

  it('a symlink against a file: each side as it is, and a file of yours is a regular file', async () => {
    const { repo, merged, settle } = await conflicted({
      base: { latest: 'v1\n' },
      ours: { latest: link('v2') },
      theirs: { latest: 'v1 and more\n' },
    });
    expect(merged.conflicts.map((conflict) => conflict.kind)).toEqual(['distinct-types']);
    expect((await settle('latest', { with: 'ours' })).latest).toEqual({ mode: '120000', content: 'v2' });
    expect((await settle('latest', { with: 'theirs' })).latest).toEqual({ mode: '100644', content: 'v1 and more\n' });
    writeFileSync(join(repo.dir, 'mine.txt'), 'mine\n');
    expect((await settle('latest', { with: 'file', path: 'mine.txt' })).latest).toEqual({
      mode: '100644',
      content: 'mine\n',
    });
  });

  it('a file ours has where theirs made a directory: --ours keeps the file, --theirs the directory, --use your file', async () => {
    const { repo, merged, settle } = await conflicted({
      base: { icons: 'icons\n' },
      ours: { icons: 'icons ours\n' },
      theirs: { 'icons/fa.css': 'fa\n', 'icons/brands.css': 'brands\n' },
    });
    expect(merged.conflicts.map((conflict) => conflict.kind)).toEqual(['file-directory']);
    expect(await settle('icons', { with: 'ours' })).toEqual({ icons: { mode: '100644', content: 'icons ours\n' } });
    expect(await settle('icons', { with: 'theirs' })).toEqual({
      'icons/brands.css': { mode: '100644', content: 'brands\n' },
      'icons/fa.css': { mode: '100644', content: 'fa\n' },
    });
    writeFileSync(join(repo.dir, 'mine.txt'), 'mine\n');
    expect(await settle('icons', { with: 'file', path: 'mine.txt' })).toEqual({
      icons: { mode: '100644', content: 'mine\n' },
    });
  });

  it('a directory ours has where theirs made a file: --ours keeps the directory, --theirs the file', async () => {
    const { merged, settle } = await conflicted({
      base: {},
      ours: { 'icons/fa.css': 'fa\n' },
      theirs: { icons: exec('icons\n') },
    });
    expect(merged.conflicts.map((conflict) => conflict.kind)).toEqual(['file-directory']);
    expect(await settle('icons', { with: 'ours' })).toEqual({ 'icons/fa.css': { mode: '100644', content: 'fa\n' } });
    expect(await settle('icons', { with: 'theirs' })).toEqual({ icons: { mode: '100755', content: 'icons\n' } });
  });

  it('modes both sides set differently: each side’s mode', async () => {
    const { merged, settle } = await conflicted({
      base: {},
      ours: { 'run.sh': exec('run\n') },
      theirs: { 'run.sh': 'run\n' },
    });
    expect(merged.conflicts.map((conflict) => conflict.kind)).toEqual(['add-add']);
    expect((await settle('run.sh', { with: 'ours' }))['run.sh']).toEqual({ mode: '100755', content: 'run\n' });
    expect((await settle('run.sh', { with: 'theirs' }))['run.sh']).toEqual({ mode: '100644', content: 'run\n' });
  });

  it('a mode change against a deletion: --ours keeps the executable file, --theirs deletes it', async () => {
    const { settle } = await conflicted({ base: { 'run.sh': 'run\n' }, ours: { 'run.sh': exec('run\n') }, theirs: {} });
    expect((await settle('run.sh', { with: 'ours' }))['run.sh']).toEqual({ mode: '100755', content: 'run\n' });
    expect((await settle('run.sh', { with: 'theirs' }))['run.sh']).toBeUndefined();
  });

  it('refuses to write a submodule pointer that is not a commit id, rather than a broken tree', async () => {
    const { repo } = await conflicted({
      base: { vendor: submodule(1) },
      ours: { vendor: submodule(2) },
      theirs: { vendor: submodule(3) },
    });
    const write = { path: 'vendor', file: { mode: '160000', content: new TextEncoder().encode('not a commit\n') } };
    await expect(
      new MergeWorkspace(repo.dir).commitMerge({
        planId: 'plan',
        onto: repo.ours,
        writes: [write],
        parents: [repo.ours],
        message: 'm',
      }),
    ).rejects.toMatchObject({
      code: 'INTERNAL_ERROR',
      message: 'the submodule pointer written at vendor is not a commit id: "not a commit\n"',
    });
  });
});
