import { execFileSync, spawn } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hostSeccompArch, seccompProgram } from '../../src/sandbox/seccomp-filter.js';
import { tempDir } from '../helpers/temp.js';

// The seccomp filter under real bubblewrap on this machine: what it refuses
// inside the sandbox that bubblewrap alone allows, and that ordinary work
// (a shell, node with threads and children, git) still runs.

const BWRAP = '/usr/bin/bwrap';
const arch = hostSeccompArch();

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

// as root, --unshare-user maps uid 0 and bubblewrap keeps its capabilities in
// the new user namespace: without the filter, unshare and mount succeed.
// `workdir`: a folder the command may write, and runs in
function contained(command: string[], filtered = true, workdir?: string): Promise<Outcome> {
  const seccomp = filtered ? ['--seccomp', '3'] : [];
  const sandbox = [
    '--unshare-user',
    '--unshare-pid',
    '--unshare-net',
    '--die-with-parent',
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    '--proc',
    '/proc',
  ];
  const writable = workdir ? ['--bind', workdir, workdir, '--chdir', workdir] : [];
  const child = spawn(BWRAP, [...sandbox, ...writable, ...seccomp, '--', ...command], {
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  const descriptor = child.stdio[3] as Writable;
  if (filtered) descriptor.end(seccompProgram(arch!));
  else descriptor.end();
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.runIf(existsSync(BWRAP) && arch !== null)('the seccomp filter under bubblewrap', () => {
  it('is installed: the command runs in seccomp filter mode', async () => {
    const { code, stdout } = await contained(['cat', '/proc/self/status']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Seccomp:\s+2$/m);
  });

  it('refuses unshare, which bubblewrap alone allows', async () => {
    expect(await contained(['unshare', '-U', 'true'], false)).toMatchObject({ code: 0 });
    const refused = await contained(['unshare', '-U', 'true']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/Operation not permitted/);
  });

  it('refuses the kernel keyring, which bubblewrap alone allows', async () => {
    expect(await contained(['keyctl', 'show', '@s'], false)).toMatchObject({ code: 0 });
    const refused = await contained(['keyctl', 'show', '@s']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/Operation not permitted/);
  });

  it('refuses mount inside the sandbox', async () => {
    const refused = await contained(['mount', '-t', 'tmpfs', 'none', '/tmp']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/permission denied|not permitted/i);
  });

  it('runs a shell', async () => {
    expect(await contained(['sh', '-c', 'echo hi'])).toMatchObject({ code: 0, stdout: 'hi\n' });
  });

  it('runs node with a child process and a worker thread (clone3 falls back to clone)', async () => {
    const script = [
      "require('node:child_process').execSync('true');",
      "const { Worker } = require('node:worker_threads');",
      "new Worker('require(\"node:worker_threads\").parentPort.postMessage(6 * 7)', { eval: true }).on('message', (m) => console.log('worker', m));",
    ].join(' ');
    expect(await contained([process.execPath, '-e', script])).toMatchObject({ code: 0, stdout: 'worker 42\n' });
  });

  it('runs git', async () => {
    const { code, stdout } = await contained(['git', '--version']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^git version /);
  });
});

const PYTHON = ['/usr/bin/python3', '/bin/python3'].find(existsSync);

// every path below `dir` whose mode has S_ISUID or S_ISGID
function setIdFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(
    (path) => (lstatSync(join(dir, path)).mode & 0o6000) !== 0,
  );
}

describe.runIf(existsSync(BWRAP) && arch !== null)('the seccomp filter and set-user-ID or set-group-ID files', () => {
  let scratch = '';
  let cleanup = async () => {};
  beforeEach(async () => {
    ({ dir: scratch, cleanup } = await tempDir('troupe-seccomp-setid-'));
  });
  afterEach(() => cleanup());

  it('refuses chmod 4755, which bubblewrap alone allows', async () => {
    expect(await contained(['sh', '-c', 'touch bare && chmod 4755 bare'], false, scratch)).toMatchObject({ code: 0 });
    expect(lstatSync(join(scratch, 'bare')).mode & 0o7777).toBe(0o4755);
    const refused = await contained(['sh', '-c', 'touch f && chmod 4755 f'], true, scratch);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/Operation not permitted/);
    expect(lstatSync(join(scratch, 'f')).mode & 0o6000).toBe(0);
  });

  it.each([
    ['chmod g+s on a folder', 'mkdir d && chmod g+s d'],
    ['install -m 4755', 'install -m 4755 /usr/bin/id x'],
    ['mkdir -m 2755', 'mkdir -m 2755 z'],
    ...(PYTHON
      ? [
          [
            'open with O_CREAT and mode 04755',
            `${PYTHON} -c "import os; os.open('y', os.O_CREAT | os.O_WRONLY, 0o4755)"`,
          ],
        ]
      : []),
  ])('refuses %s, and leaves no set-ID file', async (_, command) => {
    const refused = await contained(['sh', '-c', command], true, scratch);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/Operation not permitted/);
    expect(setIdFiles(scratch)).toEqual([]);
  });

  it('still lets ordinary work make files and folders: chmod 755, mkdir -m 755, cp, tar, git init, node', async () => {
    const node = `${process.execPath} -e "const fs = require('node:fs'); fs.writeFileSync('n.txt', 'node'); fs.mkdirSync('nd'); fs.copyFileSync('n.txt', 'nd/c.txt')"`;
    const work = [
      'set -e',
      'echo hi > f',
      'chmod 755 f',
      'mkdir -m 755 w',
      'echo there > w/a',
      'cp f g',
      'cp -a w w2',
      'tar cf t.tar f w',
      'mkdir out',
      'tar xf t.tar -C out',
      'git init -q repo',
      node,
    ];
    const outcome = await contained(['sh', '-c', work.join('\n')], true, scratch);
    expect(outcome, outcome.stderr).toMatchObject({ code: 0 });
    expect(lstatSync(join(scratch, 'f')).mode & 0o7777).toBe(0o755);
    expect(lstatSync(join(scratch, 'w')).mode & 0o7777).toBe(0o755);
    expect(readFileSync(join(scratch, 'out/w/a'), 'utf8')).toBe('there\n');
    expect(readFileSync(join(scratch, 'w2/a'), 'utf8')).toBe('there\n');
    expect(readFileSync(join(scratch, 'repo/.git/HEAD'), 'utf8')).toMatch(/^ref: refs\/heads\//);
    expect(readFileSync(join(scratch, 'nd/c.txt'), 'utf8')).toBe('node');
  });
});

// a 64-bit program that also calls the kernel through the i386 ABI (int 0x80)
// and the x32 ABI: each line is "<probe> <return value> <errno>"
const ABI_PROBE = `
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
static long int80(long nr, long a) {
  long ret;
  __asm__ volatile ("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(0), "d"(0), "S"(0) : "memory");
  return ret;
}
int main(void) {
  errno = 0; long r = syscall(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0); printf("x86_64-ptrace %ld %d\\n", r, errno);
  printf("i386-getpid %ld 0\\n", int80(20, 0));
  printf("i386-ptrace %ld 0\\n", int80(26, 0));
  printf("i386-unshare %ld 0\\n", int80(310, 0x10000000 /* CLONE_NEWUSER */));
  errno = 0; r = syscall(0x40000000 | 39 /* x32 getpid */); printf("x32-getpid %ld %d\\n", r, errno);
  return 0;
}
`;

describe.runIf(existsSync(BWRAP) && arch === 'x64' && existsSync('/usr/bin/gcc'))(
  'the seccomp filter on the other x86 ABIs',
  () => {
    let probe = '';
    let cleanup = async () => {};
    beforeAll(async () => {
      const temp = await tempDir('troupe-seccomp-');
      cleanup = temp.cleanup;
      await writeFile(join(temp.dir, 'probe.c'), ABI_PROBE);
      probe = join(temp.dir, 'probe');
      execFileSync('gcc', ['-O0', '-o', probe, join(temp.dir, 'probe.c')]);
    });
    afterAll(() => cleanup());

    const lines = (outcome: Outcome) =>
      Object.fromEntries(
        outcome.stdout
          .trim()
          .split('\n')
          .map((line) => [line.split(' ')[0], line.split(' ').slice(1).map(Number)]),
      );

    it('refuses ptrace and unshare through int 0x80 too, and x32 whole, and allows getpid', async (context) => {
      const unfiltered = await contained([probe], false);
      // a kernel built or booted without 32-bit emulation (ia32_emulation=0) kills `int 0x80` with
      // SIGSEGV before any filter is asked: there is no i386 call to refuse on such a host
      if (unfiltered.code === 128 + 11 && unfiltered.stdout === '')
        return context.skip('no ia32 emulation in this kernel');
      const bare = lines(unfiltered);
      expect(bare).toMatchObject({ 'i386-unshare': [0, 0], 'x32-getpid': [-1, 38] });
      const filtered = await contained([probe]);
      expect(filtered.code).toBe(0);
      expect(lines(filtered)).toEqual({
        'x86_64-ptrace': [-1, 1],
        'i386-getpid': [expect.any(Number), 0],
        'i386-ptrace': [-1, 0],
        'i386-unshare': [-1, 0],
        'x32-getpid': [-1, 1],
      });
      expect(lines(filtered)['i386-getpid']![0]).toBeGreaterThan(0);
    });
  },
);
