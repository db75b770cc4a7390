import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createGitSandboxes } from '../../src/sandbox/index.js';
import { publishingSandboxes } from '../../src/sandbox/publishing-sandboxes.js';
import { RemoteBranches } from '../../src/sandbox/remote-branches.js';
import type { ComingRequest } from '../../src/sandbox/expected-requests.js';
import type { Sandboxes } from '../../src/sandbox/types.js';
import { git, tempDir, tempRepo } from '../helpers/temp.js';

// A worker's sandboxes with real git: its clone of a bare remote, every step commit pushed there.

const plan = (letter: string) => ({
  id: `01J00000000000000000000${letter.repeat(3).toUpperCase()}`,
  name: `demo/${letter}`,
});

describe('publishingSandboxes', () => {
  let clone: string;
  let bare: string;
  let remote: RemoteBranches;
  let sandboxes: Sandboxes;
  const cleanups: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    const repo = await tempRepo({ 'README.md': '# shared\n' });
    const dirs = await tempDir('troupe-publishing-');
    cleanups.push(repo.cleanup, dirs.cleanup);
    bare = join(dirs.dir, 'shared.git');
    clone = join(dirs.dir, 'clone');
    git(dirs.dir, 'clone', '--quiet', '--bare', repo.dir, bare);
    git(dirs.dir, 'clone', '--quiet', bare, clone);
    remote = new RemoteBranches(bare, 'remote.url');
    sandboxes = publishingSandboxes(createGitSandboxes(clone), remote);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('says each step commit is coming before it starts, and its push is the one announced', async () => {
    const made = await Promise.all(['a', 'b'].map((letter) => sandboxes.ensure(plan(letter))));
    for (const [index, sandbox] of made.entries())
      await writeFile(join(sandboxes.pathOf(sandbox), `${index}.txt`), 'x\n');
    const expect$ = vi.spyOn(remote, 'expectPublish');
    const publish = vi.spyOn(remote, 'publish');
    const committed = made.map((sandbox) => sandboxes.commit(sandbox, 'step 1'));
    // both announced at once, before either commit ran: a push starting meanwhile waits for both
    expect(expect$).toHaveBeenCalledTimes(2);
    const heads = await Promise.all(committed);
    expect(made.map((sandbox) => git(bare, 'rev-parse', sandbox.branch))).toEqual(heads);
    const announced = expect$.mock.results.map((result) => result.value as ComingRequest);
    expect(new Set(publish.mock.calls.map((call) => call[2]))).toEqual(new Set(announced));
  });

  it('takes back what a step commit announced when the commit fails, and pushes nothing for it', async () => {
    const sandbox = await sandboxes.ensure(plan('a'));
    await rm(sandboxes.pathOf(sandbox), { recursive: true, force: true });
    const expect$ = vi.spyOn(remote, 'expectPublish');
    const publish = vi.spyOn(remote, 'publish');
    const failed = sandboxes.commit(sandbox, 'step 1');
    const coming = expect$.mock.results[0]!.value as ComingRequest;
    const cancel = vi.spyOn(coming, 'cancel');
    await expect(failed).rejects.toThrow();
    expect(cancel).toHaveBeenCalled();
    expect(publish).not.toHaveBeenCalled();
  });
  it('pushes the branch a reset moves back, so a worker taking the plan over starts there', async () => {
    const sandbox = await sandboxes.ensure(plan('a'));
    await writeFile(join(sandboxes.pathOf(sandbox), 'a.txt'), 'a\n');
    const head = await sandboxes.commit(sandbox, 'step 1');
    expect(git(bare, 'rev-parse', sandbox.branch)).toBe(head);
    await sandboxes.reset(sandbox, sandbox.baseCommit);
    expect(git(bare, 'rev-parse', sandbox.branch)).toBe(sandbox.baseCommit);
  });

  it('pushes a sandbox started over at a moved project head, and nothing for one that did not move', async () => {
    const sandbox = await sandboxes.ensure(plan('a'));
    const publish = vi.spyOn(remote, 'publish');
    expect(await sandboxes.startOver(sandbox)).toEqual(sandbox);
    expect(publish).not.toHaveBeenCalled();
    await writeFile(join(clone, 'moved.txt'), 'moved\n');
    git(clone, 'add', 'moved.txt');
    git(clone, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '--quiet', '-m', 'moved');
    const moved = await sandboxes.startOver(sandbox);
    expect(moved.baseCommit).toBe(git(clone, 'rev-parse', 'HEAD'));
    expect(git(bare, 'rev-parse', moved.branch)).toBe(moved.baseCommit);
  });

  it('answers reads and housekeeping as the sandboxes it wraps, the same worktree and refs', async () => {
    const sandbox = await sandboxes.ensure(plan('a'));
    const again = await sandboxes.reopen(plan('a'), sandbox);
    expect(again.branch).toBe(sandbox.branch);
    expect(sandboxes.projectRoot).toBe(clone);
    await writeFile(join(sandboxes.pathOf(sandbox), 'b.txt'), 'b\n');
    expect(await sandboxes.pendingPaths(sandbox)).toEqual(['b.txt']);
    expect((await sandboxes.pendingState(sandbox)).paths).toEqual(['b.txt']);
    expect(await sandboxes.readsHead(sandbox)).toBe(true);
    expect(await sandboxes.stage(sandbox)).toEqual(['b.txt']);
    const { headCommit: head, files } = await sandboxes.commitStaged(sandbox, 'step 1', sandbox.baseCommit);
    expect(files.map((change) => change.path)).toEqual(['b.txt']);
    expect(git(bare, 'rev-parse', sandbox.branch)).toBe(head);
    expect(await sandboxes.files(sandbox, head)).toEqual(['README.md', 'b.txt']);
    expect(await sandboxes.changedPaths(sandbox, sandbox.baseCommit, head)).toEqual([
      { path: 'b.txt', action: 'added' },
    ]);
    expect((await sandboxes.diff(sandbox, sandbox.baseCommit, head)).map((change) => change.path)).toEqual(['b.txt']);
    expect(await sandboxes.patch(sandbox, sandbox.baseCommit, head)).toContain('+b');
    await sandboxes.keep(plan('a').id, [head]);
    expect((await sandboxes.planRefs()).get(plan('a').id)).toBeGreaterThan(0);
    expect((await sandboxes.leftovers()).worktrees).toContain(plan('a').id);
    await sandboxes.release([{ sandbox, keep: [head] }]);
    expect((await sandboxes.leftovers()).worktrees).not.toContain(plan('a').id);
    expect(await sandboxes.forget([plan('a').id])).toBeGreaterThan(0);
    const other = await sandboxes.ensure(plan('b'));
    await sandboxes.remove(other);
    expect((await sandboxes.leftovers()).worktrees).not.toContain(plan('b').id);
  });
});
