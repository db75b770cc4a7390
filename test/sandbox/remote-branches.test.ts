import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RemoteBranches, spawnPointRef } from '../../src/sandbox/remote-branches.js';
import { git, tempDir, tempRepo } from '../helpers/temp.js';

// The shared remote of a scale-out with real git: a parent's repository, a
// bare remote and a worker's clone of it.

const ID_A = '01J00000000000000000000AAA';
const ID_B = '01J00000000000000000000BBB';
const ID_C = '01J00000000000000000000CCC';

describe('RemoteBranches', () => {
  let parent: string;
  let clone: string;
  let bare: string;
  let remote: RemoteBranches;
  const cleanups: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    const repo = await tempRepo({ 'README.md': '# shared\n' });
    const dirs = await tempDir('troupe-remote-');
    cleanups.push(repo.cleanup, dirs.cleanup);
    parent = repo.dir;
    bare = join(dirs.dir, 'shared.git');
    clone = join(dirs.dir, 'clone');
    git(dirs.dir, 'clone', '--quiet', '--bare', parent, bare);
    git(dirs.dir, 'clone', '--quiet', '--no-checkout', bare, clone);
    remote = new RemoteBranches(bare, 'remote.url');
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  // a commit in `dir` on a branch of its own, not pushed anywhere
  async function commitOn(dir: string, branch: string, file: string): Promise<string> {
    git(dir, 'checkout', '--quiet', '-B', branch, 'main');
    await writeFile(join(dir, file), `${file}\n`);
    git(dir, 'add', file);
    git(dir, 'commit', '--quiet', '-m', file);
    const head = git(dir, 'rev-parse', 'HEAD');
    git(dir, 'checkout', '--quiet', 'main');
    return head;
  }

  it('pushes a spawn point once as its own ref, and a worker fetches it only while its clone lacks it', async () => {
    const spawn = await commitOn(parent, 'work', 'spawn.txt');
    await remote.publishSpawnPoint(parent, spawn);
    await remote.publishSpawnPoint(parent, spawn);
    expect(git(bare, 'rev-parse', spawnPointRef(spawn))).toBe(spawn);

    expect(await remote.bring(clone, { planId: ID_A, branch: 'troupe/a-000aaa' }, { head: spawn, base: spawn })).toBe(
      true,
    );
    expect(git(clone, 'cat-file', '-t', spawn)).toBe('commit');
    expect(git(clone, 'for-each-ref', `refs/troupe/fetched/${ID_A}`)).not.toBe('');
    // a second child spawned there: the clone has it, nothing is fetched
    expect(await remote.bring(clone, { planId: ID_B, branch: 'troupe/b-000bbb' }, { head: spawn, base: spawn })).toBe(
      true,
    );
    expect(git(clone, 'for-each-ref', `refs/troupe/fetched/${ID_B}`)).toBe('');
  });

  it('brings a sandbox with commits of its own from its branch, and says false when the remote has neither', async () => {
    const base = git(parent, 'rev-parse', 'HEAD');
    const head = await commitOn(parent, 'troupe/c-000ccc', 'c.txt');
    git(parent, 'push', '--quiet', bare, 'troupe/c-000ccc');
    expect(await remote.bring(clone, { planId: ID_C, branch: 'troupe/c-000ccc' }, { head, base })).toBe(true);
    expect(git(clone, 'cat-file', '-t', head)).toBe('commit');

    const lost = await commitOn(parent, 'troupe/a-000aaa', 'lost.txt');
    expect(await remote.bring(clone, { planId: ID_A, branch: 'troupe/a-000aaa' }, { head: lost, base: lost })).toBe(
      false,
    );
    // a name that is not a commit id is never looked up
    expect(await remote.bring(clone, { planId: ID_A, branch: 'troupe/a-000aaa' }, { head: 'HEAD', base: lost })).toBe(
      false,
    );
  });

  it('says REMOTE_UNAVAILABLE, naming the setting, when the remote cannot be read or a spawn point is not a commit id', async () => {
    const away = new RemoteBranches(join(bare, '..', 'nowhere.git'), 'remote.url');
    const head = git(parent, 'rev-parse', 'HEAD');
    const missing = await commitOn(parent, 'other', 'other.txt');
    await expect(
      away.bring(clone, { planId: ID_A, branch: 'troupe/a-000aaa' }, { head: missing, base: head }),
    ).rejects.toMatchObject({ code: 'REMOTE_UNAVAILABLE', details: { setting: 'remote.url' } });
    await expect(remote.publishSpawnPoint(parent, 'main')).rejects.toMatchObject({ code: 'INTERNAL_ERROR' });
  });

  it('pushes step commits asked for together, and a branch that cannot be pushed fails alone', async () => {
    const heads = [
      await commitOn(clone, 'troupe/a-000aaa', 'a.txt'),
      await commitOn(clone, 'troupe/b-000bbb', 'b.txt'),
    ];
    const pushed = await Promise.all(
      ['troupe/a-000aaa', 'troupe/missing-000000', 'troupe/b-000bbb'].map((branch, index) =>
        remote.publish(clone, { planId: [ID_A, ID_C, ID_B][index]!, branch }).then(
          () => 'pushed',
          (error: unknown) => (error as { code?: string }).code,
        ),
      ),
    );
    expect(pushed).toEqual(['pushed', 'REMOTE_UNAVAILABLE', 'pushed']);
    expect([git(bare, 'rev-parse', 'troupe/a-000aaa'), git(bare, 'rev-parse', 'troupe/b-000bbb')]).toEqual(heads);
  });

  it('waits for the step commits under way in a clone, so that they reach the remote in one push', async () => {
    // every push that carries objects leaves one pack on the remote (none unpacked): packs counted = pushes made
    git(bare, 'config', 'receive.unpackLimit', '1');
    const packs = () => git(bare, 'count-objects', '-v').match(/^packs: (\d+)$/m)![1];
    const before = Number(packs());
    const branches = ['troupe/a-000aaa', 'troupe/b-000bbb', 'troupe/c-000ccc'];
    const heads: string[] = [];
    for (const branch of branches) heads.push(await commitOn(clone, branch, `${branch.slice(7, 8)}.txt`));
    // three step commits said to be under way; they end 0, 30 and 60 ms apart
    const coming = branches.map(() => remote.expectPublish(clone));
    const pushed = branches.map(async (branch, index) => {
      await new Promise((resolve) => setTimeout(resolve, index * 30));
      await remote.publish(clone, { planId: [ID_A, ID_B, ID_C][index]!, branch }, coming[index]);
    });
    await Promise.all(pushed);
    expect(branches.map((branch) => git(bare, 'rev-parse', branch))).toEqual(heads);
    expect(Number(packs()) - before).toBe(1);
  });

  it('fetches the children that came back together; a head the remote lacks fails alone, and one already here needs no branch', async () => {
    const [a, b] = [
      await commitOn(clone, 'troupe/a-000aaa', 'a.txt'),
      await commitOn(clone, 'troupe/b-000bbb', 'b.txt'),
    ];
    git(clone, 'push', '--quiet', bare, 'troupe/a-000aaa', 'troupe/b-000bbb');
    const here = await commitOn(parent, 'troupe/c-000ccc', 'c.txt');
    const never = await commitOn(clone, 'troupe/d-000ddd', 'd.txt');
    const fetched = await Promise.all(
      [
        { planId: ID_A, branch: 'troupe/a-000aaa', commit: a },
        { planId: ID_B, branch: 'troupe/b-000bbb', commit: b },
        // a merge run again after a restart: its commit is here, its branch on the remote may be gone
        { planId: ID_C, branch: 'troupe/c-000ccc', commit: here },
        { planId: '01J00000000000000000000DDD', branch: 'troupe/d-000ddd', commit: never },
      ].map(({ commit, ...refs }) =>
        remote.fetch(parent, refs, commit).then(
          () => 'here',
          (error: unknown) => (error as { code?: string }).code,
        ),
      ),
    );
    expect(fetched).toEqual(['here', 'here', 'here', 'REMOTE_UNAVAILABLE']);
    expect([git(parent, 'cat-file', '-t', a), git(parent, 'cat-file', '-t', b)]).toEqual(['commit', 'commit']);
    // the branch is there, the head asked for is not on it
    await expect(remote.fetch(parent, { planId: ID_A, branch: 'troupe/a-000aaa' }, never)).rejects.toMatchObject({
      code: 'REMOTE_UNAVAILABLE',
      message: expect.stringContaining(`has no commit ${never.slice(0, 12)}`),
    });
  });
});
