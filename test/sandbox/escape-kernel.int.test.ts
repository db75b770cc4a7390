import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commandIdentity } from '../../src/sandbox/index.js';
import { canRunAsNobody, runAsNobody } from '../helpers/as-nobody.js';
import { planYaml, step } from '../runtime/fixtures.js';
import { attempt, project, refused, runtime, useEscapeSuite } from './escape-fixture.js';

// The escape suite's kernel (issue 72): what a command as the host's root
// could do whatever namespaces surround it — the kernel's settings, a
// setuid file left on the disk, the keyring, ptrace — each attempted
// through a plan's step on real bubblewrap, and refused.

useEscapeSuite();

const asRoot = process.getuid?.() === 0;
const keyctl = ['/usr/bin/keyctl', '/bin/keyctl'].find(existsSync);
const python = ['/usr/bin/python3', '/bin/python3'].find(existsSync);
// the host's own setting, put back if a test changed it (it must not)
const corePattern = readFileSync('/proc/sys/kernel/core_pattern', 'utf8');
afterAll(() => {
  if (asRoot && readFileSync('/proc/sys/kernel/core_pattern', 'utf8') !== corePattern)
    writeFileSync('/proc/sys/kernel/core_pattern', corePattern);
});

describe("the kernel's settings are read-only", () => {
  it("kernel.core_pattern: the kernel would run the command's script as root on the host", async () => {
    const { record } = await attempt(
      `printf '#!/bin/sh\\ntouch /tmp/pwned\\n' > h.sh && chmod +x h.sh && echo "|$PWD/h.sh" > /proc/sys/kernel/core_pattern`,
    );
    refused(record, /Read-only file system/);
    expect(readFileSync('/proc/sys/kernel/core_pattern', 'utf8')).toBe(corePattern);
  });

  it('a harmless global sysctl, written with its own value', async () => {
    const { record } = await attempt(
      'v=$(cat /proc/sys/kernel/core_uses_pid) && echo "$v" > /proc/sys/kernel/core_uses_pid',
    );
    refused(record, /Read-only file system/);
  });

  it('/proc/sys and /sys are mounted read-only whoever runs the command', async () => {
    const { record, seen } = await attempt(
      'awk \'$5 == "/proc/sys" || $5 == "/sys" { print $5, substr($6, 1, 2) }\' /proc/self/mountinfo | sort -u > seen.txt',
    );
    expect(record).toMatchObject({ status: 'complete' });
    expect(seen()).toBe('/proc/sys ro\n/sys ro\n');
  });
});

describe('who a command is', () => {
  it.runIf(asRoot)(
    'never the host’s root: troupe as root runs it as its dedicated user, without capabilities',
    async () => {
      const identity = await commandIdentity();
      const { record, seen } = await attempt(
        "grep -E '^(Uid|CapEff|CapBnd|NoNewPrivs):' /proc/self/status | tr -s '\\t' ' ' > seen.txt",
      );
      expect(record).toMatchObject({ status: 'complete' });
      expect(identity).toMatchObject({ kind: 'dedicated', name: 'troupe-sandbox' });
      expect(identity.uid).not.toBe(0);
      expect(seen()).toBe(
        `Uid: ${identity.uid} ${identity.uid} ${identity.uid} ${identity.uid}\nCapEff: 0000000000000000\nCapBnd: 0000000000000000\nNoNewPrivs: 1\n`,
      );
    },
  );

  it('cannot read the password hashes', async () => {
    const { record } = await attempt('test -s /etc/shadow && cat /etc/shadow > seen.txt');
    expect(record).toMatchObject({ status: 'failed' });
  });

  it('still writes what troupe wrote in the worktree, and git works there', async () => {
    const { record, worktree, seen } = await attempt([
      'echo more >> README.md && echo new > src/b.ts',
      'git status --short > seen.txt 2>&1',
    ]);
    expect(record, JSON.stringify(record.error)).toMatchObject({ status: 'complete' });
    expect(readFileSync(join(worktree, 'README.md'), 'utf8')).toBe('# escape\nmore\n');
    // step 1's changes are committed; git, told to trust the worktree, sees only what step 2 made
    expect(seen()).toContain('?? seen.txt\n');
    expect(seen()).not.toMatch(/fatal|dubious|README|b\.ts/);
  });
});

