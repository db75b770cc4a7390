import { execFileSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  clearListed,
  clearSetIdBits,
  noteTroupeWrite,
  prepareWorktree,
  type CommandIdentity,
} from '../../src/sandbox/index.js';
import { tempDir } from '../helpers/temp.js';

const asRoot = process.getuid?.() === 0;
const own: CommandIdentity = { kind: 'own', uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, name: 'me' };
// an identity of its own, as troupe as root has: nobody, which every machine has
const other: CommandIdentity = { kind: 'nobody', uid: 65534, gid: 65534, name: 'nobody' };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function place(): Promise<string> {
  const made = await tempDir('troupe-owner-');
  cleanups.push(made.cleanup);
  return made.dir;
}

describe('prepareWorktree', () => {
  it.runIf(asRoot)(
    "hands what root wrote to the command's identity, keeping the folder and its .git file root's",
    async () => {
      const worktree = await place();
      mkdirSync(join(worktree, 'src/deep'), { recursive: true });
      writeFileSync(join(worktree, 'src/deep/a.ts'), 'a\n');
      writeFileSync(join(worktree, '.git'), 'gitdir: /elsewhere\n');
      const outside = await place();
      writeFileSync(join(outside, 'victim'), 'v\n');
      // a link in the worktree is changed itself, never what it leads to
      symlinkSync(join(outside, 'victim'), join(worktree, 'link'));
      await prepareWorktree(worktree, other);
      const owner = (path: string) => [lstatSync(path).uid, lstatSync(path).gid];
      expect(owner(worktree)).toEqual([0, 65534]);
      expect(lstatSync(worktree).mode & 0o7777).toBe(0o770);
      expect(owner(join(worktree, '.git'))).toEqual([0, 0]);
      expect(owner(join(worktree, 'src/deep/a.ts'))).toEqual([65534, 65534]);
      expect(owner(join(worktree, 'src'))).toEqual([65534, 65534]);
      expect(owner(join(worktree, 'link'))).toEqual([65534, 65534]);
      expect(owner(join(outside, 'victim'))).toEqual([0, 0]);
    },
  );

  it.runIf(asRoot)("touches nothing but the top of a repository's main working tree (its .git a folder)", async () => {
    const project = await place();
    execFileSync('git', ['init', '-q'], { cwd: project });
    writeFileSync(join(project, 'file'), 'x\n');
    await prepareWorktree(project, other);
    expect(lstatSync(join(project, 'file')).uid).toBe(0);
  });

  it.runIf(asRoot)(
    'walks again only once troupe may have written: its git changed the index, or a file tool said so',
    async () => {
      const worktree = await place();
      writeFileSync(join(worktree, '.git'), 'gitdir: /elsewhere\n');
      writeFileSync(join(worktree, 'a'), 'a\n');
      await prepareWorktree(worktree, other);
      expect(lstatSync(join(worktree, 'a')).uid).toBe(65534);
      // written behind its back (no index, no word): the next command does not pay for a walk
      writeFileSync(join(worktree, 'b'), 'b\n');
      await prepareWorktree(worktree, other);
      expect(lstatSync(join(worktree, 'b')).uid).toBe(0);
      noteTroupeWrite(worktree);
      await prepareWorktree(worktree, other);
      expect(lstatSync(join(worktree, 'b')).uid).toBe(65534);
      // a read-only command needs only the folder itself
      writeFileSync(join(worktree, 'c'), 'c\n');
      noteTroupeWrite(worktree);
      await prepareWorktree(worktree, other, { readOnly: true });
      expect(lstatSync(join(worktree, 'c')).uid).toBe(0);
    },
  );

  it('does nothing for troupe’s own user', async () => {
    const worktree = await place();
    writeFileSync(join(worktree, 'a'), 'a\n');
    const before = lstatSync(worktree).mode;
    await prepareWorktree(worktree, own);
    expect(lstatSync(worktree).mode).toBe(before);
  });
});

describe('clearSetIdBits', () => {
  it('removes set-user-ID and set-group-ID bits from files and folders, naming them, whoever owns them', async () => {
    const worktree = await place();
    mkdirSync(join(worktree, 'dir/sub'), { recursive: true });
    for (const [name, mode] of [
      ['suid', 0o4755],
      ['dir/sub/sgid', 0o2755],
      ['both', 0o6711],
      ['plain', 0o755],
    ] as const) {
      writeFileSync(join(worktree, name), 'x');
      chmodSync(join(worktree, name), mode);
    }
    chmodSync(join(worktree, 'dir'), 0o2775);
    // a name that is not UTF-8 is found and cleared all the same
    const odd = Buffer.concat([Buffer.from(`${worktree}/odd`), Buffer.from([0xff])]);
    writeFileSync(odd, 'x');
    chmodSync(odd, 0o4755);
    const cleared = await clearSetIdBits(worktree);
    expect(cleared.sort()).toEqual(['both', 'dir', 'dir/sub/sgid', 'odd\ufffd', 'suid']);
    expect(lstatSync(join(worktree, 'suid')).mode & 0o7777).toBe(0o755);
    expect(lstatSync(join(worktree, 'both')).mode & 0o7777).toBe(0o711);
    expect(lstatSync(join(worktree, 'dir')).mode & 0o7777).toBe(0o775);
    expect(lstatSync(odd).mode & 0o7777).toBe(0o755);
    expect(await clearSetIdBits(worktree)).toEqual([]);
  });

  it('never follows a link, at the end or on the way', async () => {
    const worktree = await place();
    const outside = await place();
    mkdirSync(join(outside, 'bin'));
    writeFileSync(join(outside, 'bin/host-suid'), 'x');
    chmodSync(join(outside, 'bin/host-suid'), 0o4755);
    symlinkSync(join(outside, 'bin/host-suid'), join(worktree, 'link'));
    symlinkSync(join(outside, 'bin'), join(worktree, 'folder'));
    expect(await clearSetIdBits(worktree)).toEqual([]);
    // a folder swapped for a link after find listed what was in it: the name is not followed
    const listing = Buffer.from(`${worktree}/folder/host-suid\0${worktree}/link\0${outside}/bin/host-suid\0`);
    expect(clearListed(worktree, listing)).toEqual([]);
    expect(lstatSync(join(outside, 'bin/host-suid')).mode & 0o4000).toBe(0o4000);
  });
});
