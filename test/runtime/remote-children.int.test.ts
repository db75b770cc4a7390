// A parent following a child on a worker (docs/how-to/scale-out.md): the child's
// answer frees its slot at once, and its head comes from the shared remote
// when its merge needs it — not before the parent may start the next child.
import { writeFileSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PlanRecord } from '../../src/domain/index.js';
import { RemoteBranches } from '../../src/sandbox/remote-branches.js';
import { createMemoryStore } from '../../src/store/index.js';
import { PlanQueue, RemoteChildren } from '../../src/runtime/workers/index.js';
import { redisUnavailable, startTestRedis, type TestRedis } from '../helpers/redis.js';
import { bareRemote } from '../helpers/scale-out.js';
import { git, tempDir, tempRepo } from '../helpers/temp.js';
import { planCreation } from '../store/fixtures.js';

describe.skipIf(redisUnavailable() !== null)('a parent following children on workers', () => {
  let redis: TestRedis;
  const cleanups: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  });
  afterAll(async () => {
    await redis?.stop();
  });

  // the parent's repository, the shared remote, and a worker's step commit on the child's branch — pushed, or
  // not (the remote's branch still at the spawn point)
  async function world(pushed: boolean) {
    const repo = await tempRepo({ 'README.md': '# parent\n' });
    cleanups.push(repo.cleanup);
    const remote = await bareRemote(cleanups, repo.dir);
    const worker = await tempDir('troupe-worker-');
    cleanups.push(worker.cleanup);
    git(worker.dir, 'clone', '--quiet', remote, 'clone');
    const clone = join(worker.dir, 'clone');
    const base = git(clone, 'rev-parse', 'HEAD');
    writeFileSync(join(clone, 'done.txt'), 'done\n');
    git(clone, 'add', 'done.txt');
    git(clone, 'commit', '--quiet', '-m', 'step 1');
    const head = git(clone, 'rev-parse', 'HEAD');
    const branch = 'troupe/child-000001';
    git(clone, 'push', '--quiet', remote, `${pushed ? head : base}:refs/heads/${branch}`);
    const store = createMemoryStore();
    await store.open();
    cleanups.push(() => store.close());
    const created = planCreation('demo/p-child', {
      phase: 'validate',
      status: 'complete',
      automation: 'auto',
      sandbox: { worktree: '.troupe/worktrees/child', branch, baseCommit: base, headCommit: head },
    });
    await store.createPlan(created);
    const queue = new PlanQueue({ url: redis.url, name: `q-${created.planId}`, setting: 'TROUPE_REDIS_URL' });
    cleanups.push(() => queue.close());
    const children = new RemoteChildren({
      store,
      queue,
      remote: new RemoteBranches(remote, 'remote.url'),
      repoRoot: repo.dir,
      cancelHere: () => Promise.reject(new Error('nothing is cancelled here')),
      attemptOf: async () => 1,
    });
    const record = (await store.getPlan(created.planId)) as PlanRecord;
    return { repo: repo.dir, remote, clone, branch, head, record, children };
  }

  it('answers a validated child without waiting for its head; the merge’s fetch brings it', async () => {
    const { repo, head, record, children } = await world(true);
    const outcome = await children.run(
      { childId: record.id, attempt: 1, deadline: null },
      new AbortController().signal,
      record,
    );
    expect(outcome).toEqual({ ok: true, head });
    await children.fetchHeads([{ record, head }]);
    expect(git(repo, 'cat-file', '-t', head)).toBe('commit');
  });

  it('answers even when the remote lacks the head; the merge then fails with REMOTE_UNAVAILABLE naming the commit, and goes through once it is pushed', async () => {
    const { repo, remote, clone, branch, head, record, children } = await world(false);
    // before: the answer waited for the fetch, and a head the remote lacked failed the child itself
    const outcome = await children.run(
      { childId: record.id, attempt: 1, deadline: null },
      new AbortController().signal,
      record,
    );
    expect(outcome).toEqual({ ok: true, head });
    await expect(children.fetchHeads([{ record, head }])).rejects.toMatchObject({
      code: 'REMOTE_UNAVAILABLE',
      details: { commit: head, branch },
    });
    git(clone, 'push', '--quiet', remote, `${head}:refs/heads/${branch}`);
    await children.fetchHeads([{ record, head }]);
    expect(git(repo, 'cat-file', '-t', head)).toBe('commit');
  });

  it('waits for a remote that does not answer at merge time, and fetches once it is back', async () => {
    const { repo, remote, clone, branch, head, record, children } = await world(false);
    // the remote away (moved), then back a moment later with the child's head
    await rename(remote, `${remote}.away`);
    const fetching = children.fetchHeads([{ record, head }]);
    await new Promise((resolve) => setTimeout(resolve, 700));
    await rename(`${remote}.away`, remote);
    git(clone, 'push', '--quiet', remote, `${head}:refs/heads/${branch}`);
    await fetching;
    expect(git(repo, 'cat-file', '-t', head)).toBe('commit');
  });

  it('gives up on a remote that does not answer past the wait, with REMOTE_UNAVAILABLE', async () => {
    const { remote, head, record, children } = await world(false);
    await rename(remote, `${remote}.away`);
    cleanups.push(() => rename(`${remote}.away`, remote));
    await expect(children.fetchHeads([{ record, head }], { waitMs: 500 })).rejects.toMatchObject({
      code: 'REMOTE_UNAVAILABLE',
      details: { setting: 'remote.url' },
    });
  });
});
