import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { commitsOf } from '../../src/sandbox/commit-lookup.js';
import { gitCommand } from '../../src/sandbox/git-command.js';
import { closeObjectChecks, commitsHere, runningObjectChecks } from '../../src/sandbox/object-checks.js';
import { git, tempDir, tempRepo } from '../helpers/temp.js';

// Which commits a repository has, from one `cat-file --batch-check` kept
// running for it, with real git: what it answers, that it sees what
// arrives later, and what happens when it goes away.

const MISSING = '0123456789abcdef0123456789abcdef01234567';

describe('commitsHere', () => {
  let repo: string;
  let other: string;
  let bin: string;
  const cleanups: (() => Promise<void>)[] = [];
  const path = process.env.PATH;

  beforeEach(async () => {
    const made = await tempRepo({ 'a.txt': 'a\n' });
    const source = await tempRepo({ 'a.txt': 'a\n' });
    const dirs = await tempDir('troupe-checks-');
    cleanups.push(made.cleanup, source.cleanup, dirs.cleanup);
    repo = made.dir;
    other = source.dir;
    bin = dirs.dir;
  });
  afterEach(async () => {
    closeObjectChecks();
    process.env.PATH = path;
    vi.useRealTimers();
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  // a `git` first on PATH that logs each run's arguments, then runs git
  function logGitRuns(): () => string[] {
    const log = join(bin, 'runs.log');
    writeFileSync(log, '');
    const real = spawnSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim();
    writeFileSync(join(bin, 'git'), `#!/bin/sh\necho "$*" >> '${log}'\nexec '${real}' "$@"\n`);
    chmodSync(join(bin, 'git'), 0o755);
    process.env.PATH = `${bin}:${path}`;
    return () => readFileSync(log, 'utf8').split('\n').filter(Boolean);
  }

  // the checker's git: this process's child running cat-file in `dir`
  function checkerPids(dir: string): number[] {
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .filter((pid) => {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
          return (
            ppid === process.pid &&
            readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('cat-file') &&
            readlinkSync(`/proc/${pid}/cwd`) === dir
          );
        } catch {
          return false;
        }
      });
  }

  it('answers as one cat-file does — commits, missing ids, a tree — from one process however many ask', async () => {
    const runs = logGitRuns();
    const head = git(repo, 'rev-parse', 'HEAD');
    const tree = git(repo, 'rev-parse', 'HEAD^{tree}');
    const asked = [head, MISSING, tree, head];
    const command = gitCommand(repo);

    const answers = await Promise.all(Array.from({ length: 20 }, () => commitsHere(command, asked)));

    expect(answers).toEqual(Array.from({ length: 20 }, () => [head, null, null, head]));
    expect(answers[0]).toEqual(await commitsOf(command, asked));
    expect(runs().filter((run) => run.includes('cat-file --batch-check')).length).toBe(2); // the checker, and commitsOf above
    expect(runningObjectChecks()).toBe(1);
  });

  it('finds commits that arrived after it started: made here, fetched loose or as a pack, and after a repack', async () => {
    const command = gitCommand(repo);
    expect(await commitsHere(command, [MISSING])).toEqual([null]);

    git(repo, 'commit', '--quiet', '--allow-empty', '-m', 'made here');
    const made = git(repo, 'rev-parse', 'HEAD');
    git(other, 'commit', '--quiet', '--allow-empty', '-m', 'loose');
    const loose = git(other, 'rev-parse', 'HEAD');
    expect(await commitsHere(command, [made, loose])).toEqual([made, null]);

    git(repo, 'fetch', '--quiet', other, 'main:refs/other/loose');
    git(other, 'commit', '--quiet', '--allow-empty', '-m', 'packed');
    const packed = git(other, 'rev-parse', 'HEAD');
    git(repo, '-c', 'fetch.unpackLimit=1', 'fetch', '--quiet', other, 'main:refs/other/packed');
    expect(await commitsHere(command, [loose, packed])).toEqual([loose, packed]);

    git(repo, 'gc', '--quiet', '--prune=now');
    expect(await commitsHere(command, [made, loose, packed, MISSING])).toEqual([made, loose, packed, null]);
    expect(runningObjectChecks()).toBe(1);
  });

  it('answers by one cat-file when its process was killed, and starts another for the next question', async () => {
    const command = gitCommand(repo);
    const head = git(repo, 'rev-parse', 'HEAD');
    expect(await commitsHere(command, [head])).toEqual([head]);
    const [first] = checkerPids(repo);
    expect(first).toBeDefined();

    process.kill(first!, 'SIGKILL');
    await vi.waitFor(() => expect(runningObjectChecks()).toBe(0));
    expect(await commitsHere(command, [head, MISSING])).toEqual([head, null]);
    const [second] = checkerPids(repo);
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
  });

  it('asks names that may move (HEAD, a branch) of one cat-file, not of the checker', async () => {
    const command = gitCommand(repo);
    const head = git(repo, 'rev-parse', 'HEAD');
    expect(await commitsHere(command, ['HEAD', 'main'])).toEqual([head, head]);
    expect(runningObjectChecks()).toBe(0);
  });

  it('ends once nobody asked for 10 s', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const command = gitCommand(repo);
    const head = git(repo, 'rev-parse', 'HEAD');
    expect(await commitsHere(command, [head])).toEqual([head]);
    const [pid] = checkerPids(repo);

    vi.advanceTimersByTime(9_000);
    expect(runningObjectChecks()).toBe(1);
    vi.advanceTimersByTime(1_000);
    expect(runningObjectChecks()).toBe(0);
    vi.useRealTimers();
    await vi.waitFor(() => expect(checkerPids(repo)).not.toContain(pid));
  });

  it('does not keep a process alive once its questions are answered', () => {
    const head = git(repo, 'rev-parse', 'HEAD');
    const script = [
      "import { gitCommand } from './src/sandbox/git-command.ts';",
      "import { commitsHere, runningObjectChecks } from './src/sandbox/object-checks.ts';",
      `console.log((await commitsHere(gitCommand(${JSON.stringify(repo)}), [${JSON.stringify(head)}])).join(' '));`,
      // at exit the checker is still there: the process ended without waiting for it to idle out
      "process.on('exit', () => console.log('checkers at exit', runningObjectChecks()));",
    ].join('\n');
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: process.cwd(),
      encoding: 'utf8',
      timeout: 30_000,
    });

    expect(child.signal).toBeNull();
    expect(child.status).toBe(0);
    expect(child.stdout.trim().split('\n')).toEqual([head, 'checkers at exit 1']);
  });
});
