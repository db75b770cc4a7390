import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git, tempRepo } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';
import { runCli } from './run-cli.js';

// rename/rename through the CLI: the plan renamed a file the user renamed
// elsewhere; `plan conflicts` shows both paths, `plan resolve` settles it.

const NOTES = Array.from({ length: 10 }, (_, at) => `note ${at + 1}`).join('\n') + '\n';
const MERGED = NOTES.replace('note 2\n', 'note two\n').replace('note 9\n', 'note nine\n');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

// the plan moves notes.txt to docs/notes.txt and edits line 9; the user moves it to guide.txt and edits line 2
async function renamedApart(): Promise<{ dir: string; planId: string }> {
  const { dir, cleanup } = await tempRepo({ 'notes.txt': NOTES });
  cleanups.push(cleanup);
  const steps = [
    step('Move', 'shell/run', { command: 'mkdir -p docs && mv notes.txt docs/notes.txt' }),
    step('Edit', 'fs/write-file', { path: 'docs/notes.txt', content: NOTES.replace('note 9\n', 'note nine\n') }),
  ];
  writeFileSync(join(dir, 'move.yaml'), planYaml({ name: 'demo/move', strategy: { steps } }));
  const run = await runCli(dir, ['plan', 'run', 'move.yaml', '--json']);
  expect(run.code).toBe(0);
  git(dir, 'mv', 'notes.txt', 'guide.txt');
  writeFileSync(join(dir, 'guide.txt'), NOTES.replace('note 2\n', 'note two\n'));
  git(dir, 'commit', '-qam', 'the user renamed the notes');
  expect((await runCli(dir, ['plan', 'apply', 'demo/move'])).code).toBe(3);
  return { dir, planId: JSON.parse(run.stdout).id };
}

describe('rename/rename in the CLI', () => {
  it('plan conflicts names the old path and each side’s new one, in text and JSON', async () => {
    const { dir, planId } = await renamedApart();

    const human = await runCli(dir, ['plan', 'conflicts', 'demo/move'], { env: { NO_COLOR: '1' } });
    const json = JSON.parse((await runCli(dir, ['plan', 'conflicts', 'demo/move', '--json'])).stdout);

    expect(human.stdout).toContain(
      `  guide.txt  rename-rename · contents merge cleanly · edit .troupe/conflicts/${planId}/guide.txt\n    renamed: notes.txt → ours guide.txt, theirs docs/notes.txt\n`,
    );
    expect(json.conflicts).toEqual([
      {
        file: 'guide.txt',
        child: null,
        childName: null,
        kind: 'rename-rename',
        hunks: [],
        edit: `.troupe/conflicts/${planId}/guide.txt`,
        paths: { base: 'notes.txt', ours: 'guide.txt', theirs: 'docs/notes.txt' },
      },
    ]);
    // the copy to edit holds both sides' edits
    expect(readFileSync(join(dir, `.troupe/conflicts/${planId}/guide.txt`), 'utf8')).toBe(MERGED);
  });

  it('--theirs by the old path: the plan’s path with both edits, no old path, no copy at ours’ path', async () => {
    const { dir } = await renamedApart();

    const resolved = await runCli(dir, ['plan', 'resolve', 'demo/move', 'notes.txt', '--theirs']);
    const apply = await runCli(dir, ['plan', 'apply', 'demo/move']);

    expect(resolved.stdout).toMatch(
      /^✓ resolved guide\.txt with theirs \(the plan demo\/move\); no conflicts left: the merge is ready to apply\n/,
    );
    expect(apply.code).toBe(0);
    expect(git(dir, 'ls-files')).toBe('docs/notes.txt');
    expect(readFileSync(join(dir, 'docs/notes.txt'), 'utf8')).toBe(MERGED);
  });

  it('--use writes the given file at ours’ path and drops theirs', async () => {
    const { dir } = await renamedApart();
    writeFileSync(join(dir, 'mine.txt'), 'mine\n');

    expect((await runCli(dir, ['plan', 'resolve', 'demo/move', 'docs/notes.txt', '--use', 'mine.txt'])).code).toBe(0);
    expect((await runCli(dir, ['plan', 'apply', 'demo/move'])).code).toBe(0);

    expect(git(dir, 'ls-files')).toBe('guide.txt');
    expect(readFileSync(join(dir, 'guide.txt'), 'utf8')).toBe('mine\n');
  });
});
