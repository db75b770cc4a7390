import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Decision } from '../../src/domain/index.js';
import {
  HostServer,
  RemoteRuntime,
  createRuntime,
  hostSocketPath,
  type RuntimeOptions,
} from '../../src/runtime/index.js';
import type { LocalRuntime } from '../../src/runtime/local-runtime.js';
import { git } from '../helpers/temp.js';
import { planYaml, projectWithRuntime, step } from './fixtures.js';
import { runUntilKilled } from '../helpers/kill-after.js';

// Apply through the merge engine when the project moved on (SPEC §9): conflicts
// wait for the user in (apply, waiting), are resolved file by file, and the
// merge commit lands when apply runs again. On LevelDB and the memory store.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const FILES = {
  'README.md': '# project\n',
  'src/a.ts': 'one\ntwo\nthree\nfour\nfive\nsix\nseven\n',
  'conf.json': '{\n  "name": "x",\n  "port": 1\n}\n',
  'notes.txt': 'notes\n',
};

// the plan edits three files; the project then edits the same places
const CLASH = planYaml({
  name: 'demo/clash',
  automation: 'review',
  strategy: {
    steps: [
      step('Edit a', 'shell/run', { command: "sed -i 's/^two$/TWO plan/; s/^five$/FIVE plan/' src/a.ts" }),
      step('Edit conf', 'fs/write-file', { path: 'conf.json', content: '{\n  "name": "x",\n  "port": 2\n}\n' }),
      step('Edit notes', 'fs/write-file', { path: 'notes.txt', content: 'notes by the plan\n' }),
      step('Add a file', 'fs/write-file', { path: 'added.txt', content: 'added\n' }),
    ],
  },
});

async function project(options: Omit<RuntimeOptions, 'dir'> = {}) {
  const made = await projectWithRuntime(FILES, options);
  cleanups.push(made.close);
  return made;
}

/**
 * A plan validated in its sandbox, then a project commit that overlaps it,
 * then apply; `others` name more plans like it, validated before the commit.
 */
async function waitingPlan(options: Omit<RuntimeOptions, 'dir'> = {}, others: string[] = []) {
  const made = await project(options);
  const { dir, runtime } = made;
  const plan = await runtime.run((await runtime.createPlan(CLASH)).id);
  expect(plan).toMatchObject({ phase: 'validate', status: 'complete' });
  const validated = [];
  for (const name of others)
    validated.push(await runtime.run((await runtime.createPlan(CLASH.replace('demo/clash', name))).id));
  writeFileSync(join(dir, 'src/a.ts'), 'one\nTWO user\nthree\nfour\nfive\nsix\nseven user\n');
  writeFileSync(join(dir, 'conf.json'), '{\n  "name": "x",\n  "port": 3\n}\n');
  git(dir, 'rm', '-q', 'notes.txt');
  git(dir, 'commit', '-qam', 'the user moved on');
  const head = git(dir, 'rev-parse', 'HEAD');
  const waiting = await runtime.runPhase(plan.id, 'apply');
  return { ...made, plan: waiting, head, others: validated };
}

const decisionsOf = async (runtime: LocalRuntime, planId: string, type: Decision['type']) => {
  const tree = await runtime.explain(planId);
  const all: Decision[] = [];
  const walk = (node: { children: unknown[] } & Decision) => {
    all.push(node);
    for (const child of node.children) walk(child as never);
  };
  if (tree.root) walk(tree.root);
  return all.filter((decision) => decision.type === type);
};

