import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GitHelper } from '../../src/sandbox/git-helper.js';
import { GitCommandError, gitCommand } from '../../src/sandbox/git-command.js';
import { gitEnvironment, gitHelperRunning, spawnGit } from '../../src/sandbox/git-spawn.js';
import { git, tempRepo } from '../helpers/temp.js';

let repo: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir: repo, cleanup } = await tempRepo({ 'README.md': '# test\n' }));
});
afterEach(() => cleanup());

// every byte value: an answer that went through text would mangle some
const BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

async function readyHelper(): Promise<GitHelper> {
  const helper = GitHelper.start();
  await vi.waitFor(() => expect(helper.ready).toBe(true), { timeout: 10_000 });
  return helper;
}

describe('GitHelper', () => {
  it('runs git as spawnGit does: exact bytes out, stdin in, exit code and stderr', async () => {
    const helper = await readyHelper();
    const env = gitEnvironment();
    await writeFile(join(repo, 'bytes.bin'), BYTES);

    const blob = (await helper.run(repo, ['hash-object', '-w', 'bytes.bin'], env)).stdout.toString().trim();
    const read = await helper.run(repo, ['cat-file', 'blob', blob], env);
    const hashed = await helper.run(repo, ['hash-object', '--stdin'], env, 'hello\n');
    const missing = await helper.run(repo, ['rev-parse', '--verify', 'no-such-branch'], env);

    expect(blob).toBe(git(repo, 'hash-object', 'bytes.bin'));
    expect(read.stdout.equals(BYTES)).toBe(true);
    expect(hashed.stdout.toString().trim()).toBe(
      (await spawnGit(repo, ['hash-object', '--stdin'], env, 'hello\n')).stdout.toString().trim(),
    );
    expect(missing.exitCode).toBe(128);
    expect(missing.stderr).toContain('Needed a single revision');
  });

  it('rejects as a spawn would when the directory does not exist', async () => {
    const helper = await readyHelper();

    await expect(helper.run(`${repo}/missing`, ['status'], gitEnvironment())).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('fails the commands it was running when it dies, and is not ready again', async () => {
    const helper = await readyHelper();
    // a command still running when the helper dies
    const running = helper.run(repo, ['-c', 'alias.nap=!sleep 2', 'nap'], gitEnvironment());
    process.kill(helper.pid!, 'SIGKILL');

    await expect(running).rejects.toThrow(/git helper/);
    expect(helper.ready).toBe(false);
    await expect(helper.run(repo, ['status'], gitEnvironment())).rejects.toThrow(/git helper/);
  });

  it('does not keep a process alive once its commands are answered', () => {
    const script = [
      "import { GitHelper } from './src/sandbox/git-helper.ts';",
      "import { gitEnvironment } from './src/sandbox/git-spawn.ts';",
      'const helper = GitHelper.start();',
      'while (!helper.ready) await new Promise((resolve) => setTimeout(resolve, 10));',
      `const answer = await helper.run(${JSON.stringify(repo)}, ['rev-parse', 'HEAD'], gitEnvironment());`,
      'console.log(answer.stdout.toString().trim());',
    ].join('\n');
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: process.cwd(),
      encoding: 'utf8',
      timeout: 30_000,
    });

    expect(child.signal).toBeNull();
    expect(child.status).toBe(0);
    expect(child.stdout.trim()).toBe(git(repo, 'rev-parse', 'HEAD'));
  });
});

describe('gitCommand while the helper runs', () => {
  it('sends porcelain to the helper once commands overlap, with the answers, errors and identity simple-git gives', async () => {
    const command = gitCommand(repo);
    const status = ['status', '--porcelain=v2', '--branch'];
    // one command at a time: simple-git, no helper
    const before = await command.run(status);
    const missingBefore = await command
      .run(['rev-parse', '--verify', 'no-such-branch'])
      .catch((error: unknown) => error);
    expect(gitHelperRunning()).toBe(false);
    // two plumbing commands side by side start it
    await Promise.all([command.plumb(['rev-parse', 'HEAD']), command.plumb(['rev-parse', 'HEAD'])]);
    await vi.waitFor(() => expect(gitHelperRunning()).toBe(true), { timeout: 30_000 });

    const sent = vi.spyOn(GitHelper.prototype, 'run');
    try {
      expect(await command.run(status)).toBe(before);
      const missing = await command.run(['rev-parse', '--verify', 'no-such-branch']).catch((error: unknown) => error);
      expect(missing).toBeInstanceOf(GitCommandError);
      expect(missing).toMatchObject({
        exitCode: (missingBefore as GitCommandError).exitCode,
        stderr: (missingBefore as GitCommandError).stderr,
      });
      expect(await command.tryRun(['rev-parse', '--verify', 'no-such-branch'])).toBeNull();
      await command.run(['commit', '--allow-empty', '-m', 'through the helper']);
      expect(git(repo, 'log', '-1', '--format=%an <%ae> %cn <%ce>')).toBe(
        'troupe <troupe@localhost> troupe <troupe@localhost>',
      );
      expect(sent.mock.calls.map(([, args]) => args.find((arg) => !arg.startsWith('-') && !arg.includes('=')))).toEqual(
        ['status', 'rev-parse', 'rev-parse', 'commit'],
      );
    } finally {
      sent.mockRestore();
    }
  });
});
