import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git } from '../helpers/temp.js';
import { UTIL, editedUtil, renamedUtil } from '../merge/rename-fixtures.js';
import { planYaml, projectWithRuntime, step } from './fixtures.js';

// Renames through the whole path a user takes: a child plan that renames a
// file its sibling edits merges clean into the parent; apply follows a file
// the plan renamed and the user edited; rename/delete waits and `resolve`
// settles it with no old path or copy left.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function project(files: Record<string, string>) {
  const made = await projectWithRuntime({ 'README.md': '# project\n', ...files });
  cleanups.push(made.close);
  return made;
}

const NOTES = Array.from({ length: 10 }, (_, at) => `note ${at + 1}`).join('\n') + '\n';

// a step that renames a file and rewrites part of it, as an agent does
const renameStep = (from: string, to: string, content: string) => [
  step(`Rename ${from}`, 'shell/run', { command: `mv ${from} ${to}` }),
  step(`Rework ${to}`, 'fs/write-file', { path: to, content }),
];

describe('renames in child merges and apply', () => {
  it('merges a child that renamed a file (54 % similar) with its sibling’s edit of it, into the new path', async () => {
    const { dir, runtime } = await project({ 'src/util.js': UTIL });
    const entries = [
      {
        goal: 'Edit util',
        resourceScopes: ['src/util.js'],
        strategy: { steps: [step('Edit', 'fs/write-file', { path: 'src/util.js', content: editedUtil() })] },
      },
      {
        goal: 'Rename util',
        resourceScopes: ['src/util.js', 'src/helpers.js'],
        strategy: { steps: renameStep('src/util.js', 'src/helpers.js', renamedUtil()) },
      },
    ];
    const plan = await runtime.createPlan(
      planYaml({
        name: 'demo/fan',
        automation: 'review',
        strategy: { steps: [{ title: 'Fan out', subplans: { mode: 'parallel', maxParallel: 2, entries } }] },
      }),
    );

    const record = await runtime.run(plan.id);

    expect(record).toMatchObject({ phase: 'validate', status: 'complete' });
    const worktree = join(dir, record.sandbox!.worktree);
    expect(readFileSync(join(worktree, 'src/helpers.js'), 'utf8')).toBe(renamedUtil(editedUtil()));
    expect(existsSync(join(worktree, 'src/util.js'))).toBe(false);
  });

  it('applies a plan that renamed a file onto a project that edited it: the edit lands in the new path', async () => {
    const { dir, runtime } = await project({ 'notes.txt': NOTES });
    const plan = await runtime.run(
      (
        await runtime.createPlan(
          planYaml({
            name: 'demo/move',
            automation: 'review',
            strategy: { steps: renameStep('notes.txt', 'docs.txt', NOTES.replace('note 9\n', 'note nine\n')) },
          }),
        )
      ).id,
    );
    writeFileSync(join(dir, 'notes.txt'), NOTES.replace('note 2\n', 'note two\n'));
    git(dir, 'commit', '-qam', 'the user edited the notes');

    const applied = await runtime.runPhase(plan.id, 'apply');

    expect(applied).toMatchObject({ phase: 'apply', status: 'done' });
    expect(git(dir, 'ls-files')).toBe('README.md\ndocs.txt');
    expect(readFileSync(join(dir, 'docs.txt'), 'utf8')).toBe(
      NOTES.replace('note 2\n', 'note two\n').replace('note 9\n', 'note nine\n'),
    );
  });

  it.each([
    ['ours', 'README.md'],
    ['theirs', 'README.md\ndocs.txt'],
  ] as const)(
    'waits on rename/delete and settles it with --%s: the renamed file kept or gone, nothing else',
    async (side, files) => {
      const { dir, runtime } = await project({ 'notes.txt': NOTES });
      const plan = await runtime.run(
        (
          await runtime.createPlan(
            planYaml({
              name: 'demo/move',
              automation: 'review',
              strategy: { steps: renameStep('notes.txt', 'docs.txt', NOTES) },
            }),
          )
        ).id,
      );
      git(dir, 'rm', '-q', 'notes.txt');
      git(dir, 'commit', '-qm', 'the user deleted the notes');

      const waiting = await runtime.runPhase(plan.id, 'apply');
      const { conflicts } = await runtime.conflicts(plan.id);
      // resolved by the path the user knew it by
      const resolved = await runtime.resolve(plan.id, 'notes.txt', { with: side });
      await runtime.runPhase(plan.id, 'apply');

      expect(waiting).toMatchObject({ phase: 'apply', status: 'waiting' });
      expect(conflicts).toEqual([
        expect.objectContaining({
          file: 'docs.txt',
          kind: 'rename-delete',
          hunks: [{ ours: null, base: NOTES, theirs: NOTES }],
          paths: { base: 'notes.txt', ours: null, theirs: 'docs.txt' },
        }),
      ]);
      expect(resolved).toMatchObject({ file: 'docs.txt', with: side, remaining: [] });
      expect(git(dir, 'ls-files')).toBe(files);
    },
  );
});
