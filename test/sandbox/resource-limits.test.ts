import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_RESOURCE_LIMITS, type ResourceLimits } from '../../src/domain/index.js';
import {
  BubblewrapSandbox,
  ResourceLimiter,
  cgroupsRemoved,
  cgroupDir,
  commandEnv,
  describeEnforcement,
  detectCgroups,
  parseCgroupMounts,
  parseProcCgroup,
} from '../../src/sandbox/index.js';
import { spawnCommand } from '../../src/sandbox/spawn-command.js';
import { tempDir, writeFiles } from '../helpers/temp.js';

// Resource limits of contained commands (issue 33): the attacks that got
// through before — a fork bomb, a memory hog, a disk filler — on real
// bubblewrap and the machine's own cgroups, and the rlimits used without them.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function worktree(): Promise<string> {
  const made = await tempDir('troupe-limits-');
  cleanups.push(made.cleanup);
  return made.dir;
}

const limits = (tighter: Partial<ResourceLimits>): ResourceLimits => ({ ...DEFAULT_RESOURCE_LIMITS, ...tighter });
const cgroups = await new ResourceLimiter().enforcement();
const withCgroups = cgroups.mechanism !== 'rlimits';

// processes whose environment holds the marker: what a command left running
function marked(marker: string): number {
  let found = 0;
  for (const name of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      if (readFileSync(`/proc/${name}/environ`, 'utf8').includes(`TROUPE_TEST_MARKER=${marker}`)) found++;
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

// a fork bomb that stops at 1,023 processes: without a limit it gets there and sleeps
const FORK_BOMB = 'b(){ if [ $1 -gt 0 ]; then b $(($1-1)) & b $(($1-1)) & fi; sleep 30; }; b 9';
// 384 MB held in node, then success
const MEMORY_HOG = `node -e "const a = []; for (let i = 0; i < 384; i++) a.push(Buffer.alloc(1 << 20, 1)); console.log('took', a.length, 'MB')"`;

describe.runIf(withCgroups)('limits enforced by cgroups', () => {
  it('stops a fork bomb at the processes limit, and nothing it started outlives it', async () => {
    const dir = await worktree();
    const marker = randomBytes(8).toString('hex');
    const sandbox = new BubblewrapSandbox({ projectRoot: dir });
    const result = await sandbox.run({
      command: FORK_BOMB,
      worktree: dir,
      env: { ...commandEnv(), TROUPE_TEST_MARKER: marker },
      network: false,
      timeoutMs: 20_000,
      limits: limits({ processes: 64 }),
    });
    // stopped at the limit, not by the 20 s timeout: killed, or ended by its own failed forks first
    expect(result).toMatchObject({ limit: 'processes', limitValue: 64, timedOut: false });
    expect(result.signal === 'SIGKILL' || (result.exitCode !== null && result.exitCode !== 0)).toBe(true);
    expect(marked(marker)).toBe(0);
  });

  it('stops a memory hog at the memory limit', async () => {
    const dir = await worktree();
    const result = await new BubblewrapSandbox({ projectRoot: dir }).run({
      command: MEMORY_HOG,
      worktree: dir,
      env: commandEnv(),
      network: false,
      timeoutMs: 30_000,
      limits: limits({ memoryMB: 128 }),
    });
    expect(result).toMatchObject({ limit: 'memory', limitValue: 128 });
    expect(result.stdoutTail).not.toContain('took');
  });

  it('counts what the private /tmp and /dev/shm hold towards the memory limit', async () => {
    const dir = await worktree();
    const sandbox = new BubblewrapSandbox({ projectRoot: dir });
    for (const place of ['/tmp', '/dev/shm']) {
      const result = await sandbox.run({
        command: `dd if=/dev/zero of=${place}/fill bs=1M count=600 2>/dev/null; du -sm ${place}/fill | cut -f1`,
        worktree: dir,
        env: commandEnv(),
        network: false,
        timeoutMs: 30_000,
        limits: limits({ memoryMB: 128 }),
      });
      expect(result, place).toMatchObject({ limit: 'memory', limitValue: 128 });
      expect(Number(result.stdoutTail.trim() || 0), place).toBeLessThanOrEqual(128);
    }
  });

  it('puts the whole command in its own cgroups and removes them when it ends', async () => {
    const dir = await worktree();
    const result = await new BubblewrapSandbox({ projectRoot: dir }).run({
      command: 'sh -c "cat /proc/self/cgroup"',
      worktree: dir,
      env: commandEnv(),
      network: false,
    });
    expect(result.stdoutTail).toMatch(new RegExp(`:(memory|pids):/troupe-${process.pid}/command-\\d+$`, 'm'));
    // removed once the result is out: wait for it
    await cgroupsRemoved();
    const support = await detectCgroups();
    for (const own of [support.memory, support.pids])
      if (own !== null)
        expect(readdirSync(own, { withFileTypes: true }).filter((entry) => entry.isDirectory())).toEqual([]);
  });
});

describe('limits every machine enforces', () => {
  it('stops a disk filler at the file size limit', async () => {
    const dir = await worktree();
    const result = await new BubblewrapSandbox({ projectRoot: dir }).run({
      command: 'dd if=/dev/zero of=big bs=1M count=600',
      worktree: dir,
      env: commandEnv(),
      network: false,
      timeoutMs: 30_000,
      limits: limits({ fileSizeMB: 16 }),
    });
    expect(result).toMatchObject({ limit: 'file size', limitValue: 16, signal: 'SIGXFSZ' });
    expect(statSync(join(dir, 'big')).size).toBe(16 * 1024 * 1024);
  });

  it('leaves an ordinary command alone under the defaults', async () => {
    const dir = await worktree();
    await writeFiles(dir, {
      'work.sh':
        'for i in $(seq 50); do sleep 0.2 & done; wait\nnode -e "const a = Buffer.alloc(200 << 20, 1); console.log(a.length >> 20)"\ndd if=/dev/zero of=out bs=1M count=100 2>/dev/null\ndd if=/dev/zero of=/tmp/t bs=1M count=100 2>/dev/null && echo done\n',
    });
    const result = await new BubblewrapSandbox({ projectRoot: dir }).run({
      command: 'sh work.sh',
      worktree: dir,
      env: commandEnv(),
      network: false,
      timeoutMs: 60_000,
    });
    expect(result, result.stderrTail).toMatchObject({ exitCode: 0, stdoutTail: '200\ndone\n' });
    expect(result.limit).toBeUndefined();
  });

  it('bounds file size and the private /tmp with rlimits and tmpfs sizes when cgroups are not used', async () => {
    const dir = await worktree();
    const sandbox = new BubblewrapSandbox({ projectRoot: dir, enforcement: 'rlimits' });
    const run = (command: string, tighter: Partial<ResourceLimits>) =>
      sandbox.run({
        command,
        worktree: dir,
        env: commandEnv(),
        network: false,
        timeoutMs: 30_000,
        limits: limits(tighter),
      });
    expect(await run('dd if=/dev/zero of=big bs=1M count=600', { fileSizeMB: 16 })).toMatchObject({
      limit: 'file size',
      signal: 'SIGXFSZ',
    });
    expect(statSync(join(dir, 'big')).size).toBe(16 * 1024 * 1024);
    const filled = await run('dd if=/dev/zero of=/tmp/fill bs=1M count=600 2>&1; du -sm /tmp/fill | cut -f1', {
      memoryMB: 128,
    });
    expect(filled.stdoutTail).toContain('No space left on device');
    expect(Number(filled.stdoutTail.trim().split('\n').at(-1))).toBeLessThanOrEqual(128);
    expect(
      (await run('ulimit -v; ulimit -f; cat /proc/self/cgroup', { memoryMB: 512, fileSizeMB: 8 })).stdoutTail,
    ).toMatch(/^524288\n16384\n(?!.*troupe-)/s);
    expect(describeEnforcement(await new ResourceLimiter({ enforcement: 'rlimits' }).enforcement())).toBe(
      'rlimits only (file size, memory; processes not bound)',
    );
  });
});

describe('how limits are enforced', () => {
  it('says which mechanism is in force on this machine', async () => {
    expect(describeEnforcement(cgroups)).toMatch(
      /^(cgroup v2 \(memory, pids\); rlimits \(file size\)|cgroup v1 \((memory|pids|memory, pids)\); rlimits \(.*\)|rlimits only \(file size, memory; processes not bound\))/,
    );
    expect(describeEnforcement({ mechanism: 'cgroup v1', memory: 'cgroup', processes: 'none', why: null })).toBe(
      'cgroup v1 (memory); rlimits (file size); processes not bound',
    );
    expect(describeEnforcement({ mechanism: 'cgroup v1', memory: 'rlimit', processes: 'cgroup', why: null })).toBe(
      'cgroup v1 (pids); rlimits (file size, memory)',
    );
  });

  it('reads cgroup v1 and v2 layouts from /proc', () => {
    expect(parseProcCgroup('9:name=systemd:/\n8:pids:/\n4:memory:/process_api/ab\n0::/\n')).toEqual([
      { hierarchy: 9, controllers: [], path: '/' },
      { hierarchy: 8, controllers: ['pids'], path: '/' },
      { hierarchy: 4, controllers: ['memory'], path: '/process_api/ab' },
      { hierarchy: 0, controllers: [], path: '/' },
    ]);
    const mounts = parseCgroupMounts(
      '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n41 31 0:38 /user.slice /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n50 1 8:1 / / rw - ext4 /dev/sda1 rw\n',
    );
    expect(mounts).toEqual([
      { version: 'v1', root: '/', mountPoint: '/sys/fs/cgroup/memory', controllers: ['memory'] },
      { version: 'v2', root: '/user.slice', mountPoint: '/sys/fs/cgroup', controllers: [] },
    ]);
    expect(cgroupDir(mounts[0]!, '/process_api/ab')).toBe('/sys/fs/cgroup/memory/process_api/ab');
    expect(cgroupDir(mounts[1]!, '/user.slice/troupe.service')).toBe('/sys/fs/cgroup/troupe.service');
    expect(cgroupDir(mounts[1]!, '/system.slice')).toBeNull();
  });

  it('falls back to rlimits, saying why, where no cgroup can be made', async () => {
    const fake = await worktree();
    await writeFiles(fake, {
      cgroup: '0::/\n4:memory:/a\n',
      mountinfo: `1 1 0:1 / ${fake}/v2 rw - cgroup2 cgroup2 rw\n2 1 0:2 / ${fake}/nowhere rw - cgroup cgroup rw,memory\n`,
      'v2/cgroup.controllers': 'cpu io\n',
    });
    const support = await detectCgroups({
      procCgroup: join(fake, 'cgroup'),
      mountinfo: join(fake, 'mountinfo'),
      name: 'troupe-test',
    });
    expect(support).toMatchObject({ version: null, memory: null, pids: null });
    expect(support.why).toContain('offers no memory and pids controllers');
    expect(support.why).toContain('no cgroup v1 pids controller is mounted');
    expect(support.why).toMatch(/nowhere\/a: (cannot make a cgroup|not a cgroup)/);
    expect(existsSync(join(fake, 'nowhere/a/troupe-test'))).toBe(false);
    const limiter = new ResourceLimiter({
      cgroups: { procCgroup: join(fake, 'cgroup'), mountinfo: join(fake, 'mountinfo') },
    });
    expect(await limiter.enforcement()).toMatchObject({ mechanism: 'rlimits', processes: 'none' });
  });

  it('refuses to say go when the hook before it fails, and the command does not run', async () => {
    const dir = await worktree();
    const done = await spawnCommand({
      file: 'sh',
      args: ['-c', `echo '{ "child-pid": 7 }' >&3; IFS= read -r go <&4 && [ "$go" = go ] || exit 125; touch ran`],
      cwd: dir,
      env: commandEnv(),
      statusFd: true,
      gate: true,
      beforeGo: async (pid) => {
        throw new Error(`refused ${pid}`);
      },
    });
    expect(done).toMatchObject({ exitCode: 125, gateError: expect.objectContaining({ message: 'refused 7' }) });
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });
});