describe.each(['level', 'memory'] as const)('apply conflicts on the %s store', (store) => {
  it('waits in (apply, waiting) with one record per file, leaving the project untouched', async () => {
    const { dir, runtime, plan, head } = await waitingPlan({ store });

    expect(plan).toMatchObject({ phase: 'apply', status: 'waiting', error: null });
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(dir, 'status', '--porcelain')).toBe('');
    const list = await runtime.conflicts(plan.id);
    expect(list).toMatchObject({ planId: plan.id, phase: 'apply', status: 'waiting', resolved: [] });
    expect(list.conflicts.map((conflict) => [conflict.file, conflict.kind, conflict.child])).toEqual([
      ['conf.json', 'content', null],
      ['notes.txt', 'modify-delete', null],
      ['src/a.ts', 'content', null],
    ]);
    const a = list.conflicts.find((conflict) => conflict.file === 'src/a.ts')!;
    expect(a.hunks).toEqual([{ ours: 'TWO user\n', base: 'two\n', theirs: 'TWO plan\n' }]);
    // a copy with markers to edit; none for modify/delete
    expect(a.edit).toBe(`.troupe/conflicts/${plan.id}/src/a.ts`);
    expect(readFileSync(join(dir, a.edit!), 'utf8')).toContain(
      '<<<<<<< ours\nTWO user\n||||||| base\ntwo\n=======\nTWO plan\n>>>>>>> theirs\n',
    );
    expect(list.conflicts.find((conflict) => conflict.file === 'notes.txt')?.edit).toBeNull();
    const events = (await runtime.events(plan.id)).map((event) => [event.type, event.data]);
    expect(events.at(-1)).toEqual(['merge.conflict', { files: ['conf.json', 'notes.txt', 'src/a.ts'] }]);
  });

  it('refuses to move on while conflicts remain, naming the files', async () => {
    const { runtime, plan } = await waitingPlan({ store });
    await expect(runtime.runPhase(plan.id, 'apply')).rejects.toMatchObject({
      code: 'MERGE_CONFLICT',
      message: 'cannot apply demo/clash: 3 files have unresolved conflicts: conf.json, notes.txt, src/a.ts',
      details: { files: ['conf.json', 'notes.txt', 'src/a.ts'] },
    });
    // run drives as far as it can: nowhere, and says it waits
    expect(await runtime.run(plan.id, { until: 'apply' })).toMatchObject({ phase: 'apply', status: 'waiting' });
    // other phases are behind it
    await expect(runtime.runPhase(plan.id, 'execute')).rejects.toMatchObject({ code: 'PHASE_GUARD' });
  });

  it('resolves file by file, makes the merge commit with the last one, and applies it when apply runs again', async () => {
    const { dir, runtime, plan, head } = await waitingPlan({ store });
    const { conflicts } = await runtime.conflicts(plan.id);
    const edit = conflicts.find((conflict) => conflict.file === 'src/a.ts')!.edit!;
    writeFileSync(join(dir, edit), 'one\nTWO both\nthree\nfour\nFIVE plan\nsix\nseven user\n');

    const first = await runtime.resolve(plan.id, 'conf.json', { with: 'theirs' });
    expect(first).toMatchObject({
      file: 'conf.json',
      with: 'theirs',
      remaining: ['notes.txt', 'src/a.ts'],
      mergeCommit: null,
      plan: { status: 'waiting' },
    });
    expect(await runtime.conflicts(plan.id)).toMatchObject({ resolved: [{ file: 'conf.json', with: 'theirs' }] });
    await runtime.resolve(plan.id, 'notes.txt', { with: 'ours' });
    const last = await runtime.resolve(plan.id, 'src/a.ts', { with: 'file', path: edit });

    // the merge commit is made, the plan goes on when it is next run
    expect(last).toMatchObject({ remaining: [], plan: { phase: 'apply', status: 'queued' } });
    // apply's commit is made by apply: none is named before it (issue 36)
    expect(last.mergeCommit).toBeNull();
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(await runtime.conflicts(plan.id)).toMatchObject({ conflicts: [], resolved: [] });
    expect(existsSync(join(dir, '.troupe', 'conflicts', plan.id))).toBe(false);
    const [merge] = await decisionsOf(runtime, plan.id, 'merge');
    expect(merge?.payload).toMatchObject({
      target: 'project',
      ours: head,
      commit: expect.stringMatching(/^[0-9a-f]{40}$/),
      resolved: [
        { file: 'conf.json', with: 'theirs' },
        { file: 'notes.txt', with: 'ours' },
        { file: 'src/a.ts', with: 'file' },
      ],
    });
    const resolutions = await decisionsOf(runtime, plan.id, 'conflict_resolution');
    expect(
      resolutions.map((decision) => [
        decision.actor,
        decision.payload.file,
        decision.payload.with,
        decision.payload.by,
      ]),
    ).toEqual([
      ['user', 'conf.json', 'theirs', 'user'],
      ['user', 'notes.txt', 'ours', 'user'],
      ['user', 'src/a.ts', 'file', 'user'],
    ]);
    const types = (await runtime.events(plan.id)).map((event) => event.type);
    expect(types.slice(-4)).toEqual(['conflict.resolved', 'conflict.resolved', 'conflict.resolved', 'merge.completed']);

    // what apply brings now: the resolved merge, onto the branch it merged onto
    expect(await runtime.changes(plan.id)).toMatchObject({ baseCommit: head, headCommit: merge!.payload.commit });
    const applied = await runtime.runPhase(plan.id, 'apply');
    expect(applied).toMatchObject({ phase: 'apply', status: 'done' });
    expect(applied.appliedCommit).toBe(git(dir, 'rev-parse', 'HEAD'));
    expect(readFileSync(join(dir, 'src/a.ts'), 'utf8')).toBe(
      'one\nTWO both\nthree\nfour\nFIVE plan\nsix\nseven user\n',
    );
    expect(readFileSync(join(dir, 'conf.json'), 'utf8')).toBe('{\n  "name": "x",\n  "port": 2\n}\n');
    expect(existsSync(join(dir, 'notes.txt'))).toBe(false);
    // the clean parts of the plan come along
    expect(readFileSync(join(dir, 'added.txt'), 'utf8')).toBe('added\n');
    // one commit by troupe on top of the user's
    expect(git(dir, 'rev-parse', 'HEAD^')).toBe(head);
    expect(git(dir, 'log', '-1', '--format=%an|%(trailers:key=Troupe-Plan-Id,valueonly)')).toBe(`troupe|${plan.id}`);
    expect(git(dir, 'status', '--porcelain')).toBe('');
  });

  it('refuses bad resolutions with a coded error and changes nothing', async () => {
    const { dir, runtime, plan } = await waitingPlan({ store });
    const before = { events: await runtime.events(plan.id), conflicts: await runtime.conflicts(plan.id) };
    mkdirSync(join(dir, 'adir'));
    writeFileSync(join(dir, '..', `outside-${plan.id}`), 'x');
    symlinkSync(join(dir, '..', `outside-${plan.id}`), join(dir, 'link'));
    const cases: [string, Parameters<LocalRuntime['resolve']>[2], string][] = [
      [
        'README.md',
        { with: 'ours' },
        'file: README.md has no open conflict in plan demo/clash; open: conf.json, notes.txt, src/a.ts',
      ],
      ['src/a.ts', { with: 'file', path: 'missing.ts' }, '--use: no file at missing.ts'],
      ['src/a.ts', { with: 'file', path: `../absent-${plan.id}` }, `--use: no file at ../absent-${plan.id}`],
      [
        'src/a.ts',
        { with: 'file', path: `../outside-${plan.id}` },
        `--use: ../outside-${plan.id} is outside the project (${dir})`,
      ],
      ['src/a.ts', { with: 'file', path: 'link' }, `--use: link is outside the project (${dir})`],
      ['src/a.ts', { with: 'file', path: '.git/config' }, '--use: .git/config is inside .git'],
      ['src/a.ts', { with: 'file', path: 'adir' }, '--use: adir is not a file'],
      ['src/a.ts', { with: 'both' } as never, 'resolution: choose one of --ours, --theirs, --use <path>'],
      ['src/a.ts', { with: 'file' } as never, '--use: needs the path of a file'],
      ['', { with: 'ours' }, 'file: is required: the path of a conflicting file'],
    ];
    for (const [file, choice, message] of cases) {
      await expect(runtime.resolve(plan.id, file, choice), message).rejects.toMatchObject({
        code: 'VALIDATION_ERROR',
        message,
      });
    }
    await expect(runtime.resolve('demo/nope', 'src/a.ts', { with: 'ours' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const other = await runtime.createPlan(CLASH.replace('demo/clash', 'demo/calm'));
    await expect(runtime.resolve(other.id, 'src/a.ts', { with: 'ours' })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: 'file: plan demo/calm has no open conflicts (it is at (strategize, queued))',
      hint: 'troupe plan status demo/calm',
    });
    expect(await runtime.events(plan.id)).toEqual(before.events);
    expect(await runtime.conflicts(plan.id)).toEqual(before.conflicts);
  });

  it('applies with the theirs strategy, recording what it settled, and fails on conflict when asked to', async () => {
    const { dir, runtime, plan, head, others } = await waitingPlan({ store }, ['demo/again']);
    await runtime.cancel(plan.id);
    // cancelling leaves no open conflicts behind
    expect((await runtime.conflicts(plan.id)).conflicts).toEqual([]);

    const again = others[0]!;
    const moved = git(dir, 'rev-parse', 'HEAD');
    const failed = await runtime.runPhase(again.id, 'apply', { strategy: 'fail-on-conflict' });
    expect(failed).toMatchObject({
      phase: 'apply',
      status: 'failed',
      error: { code: 'MERGE_CONFLICT', retryable: true, details: { files: ['conf.json', 'notes.txt', 'src/a.ts'] } },
    });
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(moved);

    const done = await runtime.runPhase(again.id, 'apply', { strategy: 'theirs' });
    expect(done).toMatchObject({ phase: 'apply', status: 'done' });
    expect(readFileSync(join(dir, 'src/a.ts'), 'utf8')).toBe(
      'one\nTWO plan\nthree\nfour\nFIVE plan\nsix\nseven user\n',
    );
    // theirs modified what ours deleted: theirs wins the whole file
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('notes by the plan\n');
    const settled = await decisionsOf(runtime, again.id, 'conflict_resolution');
    expect(
      settled.map((decision) => [decision.payload.file, decision.payload.with, decision.payload.by, decision.actor]),
    ).toEqual([
      ['conf.json', 'theirs', 'strategy', 'runtime'],
      ['notes.txt', 'theirs', 'strategy', 'runtime'],
      ['src/a.ts', 'theirs', 'strategy', 'runtime'],
    ]);
    expect(git(dir, 'rev-list', '--count', `${head}..HEAD`)).toBe('1');
    await expect(runtime.runPhase(again.id, 'apply', { strategy: 'sideways' as never })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: '--strategy: must be one of three-way, ours, theirs, fail-on-conflict (got "sideways")',
    });
  });

  it('merges the merge commit again when the project moved on while the user resolved', async () => {
    const { dir, runtime, plan } = await waitingPlan({ store });
    for (const file of ['conf.json', 'notes.txt', 'src/a.ts']) await runtime.resolve(plan.id, file, { with: 'theirs' });
    writeFileSync(join(dir, 'README.md'), '# project, later\n');
    git(dir, 'commit', '-qam', 'more work');
    expect(await runtime.runPhase(plan.id, 'apply')).toMatchObject({ status: 'done' });
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toBe('# project, later\n');
    expect(readFileSync(join(dir, 'src/a.ts'), 'utf8')).toBe(
      'one\nTWO plan\nthree\nfour\nFIVE plan\nsix\nseven user\n',
    );
  });
});

