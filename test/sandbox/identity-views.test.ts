import { chmodSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closedAncestors, homeViewArguments } from '../../src/sandbox/identity-views.js';
import type { CommandIdentity } from '../../src/sandbox/index.js';
import { tempDir } from '../helpers/temp.js';

const dedicated: CommandIdentity = { kind: 'dedicated', uid: 998, gid: 998, name: 'troupe-sandbox' };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('homeViewArguments', () => {
  it('rebuilds a home the identity cannot enter: each entry bound back read-only, links made again', async () => {
    const made = await tempDir('troupe-home-view-');
    cleanups.push(made.cleanup);
    const home = made.dir;
    mkdirSync(join(home, '.pyenv'));
    writeFileSync(join(home, '.gitconfig'), '[user]\n');
    symlinkSync('.pyenv', join(home, 'python'));
    // private: not in the view at all
    writeFileSync(join(home, '.private'), 'mine\n', { mode: 0o600 });
    mkdirSync(join(home, '.m2'), { mode: 0o750 });
    chmodSync(home, 0o700);
    const args = await homeViewArguments(home, dedicated);
    expect(args.slice(0, 2)).toEqual(['--tmpfs', home]);
    const triples = [];
    for (let at = 2; at < args.length; at += 3) triples.push(args.slice(at, at + 3).join(' '));
    expect(triples.sort()).toEqual([
      `--ro-bind-try ${home}/.gitconfig ${home}/.gitconfig`,
      `--ro-bind-try ${home}/.pyenv ${home}/.pyenv`,
      `--symlink .pyenv ${home}/python`,
    ]);
    // a new entry is seen at the next command
    writeFileSync(join(home, '.bashrc'), '');
    expect((await homeViewArguments(home, dedicated)).join(' ')).toContain(`${home}/.bashrc`);
  });

  it('leaves alone a home the identity can enter, a missing one, and troupe’s own user', async () => {
    const made = await tempDir('troupe-home-view-');
    cleanups.push(made.cleanup);
    chmodSync(made.dir, 0o755);
    expect(await homeViewArguments(made.dir, dedicated)).toEqual([]);
    expect(await homeViewArguments(join(made.dir, 'gone'), dedicated)).toEqual([]);
    chmodSync(made.dir, 0o700);
    expect(await homeViewArguments(made.dir, { kind: 'own', uid: 1000, gid: 1000, name: 'me' })).toEqual([]);
  });
});

describe('closedAncestors', () => {
  it('names the outermost folder above a project that the identity may not walk through, once', async () => {
    const made = await tempDir('troupe-closed-');
    cleanups.push(made.cleanup);
    const closed = join(made.dir, 'private');
    mkdirSync(join(closed, 'inner', 'app'), { recursive: true });
    mkdirSync(join(closed, 'other'));
    chmodSync(made.dir, 0o755);
    chmodSync(closed, 0o700);
    chmodSync(join(closed, 'inner'), 0o700);
    expect(await closedAncestors([join(closed, 'inner', 'app'), join(closed, 'other')], dedicated, [])).toEqual([
      closed,
    ]);
    // a folder given a view (a home) is not looked into
    expect(await closedAncestors([join(closed, 'inner', 'app')], dedicated, [closed])).toEqual([]);
    expect(
      await closedAncestors([join(closed, 'inner', 'app')], { kind: 'own', uid: 1000, gid: 1000, name: 'me' }, []),
    ).toEqual([]);
  });

  it('counts the identity’s own folders and its group’s as walkable', async () => {
    const made = await tempDir('troupe-closed-');
    cleanups.push(made.cleanup);
    chmodSync(made.dir, 0o755);
    mkdirSync(join(made.dir, 'a', 'app'), { recursive: true });
    chmodSync(join(made.dir, 'a'), 0o710);
    const owner = statSync(join(made.dir, 'a'));
    expect(
      await closedAncestors([join(made.dir, 'a', 'app')], { ...dedicated, uid: 12345, gid: owner.gid }, []),
    ).toEqual([]);
    expect(
      await closedAncestors([join(made.dir, 'a', 'app')], { ...dedicated, uid: owner.uid, gid: 12345 }, []),
    ).toEqual([]);
    expect(await closedAncestors([join(made.dir, 'a', 'app')], { ...dedicated, uid: 12345, gid: 12345 }, [])).toEqual([
      join(made.dir, 'a'),
    ]);
  });
});
