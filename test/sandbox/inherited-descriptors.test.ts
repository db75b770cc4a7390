import { closeSync, openSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Level } from 'level';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { gitCommand } from '../../src/sandbox/git-command.js';
import { GitHelper } from '../../src/sandbox/git-helper.js';
import { gitEnvironment, spawnGit } from '../../src/sandbox/git-spawn.js';
import { leakedDescriptors, shadowing } from '../../src/sandbox/inherited-descriptors.js';
import { tempRepo, visibleTempDir } from '../helpers/temp.js';

// LevelDB opens the store's files without close-on-exec, and Node cannot
// set it on a descriptor it did not open: every process troupe starts would
// hold the store's lock, log, journal and manifest, open for writing. The
// processes troupe starts itself get /dev/null in their place (bubblewrap's
// are checked in bubblewrap-ledger.int.test.ts, where it holds them longest).

const cleanups: (() => Promise<void> | void)[] = [];
let repo: string;
let storeDir: string;
let db: Level<string, string>;

beforeAll(async () => {
  const made = await tempRepo({ 'README.md': '# test\n' });
  cleanups.push(made.cleanup);
  repo = made.dir;
  const place = await visibleTempDir('troupe-fds-');
  cleanups.push(place.cleanup);
  storeDir = join(place.dir, 'store');
  db = new Level(storeDir);
  await db.open();
  await db.put('plan', 'kept');
  cleanups.push(() => db.close());
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

// what a program git starts holds: an alias that lists its own descriptors
const FDS = ['-c', 'alias.fds=!ls -l /proc/self/fd/', 'fds'];
const storeFiles = (listing: string) => listing.split('\n').filter((line) => line.includes(storeDir));

describe('descriptors this process holds without close-on-exec', () => {
  it('finds the open store’s files among them', () => {
    const leaked = leakedDescriptors().map((fd) => readlinkSync(`/proc/self/fd/${fd}`));
    expect(
      leaked
        .filter((path) => path.startsWith(storeDir))
        .map((path) => path.slice(storeDir.length + 1))
        .sort(),
    ).toEqual(
      expect.arrayContaining([
        'LOCK',
        'LOG',
        expect.stringMatching(/^MANIFEST-\d+$/),
        expect.stringMatching(/^\d+\.log$/),
      ]),
    );
    // and nothing Node opened itself, which has close-on-exec
    const own = openSync(join(repo, 'README.md'), 'r');
    try {
      expect(leakedDescriptors()).not.toContain(own);
    } finally {
      closeSync(own);
    }
  });

  it('stands /dev/null over each one a child’s stdio does not give it', () => {
    const shadowed = shadowing(['ignore', 'pipe', 'pipe'], [1, 5, 7]);
    expect(shadowed.slice(0, 3)).toEqual(['ignore', 'pipe', 'pipe']);
    expect(shadowed[3]).toBe('ignore');
    expect(shadowed[4]).toBe('ignore');
    expect(typeof shadowed[5]).toBe('number');
    expect(shadowed[7]).toBe(shadowed[5]);
    expect(readlinkSync(`/proc/self/fd/${shadowed[5] as number}`)).toBe('/dev/null');
    expect(shadowing(['pipe', 'pipe', 'pipe'], [])).toEqual(['pipe', 'pipe', 'pipe']);
  });
});

describe('processes troupe starts hold none of the store’s files', () => {
  it('git started from this process, and what git starts', async () => {
    const done = await spawnGit(repo, FDS, gitEnvironment());
    expect(done.exitCode, done.stderr).toBe(0);
    // the listing is real: it shows where it writes to
    expect(done.stdout.toString()).toMatch(/ 1 -> (pipe|socket):/);
    expect(storeFiles(done.stdout.toString())).toEqual([]);
  });

  it('porcelain git, from a process that runs one git at a time', async () => {
    const listing = await gitCommand(repo).run(FDS);
    expect(listing).toMatch(/ 1 -> (pipe|socket):/);
    expect(storeFiles(listing)).toEqual([]);
  });

  it('git started by the helper process', async () => {
    const helper = GitHelper.start();
    await vi.waitFor(() => expect(helper.ready).toBe(true), { timeout: 10_000 });
    const helperFiles = readdirSync(`/proc/${helper.pid}/fd`).map((fd) => {
      try {
        return readlinkSync(`/proc/${helper.pid}/fd/${fd}`);
      } catch {
        return '';
      }
    });
    expect(helperFiles.filter((path) => path.startsWith(storeDir))).toEqual([]);
    const done = await helper.run(repo, FDS, gitEnvironment());
    expect(done.exitCode, done.stderr).toBe(0);
    expect(done.stdout.toString()).toMatch(/ 1 -> (pipe|socket):/);
    expect(storeFiles(done.stdout.toString())).toEqual([]);
  });
});