describe('apply conflicts across a restart', () => {
  it('keeps the waiting merge and its resolutions in LevelDB and finishes after a new runtime opens the store', async () => {
    const { dir, runtime, plan } = await waitingPlan();
    await runtime.resolve(plan.id, 'conf.json', { with: 'ours' });
    await runtime.close();

    const reopened = await createRuntime({ dir, report: () => {} });
    cleanups.push(() => reopened.close());
    expect(await reopened.getPlan(plan.id)).toMatchObject({ phase: 'apply', status: 'waiting' });
    expect(await reopened.conflicts(plan.id)).toMatchObject({ resolved: [{ file: 'conf.json', with: 'ours' }] });
    await reopened.resolve(plan.id, 'notes.txt', { with: 'theirs' });
    await reopened.resolve(plan.id, 'src/a.ts', { with: 'ours' });
    expect(await reopened.runPhase(plan.id, 'apply')).toMatchObject({ status: 'done' });
    expect(readFileSync(join(dir, 'conf.json'), 'utf8')).toBe('{\n  "name": "x",\n  "port": 3\n}\n');
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('notes by the plan\n');
    expect(readFileSync(join(dir, 'src/a.ts'), 'utf8')).toBe(
      'one\nTWO user\nthree\nfour\nFIVE plan\nsix\nseven user\n',
    );
  });
});