describe('nothing set-user-ID or set-group-ID leaves a command', () => {
  it.each([
    ['a setuid copy of a program', 'cp /usr/bin/id suid-id && chmod 4755 suid-id'],
    ['a setgid folder', 'mkdir -m 2775 sgid'],
    ['install -m 4755', 'install -m 4755 /usr/bin/id suid-id'],
    [
      'a file created set-user-ID at once (open with O_CREAT)',
      `${python ?? 'python3'} -c "import os; os.open('suid-id', os.O_CREAT | os.O_WRONLY, 0o4755)"`,
    ],
  ])('%s: refused by the filter, and no such file is left', async (_name, command) => {
    const { record, worktree } = await attempt(command);
    refused(record, /Operation not permitted/);
    for (const name of readdirSync(worktree)) expect(lstatSync(join(worktree, name)).mode & 0o6000, name).toBe(0);
  });

  it('one that reaches the worktree anyway (troupe’s own process wrote it) loses its bits before the commit, and the step says so', async () => {
    const plan = await runtime.createPlan(
      planYaml({
        name: 'escape/planted',
        strategy: { steps: [step('Plant', 'escape/plant', { path: 'planted', mode: 0o4755 })] },
      }),
    );
    const record = await runtime.run(plan.id, { until: 'execute' });
    expect(record, JSON.stringify(record.error)).toMatchObject({ status: 'complete' });
    expect(lstatSync(join(project, '.troupe', 'worktrees', plan.id, 'planted')).mode & 0o7777).toBe(0o755);
    const completed = (await runtime.events(plan.id)).find((event) => event.type === 'step.completed');
    expect(completed?.data).toMatchObject({ index: 0, setIdCleared: ['planted'] });
  });
});

describe('system calls that reach past the sandbox are refused', () => {
  it.runIf(keyctl !== undefined)("the keyring: troupe's keys are not read, none is planted", async () => {
    const secret = `troupe-escape-${process.pid}`;
    const key = execFileSync(keyctl!, ['add', 'user', secret, 'KEYRING-SECRET', '@u']).toString().trim();
    try {
      const { record, seen } = await attempt(
        `keyctl print %user:${secret} > seen.txt 2>&1; keyctl add user planted-${process.pid} x @u`,
      );
      refused(record, /Operation not permitted/);
      expect(seen()).not.toContain('KEYRING-SECRET');
      expect(spawnSync(keyctl!, ['search', '@u', 'user', `planted-${process.pid}`]).status).not.toBe(0);
    } finally {
      execFileSync(keyctl!, ['unlink', key, '@u']);
    }
  });

  it.runIf(python !== undefined)('ptrace of another process of the sandbox', async () => {
    const script =
      'import ctypes,sys; l=ctypes.CDLL(None,use_errno=True); r=l.ptrace(16,int(sys.argv[1]),0,0); print(r, ctypes.get_errno()); sys.exit(0 if r == 0 else 3)';
    const { record } = await attempt(`sleep 5 & ${python} -c '${script}' $!`);
    // ptrace answered -1, errno EPERM
    expect(record.error?.details).toMatchObject({ exitCode: 3, stdoutTail: '-1 1\n' });
  });

  it('a user namespace, even without mounting in it', async () => {
    const { record } = await attempt('unshare -U true');
    refused(record, /Operation not permitted/);
  });
});

// the suite runs as root here; users mostly do not: the same attempts from a troupe run by nobody
describe('as an ordinary user', () => {
  it.runIf(canRunAsNobody)(
    'the same attempts fail for a troupe run by nobody, whose commands run as nobody',
    async () => {
      const { seen, stderr } = await runAsNobody(join(import.meta.dirname, 'escape-kernel-child.ts'));
      expect(seen, stderr).toMatchObject({
        uid: 65534,
        // read-only by its mount, not only by its owner: the write is refused before permissions are asked
        sysctl: expect.stringMatching(/Read-only file system/),
        status: 'Uid: 65534 65534 65534 65534\nNoNewPrivs: 1\nSeccomp: 2\n',
        setuid: expect.stringMatching(/Operation not permitted/),
      });
      if (python) expect(seen.ptrace).toBe('-1 1\n');
      if (keyctl) expect(seen.keyring).toMatch(/Operation not permitted/);
    },
  );
});
