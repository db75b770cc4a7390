import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planYaml, step } from '../runtime/fixtures.js';
import {
  attempt,
  neighbour,
  outside,
  project,
  refused,
  registered,
  runtime,
  tag,
  useEscapeSuite,
} from './escape-fixture.js';

// The escape suite's writes: no path out of the worktree takes a command's
// write, nor a swap of a directory for a symlink troupe's own fs/write-file.

useEscapeSuite();

describe('writes outside the worktree fail, and nothing outside changes', () => {
  const cases: [string, () => string][] = [
    ['an absolute path outside', () => `echo x > ${outside}/target.txt`],
    ['a new file outside', () => `echo x > ${outside}/new.txt`],
    ['.. up to the user’s project', () => 'echo pwned > ../../../ESCAPED.txt'],
    ['the home directory', () => 'echo x > ~/escaped.txt'],
    ['~/.ssh/authorized_keys', () => 'echo key >> "$HOME/.ssh/authorized_keys"'],
    ['the user’s global git config', () => `git config --global core.fsmonitor "touch ${outside}/ran"`],
    ['a symlink made inside, pointing out', () => `ln -s ${outside}/target.txt link && echo x > link`],
    ['a symlinked directory made inside', () => `ln -s ${outside} out && echo x > out/new.txt`],
    ['a hard link to a file outside', () => `ln ${outside}/target.txt hard && echo x >> hard`],
    ['/proc/self/root', () => `echo x > /proc/self/root${outside}/target.txt`],
    ['/proc/1/root', () => `echo x > /proc/1/root${outside}/target.txt`],
    ['the store in .troupe/db', () => `echo x > ${project}/.troupe/db/CURRENT`],
    ['another plan’s worktree', () => `echo x > ${project}/${neighbour.sandbox!.worktree}/neighbour.txt`],
    ['the user’s .git/config (core.fsmonitor)', () => `git config core.fsmonitor "touch ${outside}/ran"`],
    [
      'the worktree’s own git config',
      () => 'git config --worktree core.fsmonitor true || git config core.hooksPath /tmp',
    ],
    ['a hook in .git/hooks', () => `printf '#!/bin/sh\\ntouch ${outside}/ran\\n' > ${project}/.git/hooks/post-commit`],
    ['the user’s main branch (git update-ref)', () => 'git update-ref -d refs/heads/main'],
    ['a commit of its own', () => 'echo x > y.txt && git add y.txt && git commit -q -m evil'],
    ['the worktree’s .git pointer, to steer troupe’s git', () => "echo 'gitdir: /tmp/evil' > .git"],
    ['removing the .git pointer', () => 'rm .git'],
    ['moving a file outside into the worktree', () => `mv ${outside}/target.txt moved.txt`],
    ['chmod of a file outside', () => `chmod 777 ${outside}/target.txt`],
    ['/var/tmp', () => `echo x > /var/tmp/troupe-escape-${tag}`],
    ['unmounting what hides the project', () => `umount -l ${project} || umount ${project}`],
    ['mounting over the worktree’s parent', () => `mount -t tmpfs none ${project}/.troupe`],
    ['a user namespace of its own (to mount as root there)', () => 'unshare -r -m true'],
    ['another registered project’s working tree', () => `echo x > ${registered}/docs/index.md`],
  ];
  it.each(cases)('%s', async (_name, command) => {
    const { record } = await attempt(command());
    refused(record);
    expect(existsSync(join(project, 'ESCAPED.txt'))).toBe(false);
    expect(existsSync(join(outside, 'ran'))).toBe(false);
  });

  // the project's own path is the plan's worktree in the sandbox (docs/explanation/sandbox.md#the-projects-own-paths):
  // a write by it is the plan's, and the user's checkout — the state checked after each — never changes
  const atProjectPath: [string, () => string, string, string][] = [
    ['the user’s working tree by absolute path', () => `echo x > ${project}/src/a.ts`, 'src/a.ts', 'x\n'],
    ['a new file in the user’s project', () => `echo x > ${project}/ESCAPED.txt`, 'ESCAPED.txt', 'x\n'],
    ['the user’s untracked .env', () => `echo x >> ${project}/.env`, '.env', 'x\n'],
  ];
  it.each(atProjectPath)('%s: the plan’s own file there, not the user’s', async (_name, command, file, content) => {
    const { record, seen } = await attempt(command(), { resourceScopes: ['**'] });
    expect(record, JSON.stringify(record.error)).toMatchObject({ phase: 'execute', status: 'complete' });
    expect(seen(file)).toBe(content);
    expect(existsSync(join(project, 'ESCAPED.txt'))).toBe(false);
  });

  it('the issue’s probe: /tmp and ../../../ written, the plan reached validate — now it fails on ../../../', async () => {
    const { record } = await attempt('echo pwned > /tmp/out.txt; echo pwned > ../../../ESCAPED.txt', {
      resourceScopes: ['x.txt'],
    });
    refused(record, /ESCAPED.txt: Read-only file system/);
    expect(existsSync(join(project, 'ESCAPED.txt'))).toBe(false);
  });

  it('/tmp and /dev/shm are private: a write lands in the command’s own, not the host’s', async () => {
    const { record, seen } = await attempt(
      `echo x > /tmp/troupe-escape-${tag} && echo y > /dev/shm/troupe-escape-${tag} && cat /tmp/troupe-escape-${tag} /dev/shm/troupe-escape-${tag} > seen.txt`,
    );
    expect(record).toMatchObject({ status: 'complete' });
    expect(seen()).toBe('x\ny\n');
    expect(existsSync(`/tmp/troupe-escape-${tag}`)).toBe(false);
    expect(existsSync(`/dev/shm/troupe-escape-${tag}`)).toBe(false);
  });
});

describe('the symlink race against fs/write-file', () => {
  it('a directory swapped for a symlink while the plan writes into it never sends a write outside', async () => {
    const landing = join(outside, 'landing');
    mkdirSync(landing);
    try {
      const steps = Array.from({ length: 60 }, (_, index) =>
        step(`Write ${index}`, 'fs/write-file', { path: `d/f${index}.txt`, content: `${index}\n` }),
      );
      const plan = await runtime.createPlan(
        planYaml({
          name: 'escape/race',
          strategy: { steps: [step('Make d', 'shell/run', { command: 'mkdir -p d && touch d/.keep' }), ...steps] },
        }),
      );
      await runtime.run(plan.id, { until: 'strategize' });
      const worktree = join(project, '.troupe', 'worktrees', plan.id);
      // a process outside the sandbox (what a sandbox that is off would let a step leave behind) swaps d
      const swapper = spawn(process.execPath, ['-e', SWAPPER, landing], { cwd: worktree, stdio: 'ignore' });
      try {
        const record = await runtime.run(plan.id, { until: 'execute' });
        // each write either landed inside or was refused (SANDBOX_ESCAPE); the plan ends either way
        expect(['complete', 'failed']).toContain(record.status);
      } finally {
        swapper.kill('SIGKILL');
      }
      expect(readdirSync(landing)).toEqual([]);
    } finally {
      const { rmSync } = await import('node:fs');
      rmSync(landing, { recursive: true, force: true });
    }
  });
});

const SWAPPER = `
const fs = require('node:fs');
for (let i = 0; ; i++) {
  try { fs.renameSync('d', 'aside'); } catch {}
  try { fs.symlinkSync(process.argv[1], 'd'); } catch {}
  try { fs.unlinkSync('d'); } catch {}
  try { fs.renameSync('aside', 'd'); } catch { try { fs.renameSync('d', 'made-' + i); fs.renameSync('aside', 'd'); } catch {} }
}`;
