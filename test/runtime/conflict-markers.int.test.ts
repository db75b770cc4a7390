import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { commitMerge } from '../../actors/commit-merge.js';
import type { ConflictRecord } from '../../src/domain/index.js';
import { git } from '../helpers/temp.js';
import { explainedDecisions, planYaml, projectWithRuntime, step } from './fixtures.js';

// A resolution never brings conflict markers onto a branch unless the user
// said the file holds them on purpose (issue 74).

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const MARKED = 'one\n<<<<<<< ours\nTWO user\n=======\nTWO plan\n>>>>>>> theirs\n';

// a validated plan whose apply meets the user's edit of the same line
async function waitingPlan() {
  const made = await projectWithRuntime({ 'a.txt': 'one\ntwo\n' });
  cleanups.push(made.close);
  const { dir, runtime } = made;
  const created = await runtime.createPlan(
    planYaml({
      name: 'demo/marks',
      strategy: { steps: [step('Edit a', 'fs/write-file', { path: 'a.txt', content: 'one\nTWO plan\n' })] },
    }),
  );
  expect(await runtime.run(created.id)).toMatchObject({ phase: 'validate', status: 'complete' });
  writeFileSync(join(dir, 'a.txt'), 'one\nTWO user\n');
  git(dir, 'commit', '-qam', 'the user moved on');
  const plan = await runtime.runPhase(created.id, 'apply');
  expect(plan).toMatchObject({ phase: 'apply', status: 'waiting' });
  return { ...made, plan };
}

describe('conflict markers in a resolution', () => {
  it('refuses a file or merged text that still holds a marker, naming it and the line, and changes nothing', async () => {
    const { dir, runtime, plan } = await waitingPlan();
    const before = { events: await runtime.events(plan.id), conflicts: await runtime.conflicts(plan.id) };
    const edit = before.conflicts.conflicts[0]!.edit!;
    await expect(runtime.resolve(plan.id, 'a.txt', { with: 'file', path: edit })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: `--use: ${edit} still holds a conflict marker at line 2 (<<<<<<< ours)`,
      hint: expect.stringContaining('--allow-markers'),
    });
    // the opening line edited out, the rest forgotten
    writeFileSync(join(dir, 'half.txt'), 'one\nTWO user\n=======\nTWO plan\n>>>>>>> theirs\n');
    await expect(runtime.resolve(plan.id, 'a.txt', { with: 'file', path: 'half.txt' })).rejects.toMatchObject({
      message: '--use: half.txt still holds a conflict marker at line 3 (=======)',
    });
    await expect(runtime.resolve(plan.id, 'a.txt', { with: 'content', content: MARKED })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: 'content: the merged text for a.txt still holds a conflict marker at line 2 (<<<<<<< ours)',
    });
    await expect(
      runtime.resolve(plan.id, 'a.txt', { with: 'ours', allowMarkers: true } as never),
    ).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    expect(await runtime.events(plan.id)).toEqual(before.events);
    expect(await runtime.conflicts(plan.id)).toEqual(before.conflicts);
  });

  it('takes a file that holds markers on purpose with allowMarkers, and apply commits it as it is', async () => {
    const { dir, runtime, plan } = await waitingPlan();
    writeFileSync(join(dir, 'fixture.txt'), MARKED);
    const resolved = await runtime.resolve(plan.id, 'a.txt', { with: 'file', path: 'fixture.txt', allowMarkers: true });
    expect(resolved).toMatchObject({ remaining: [], plan: { phase: 'apply', status: 'queued' } });
    const resolutions = (await explainedDecisions(runtime, plan.id)).filter(
      (decision) => decision.type === 'conflict_resolution',
    );
    expect(resolutions.map((decision) => decision.rationale)).toEqual([
      expect.stringContaining('conflict markers allowed (--allow-markers)'),
    ]);
    expect(await runtime.runPhase(plan.id, 'apply')).toMatchObject({ status: 'done' });
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe(MARKED);
  });
});

describe('the merge commit', () => {
  const record = (resolution: ConflictRecord['resolution']): ConflictRecord => ({
    planId: 'p',
    file: 'a.txt',
    child: null,
    kind: 'content',
    hunks: [],
    resolution,
  });
  const merge = {
    target: 'project' as const,
    child: null,
    base: 'b',
    ours: 'o',
    theirs: 't',
    clean: 'c',
    files: ['a.txt'],
    open: [],
    commit: null,
  };
  const services = (records: ConflictRecord[]) => ({
    conflicts: async () => records,
    merges: { commitMerge: vi.fn(async () => 'f'.repeat(40)), removeEditCopies: vi.fn(async () => {}) },
  });
  const content = Buffer.from(MARKED).toString('base64');

  it('refuses a resolution stored with markers, committing nothing', async () => {
    const given = services([record({ with: 'file', content, mode: '100644', path: 'mine.txt' })]);
    await expect(
      commitMerge(
        { planId: 'p', name: 'demo/marks', merge, sandbox: null, changesetId: null, childName: null },
        given as never,
      ),
    ).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message:
        'plan demo/marks: a.txt: its resolution still holds a conflict marker at line 2 (<<<<<<< ours): the merge was not committed',
    });
    expect(given.merges.commitMerge).not.toHaveBeenCalled();
  });

  it('commits one resolved with allowMarkers, and a side taken whole', async () => {
    for (const resolution of [
      { with: 'content' as const, content, mode: '100644', allowMarkers: true as const },
      { with: 'ours' as const, content, mode: '100644' },
    ]) {
      const given = services([record(resolution)]);
      await commitMerge(
        { planId: 'p', name: 'demo/marks', merge, sandbox: null, changesetId: null, childName: null },
        given as never,
      );
      expect(given.merges.commitMerge).toHaveBeenCalledOnce();
    }
  });
});
