import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeEmptyObjects } from '../../src/sandbox/index.js';
import { createRuntime } from '../../src/runtime/index.js';
import { git, tempRepo } from '../helpers/temp.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

// a file's object in the repository, empty: what a power cut leaves of an object nobody synced
function emptyObjectOf(dir: string, file: string, content: string): string {
  writeFileSync(join(dir, file), content);
  const id = git(dir, 'hash-object', file);
  mkdirSync(join(dir, '.git', 'objects', id.slice(0, 2)), { recursive: true });
  writeFileSync(join(dir, '.git', 'objects', id.slice(0, 2), id.slice(2)), '');
  return id;
}

describe('empty objects a power cut left', () => {
  it('are removed, so git writes the object whole the next time instead of building on an empty file', async () => {
    const repo = await tempRepo({ 'README.md': '# r\n' });
    cleanups.push(repo.cleanup);
    // the object a later write of "same\n" would be
    const same = emptyObjectOf(repo.dir, 'same.txt', 'same\n');
    // a file of another name in objects/ is not an object: left alone
    writeFileSync(join(repo.dir, '.git', 'objects', same.slice(0, 2), 'not-an-object'), '');

    expect(await removeEmptyObjects(repo.dir)).toEqual([`${same.slice(0, 2)}/${same.slice(2)}`]);
    expect(existsSync(join(repo.dir, '.git', 'objects', same.slice(0, 2), 'not-an-object'))).toBe(true);
    // written again whole, and readable
    git(repo.dir, 'add', 'same.txt');
    expect(git(repo.dir, 'cat-file', '-p', same)).toBe('same');
    expect(await removeEmptyObjects(repo.dir)).toEqual([]);
  });

  it('are removed when a runtime opens the project, which says so', async () => {
    const repo = await tempRepo({ 'README.md': '# r\n' });
    cleanups.push(repo.cleanup);
    const id = emptyObjectOf(repo.dir, 'x.txt', 'x\n');
    const warnings: string[] = [];
    const runtime = await createRuntime({
      dir: repo.dir,
      store: 'memory',
      report: () => {},
      warn: (line) => warnings.push(line),
    });
    await runtime.close();
    expect(warnings).toEqual([
      expect.stringMatching(
        /^warning: removed 1 empty git object of .* a crash or power cut left \([0-9a-f]{2}\/[0-9a-f]{38}\): git writes each again when it is needed/,
      ),
    ]);
    expect(existsSync(join(repo.dir, '.git', 'objects', id.slice(0, 2), id.slice(2)))).toBe(false);
  });
});
