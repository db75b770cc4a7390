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
});