describe('apply conflicts through the host', () => {
  it('lists and resolves conflicts from another connection while the owner holds the store', async () => {
    const { dir, runtime, plan } = await waitingPlan();
    const host = await HostServer.listen(runtime, hostSocketPath(dir));
    cleanups.push(() => host.close());
    const remote = await RemoteRuntime.connect(dir, hostSocketPath(dir));
    cleanups.push(() => remote.close());

    expect((await remote.conflicts('demo/clash')).conflicts.map((conflict) => conflict.file)).toEqual([
      'conf.json',
      'notes.txt',
      'src/a.ts',
    ]);
    await expect(remote.resolve(plan.id, 'nope', { with: 'ours' })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    await expect(remote.runPhase(plan.id, 'apply')).rejects.toMatchObject({
      code: 'MERGE_CONFLICT',
      details: { files: ['conf.json', 'notes.txt', 'src/a.ts'] },
    });
    for (const file of ['conf.json', 'notes.txt']) await remote.resolve(plan.id, file, { with: 'theirs' });
    const last = await remote.resolve(plan.id, 'src/a.ts', { with: 'theirs' });
    expect(last).toMatchObject({ remaining: [], plan: { status: 'queued' } });
    expect(await remote.runPhase(plan.id, 'apply', { strategy: 'three-way' })).toMatchObject({ status: 'done' });
  });
});

describe('apply conflicts after kill -9', () => {
  const FILES = ['conf.json', 'notes.txt', 'src/a.ts'];
  // after start; after the first resolution; after the last (the merge commit in flight); after the merge
  for (const killAfter of [1, 2, 4, 5]) {
    it(`keeps every resolution exactly once and finishes the merge (killed after ${killAfter} lines of output)`, async () => {
      const { dir, runtime, plan } = await waitingPlan();
      await runtime.close();

      // the child never closes its runtime: whenever the kill lands (at the last line, it may have finished), it is a kill -9
      const output = await runUntilKilled(
        join(import.meta.dirname, 'resolve-child.ts'),
        [dir, plan.id, ...FILES],
        killAfter,
      );
      expect(output.length).toBeGreaterThanOrEqual(killAfter);

      // as the CLI opens it: a plan is restored when a command acts on it
      const reopened = await createRuntime({ dir, report: () => {}, resume: false });
      cleanups.push(() => reopened.close());
      expect(['waiting', 'processing', 'queued']).toContain((await reopened.getPlan(plan.id)).status);
      for (const { file } of (await reopened.conflicts(plan.id)).conflicts)
        await reopened.resolve(plan.id, file, { with: 'theirs' });
      // a merge commit in flight when the process died is made again on restore, before apply is judged
      expect(await reopened.runPhase(plan.id, 'apply')).toMatchObject({ status: 'done' });

      expect(readFileSync(join(dir, 'src/a.ts'), 'utf8')).toBe(
        'one\nTWO plan\nthree\nfour\nFIVE plan\nsix\nseven user\n',
      );
      expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('notes by the plan\n');
      const decisions = await decisionsOf(reopened, plan.id, 'conflict_resolution');
      expect(decisions.map((decision) => decision.payload.file)).toEqual(FILES);
      expect(await decisionsOf(reopened, plan.id, 'merge')).toHaveLength(1);
      const journal = await reopened.events(plan.id);
      expect(journal.filter((event) => event.type === 'conflict.resolved')).toHaveLength(3);
      expect(journal.filter((event) => event.type === 'merge.completed')).toHaveLength(1);
      expect(journal.map((event) => event.seq)).toEqual(journal.map((_, index) => index + 1));
    });
  }
});
