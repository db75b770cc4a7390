import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { initialState, type PlanContext } from '../../machines/index.js';
import type { PlanRecord, PredictedConflict } from '../../src/domain/index.js';
import { ConflictForecast, conflictForecastOf } from '../../src/runtime/children/index.js';
import { GitTrees } from '../../src/sandbox/index.js';
import { RemoteBranches } from '../../src/sandbox/remote-branches.js';
import { createMemoryStore } from '../../src/store/index.js';
import { changeset, planCreation } from '../store/fixtures.js';
import { git, tempDir, tempRepo } from '../helpers/temp.js';

// The forecast on a real repository (issue 38): children that branched from
// different points are merged over where they meet, one that holds the
// other's work is left alone, and a child on a worker is fetched first.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// a commit of `file` with `content` on top of `from`, on its own branch
function commitOn(dir: string, branch: string, from: string, file: string, content: string): string {
  git(dir, 'checkout', '-q', '-b', branch, from);
  writeFileSync(join(dir, file), content);
  git(dir, 'commit', '-q', '-am', branch);
  return git(dir, 'rev-parse', 'HEAD');
}

async function world() {
  const repo = await tempRepo({ 'f.txt': '1\n2\n3\n' });
  cleanups.push(repo.cleanup);
  const base = git(repo.dir, 'rev-parse', 'HEAD');
  const heads = {
    a: commitOn(repo.dir, 'a', base, 'f.txt', 'A\n2\n3\n'),
    b: commitOn(repo.dir, 'b', base, 'f.txt', 'B\n2\n3\n'),
  };
  // c branched after a merged: a's work is in its base
  const c = commitOn(repo.dir, 'c', heads.a, 'f.txt', 'C\n2\n3\n');
  const store = createMemoryStore();
  await store.open();
  cleanups.push(() => store.close());
  const parent = planCreation('demo/p');
  await store.createPlan(parent);
  const records = new Map<string, PlanRecord>();
  for (const [name, from, head] of [
    ['a', base, heads.a],
    ['b', base, heads.b],
    ['c', heads.a, c],
  ] as const) {
    const created = planCreation(`demo/p-${name}`, { parentId: parent.planId, rootId: parent.planId });
    const made = changeset(created.planId, {
      baseCommit: from,
      headCommit: head,
      files: [{ path: 'f.txt', action: 'modified', linesAdded: 1, linesRemoved: 1 }],
    });
    const record: PlanRecord = {
      ...created.record,
      changesetId: made.id,
      sandbox: { worktree: `.troupe/worktrees/${name}`, branch: name, baseCommit: from, headCommit: head },
    };
    await store.createPlan({ ...created, record, changesets: [made] });
    records.set(name, record);
  }
  const ids = ['a', 'b', 'c'].map((name) => records.get(name)!.id);
  const group = initialState({
    planId: parent.planId,
    stepIndex: 0,
    groupDecisionId: 'G',
    config: {
      mode: 'dependency-ordered',
      maxParallel: 3,
      mergeStrategy: 'three-way',
      failurePolicy: 'continue',
      retries: 0,
      timeoutMs: null,
      contextView: 'skeleton',
    },
    children: ['a', 'b', 'c'].map((name, at) => ({
      childId: ids[at]!,
      name: `demo/p-${name}`,
      decisionId: `D${name}`,
      dependsOn: name === 'c' ? [ids[0]!] : [],
      project: null,
    })),
    head: base,
  });
  group.statuses[ids[0]!] = { ...group.statuses[ids[0]!]!, status: 'complete', merged: true };
  for (const at of [1, 2]) group.statuses[ids[at]!] = { ...group.statuses[ids[at]!]!, status: 'running' };
  const predicted: { step: number; predictions: PredictedConflict[] }[] = [];
  const context = { name: 'demo/p', group, predictedConflicts: [] } as unknown as PlanContext;
  return { repo, store, records, parentId: parent.planId, context, predicted };
}

describe('ConflictForecast', () => {
  it('merges children that branched apart over their merge base, and leaves one that holds the other’s work', async () => {
    const { repo, store, records, parentId, context, predicted } = await world();
    const fetched: string[] = [];
    const forecast = new ConflictForecast({
      store,
      trees: new GitTrees(repo.dir),
      report: (message, error) => {
        throw new Error(`${message}: ${String(error)}`);
      },
      parent: (id) =>
        id === parentId
          ? { context: () => context, predicted: (step, predictions) => predicted.push({ step, predictions }) }
          : null,
      fetch: async (record) => void fetched.push(record.sandbox!.branch),
    });
    forecast.childMoved(records.get('c')!);
    await forecast.idle();
    const [b, c] = [records.get('b')!, records.get('c')!];
    expect(predicted).toEqual([
      {
        step: 0,
        predictions: [
          { step: 0, children: [b.id, c.id], names: ['demo/p-b', 'demo/p-c'], files: ['f.txt'], kinds: ['content'] },
        ],
      },
    ]);
    // a against c: c holds a's work, nothing merged; b against c: merged
    expect(forecast.counts()).toEqual({ moves: 1, pairs: 1, files: 1 });
    expect(fetched.sort()).toEqual(['a', 'b', 'c', 'c']);
    // the same head again is no move
    forecast.childMoved(c);
    await forecast.idle();
    expect(forecast.counts().moves).toBe(1);
    // a next group without a: the forecast forgets it, and its record counts as news again
    const next = {
      ...context.group!,
      children: context.group!.children.filter((child) => child.childId !== records.get('a')!.id),
    };
    (context as { group: unknown }).group = next;
    forecast.childMoved({ ...b, sandbox: { ...b.sandbox!, headCommit: c.sandbox!.headCommit } });
    await forecast.idle();
    forecast.childMoved(records.get('a')!);
    expect(forecast.counts().moves).toBe(3);
  });

  it('fetches the heads of children on workers from the shared remote before merging them', async () => {
    const { repo, store, records, parentId, context } = await world();
    // the children's commits are on the remote only: this repository has their records, not their commits
    const remote = await tempDir('troupe-forecast-remote-');
    cleanups.push(remote.cleanup);
    git(remote.dir, 'clone', '-q', '--bare', repo.dir, 'shared.git');
    const url = join(remote.dir, 'shared.git');
    git(repo.dir, 'checkout', '-q', 'main');
    git(repo.dir, 'branch', '-q', '-D', 'a', 'b', 'c');
    git(repo.dir, 'reflog', 'expire', '--expire=now', '--all');
    git(repo.dir, 'gc', '-q', '--prune=now');
    const [b, c] = [records.get('b')!, records.get('c')!];
    expect(() => git(repo.dir, 'cat-file', '-e', c.sandbox!.headCommit)).toThrow();
    const sent: unknown[] = [];
    const forecast = conflictForecastOf({
      store,
      repoRoot: repo.dir,
      report: (message, error) => {
        throw new Error(`${message}: ${String(error)}`);
      },
      actor: (id) =>
        id === parentId ? { getSnapshot: () => ({ context }), send: (event) => void sent.push(event) } : undefined,
      remote: new RemoteBranches(url, 'remote.url'),
      env: {},
    })!;
    forecast.childMoved(c);
    await forecast.idle();
    expect(sent).toEqual([
      {
        type: 'subplans.predicted',
        step: 0,
        predictions: [expect.objectContaining({ children: [b.id, c.id], files: ['f.txt'], kinds: ['content'] })],
      },
    ]);
  });

  it('reports a forecast that fails and carries on; predicts nothing for a parent that does not run here', async () => {
    const { repo, store, records, parentId, context } = await world();
    const reported: string[] = [];
    const forecast = new ConflictForecast({
      store,
      trees: new GitTrees(repo.dir),
      report: (message) => reported.push(message),
      parent: (id) => (id === parentId ? { context: () => context, predicted: () => {} } : null),
      fetch: async () => {
        throw new Error('the remote is away');
      },
    });
    forecast.childMoved(records.get('b')!);
    await forecast.idle();
    expect(reported).toEqual([`could not predict conflicts between the child plans of demo/p (${parentId})`]);
    const elsewhere = new ConflictForecast({
      store,
      trees: new GitTrees(repo.dir),
      report: () => {},
      parent: () => null,
    });
    elsewhere.childMoved(records.get('b')!);
    await elsewhere.idle();
    expect(elsewhere.counts().moves).toBe(0);
  });

  it('is off with TROUPE_PREDICT_CONFLICTS=0', () => {
    const options = {
      store: createMemoryStore(),
      repoRoot: '/nowhere',
      report: () => {},
      actor: () => undefined,
      remote: null,
    };
    expect(conflictForecastOf({ ...options, env: { TROUPE_PREDICT_CONFLICTS: '0' } })).toBeNull();
    expect(conflictForecastOf({ ...options, env: {} })).toBeInstanceOf(ConflictForecast);
  });
});
