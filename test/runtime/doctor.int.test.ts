import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime, openRuntime, runDoctor, type DoctorReport } from '../../src/runtime/index.js';
import { ResourceLimiter, describeEnforcement } from '../../src/sandbox/index.js';
import { runCli } from '../cli/run-cli.js';
import { tempDir, tempRepo } from '../helpers/temp.js';

// troupe doctor (SPEC §15): every check on the real machine, and each way one fails.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function repo(config?: unknown): Promise<string> {
  const made = await tempRepo();
  cleanups.push(made.cleanup);
  if (config !== undefined) {
    mkdirSync(join(made.dir, '.troupe'), { recursive: true });
    writeFileSync(
      join(made.dir, '.troupe', 'config.json'),
      typeof config === 'string' ? config : JSON.stringify(config),
    );
  }
  return made.dir;
}

const check = (report: DoctorReport, name: string) => report.checks.find((found) => found.name === name)!;

describe('troupe doctor', () => {
  it('holds on this machine: node, git, bubblewrap, user namespaces, the config, no store yet', async () => {
    const report = await runDoctor(await repo());
    expect(report.ok).toBe(true);
    expect(report.checks.map(({ name, ok }) => [name, ok])).toEqual([
      ['node', true],
      ['git', true],
      ['bubblewrap', true],
      ['user namespaces', true],
      ['identity', true],
      ['system calls', true],
      ['resource limits', true],
      ['network', true],
      ['project config', true],
      ['dependencies', true],
      ['plugins', true],
      ['store', true],
      ['git objects', true],
    ]);
    expect(check(report, 'network').detail).toBe(
      "enforced: a plan network's only way out is troupe's proxy, which refused a host off a plan's list (checked inside a plan network)",
    );
    expect(check(report, 'store').detail).toContain('no store yet');
    expect(check(report, 'plugins').detail).toBe('none listed in .troupe/config.json');
    const root = process.getuid?.() === 0;
    expect(check(report, 'user namespaces').detail).toBe(
      root
        ? "a contained command ran (pid and network namespaces; no user namespace, whose uid 0 would be the host's)"
        : 'a contained command ran (user, pid and network namespaces)',
    );
    // what the probe's own process said of itself: never uid 0, no capability, the filter in force
    expect(check(report, 'identity').detail).toMatch(
      root
        ? /^commands run as troupe-sandbox \(uid [1-9]\d*, gid [1-9]\d*\): troupe runs as root, its commands never do; no capabilities, none to gain$/
        : /the user troupe runs as; no capabilities, none to gain$/,
    );
    expect(check(report, 'system calls').detail).toMatch(
      /^a seccomp filter is in force on every command: \d+ calls refused or narrowed/,
    );
    expect(check(report, 'resource limits').detail).toMatch(
      /^(cgroup v[12] \((memory, pids|memory|pids)\); rlimits \([a-z, ]+\)(; processes not bound)?|rlimits only \(file size, memory; processes not bound\)): processes 4096, memory 8192 MB, file size 4096 MB/,
    );
  });

  it('says which mechanism holds commands to their limits, and the project’s limits', async () => {
    const report = await runDoctor(await repo({ sandbox: { limits: { processes: 256, memoryMB: 2048 } } }));
    const detail = check(report, 'resource limits').detail;
    expect(
      detail.startsWith(
        `${describeEnforcement(await new ResourceLimiter().enforcement())}: processes 256, memory 2048 MB, file size 4096 MB`,
      ),
    ).toBe(true);
    // the machine this was written on: cgroup v1 with memory and pids writable by root
    if (existsSync('/sys/fs/cgroup/pids/cgroup.procs') && process.getuid?.() === 0)
      expect(detail).toMatch(/^cgroup v1 \(memory, pids\); rlimits \(file size\): /);
    const off = await runDoctor(await repo({ sandbox: { mode: 'off' } }));
    expect(check(off, 'resource limits').detail).toBe(
      'not enforced: commands run unconfined ("sandbox": {"mode": "off"})',
    );
  });

  it('opens a store nobody holds, and names the troupe process that owns one', async () => {
    const dir = await repo();
    const runtime = await createRuntime({ dir, report: () => {} });
    await runtime.close();
    expect(check(await runDoctor(dir), 'store').detail).toMatch(/\.troupe\/db opens$/);
    const session = await openRuntime({ dir, resume: false });
    cleanups.push(() => session.close());
    expect(session.role).toBe('host');
    expect(check(await runDoctor(dir), 'store')).toMatchObject({
      ok: true,
      detail: expect.stringContaining(`is owned by troupe process ${process.pid}`),
    });
  });

  it('fails the store check, naming the process, when one holds the store without answering', async () => {
    const dir = await repo();
    const runtime = await createRuntime({ dir, report: () => {} });
    await runtime.close();
    const holder = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import { LevelStore } from ${JSON.stringify(join(import.meta.dirname, '../../src/store/index.ts'))}; await new LevelStore({ path: ${JSON.stringify(join(dir, '.troupe', 'db'))} }).open(); console.log('open'); setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    cleanups.push(() => void holder.kill('SIGKILL'));
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    const store = check(await runDoctor(dir), 'store');
    expect(store).toMatchObject({
      ok: false,
      detail: expect.stringContaining(`is locked by process ${holder.pid}`),
      fix: `wait for process ${holder.pid} to end, or stop it`,
    });
  });

  it('does not need bubblewrap when the project opted out', async () => {
    const report = await runDoctor(await repo({ sandbox: { mode: 'off' } }));
    expect(report.ok).toBe(true);
    expect(check(report, 'bubblewrap').detail).toMatch(/^not needed: "sandbox": \{"mode": "off"\}/);
    expect(check(report, 'project config').detail).toContain('sandbox off: commands run unconfined');
  });

  it('fails without bubblewrap, and says how to fix it', async () => {
    const report = await runDoctor(
      await repo({ network: true, sandbox: { bwrap: '/nonexistent/bwrap', share: ['node_modules'] } }),
    );
    expect(report.ok).toBe(false);
    expect(check(report, 'bubblewrap')).toMatchObject({
      ok: false,
      detail: expect.stringContaining('not an executable file'),
      fix: expect.stringContaining('apt-get install bubblewrap'),
    });
    expect(check(report, 'user namespaces')).toMatchObject({ ok: false, detail: 'not checked: bubblewrap is missing' });
    expect(check(report, 'project config').detail).toContain('network on for every plan; shared: node_modules');
    expect(check(report, 'network')).toMatchObject({
      ok: true,
      warning: true,
      detail: expect.stringContaining('not checked: commands cannot be contained here'),
    });
    const listed = await runDoctor(
      await repo({ network: { allow: ['registry.npmjs.org'] }, sandbox: { bwrap: '/nonexistent/bwrap' } }),
    );
    expect(check(listed, 'network')).toMatchObject({
      ok: false,
      detail: 'not checked: commands cannot be contained here',
    });
    expect(check(listed, 'project config').detail).toContain('network for every plan: registry.npmjs.org only');
  });

  it('checks the project’s allow-list in a plan network, and fails it — or warns, without a list — when the network has a way out', async () => {
    const listed = await runDoctor(await repo({ network: { allow: ['registry.npmjs.org', '*.github.com'] } }));
    expect(check(listed, 'network')).toEqual({
      name: 'network',
      ok: true,
      detail:
        "enforced: a plan network's only way out is troupe's proxy, which refused a host off the project's list (registry.npmjs.org, *.github.com) (checked inside a plan network)",
    });
    expect(check(await runDoctor(await repo({ sandbox: { mode: 'off' } })), 'network').detail).toBe(
      'not enforced: commands run unconfined ("sandbox": {"mode": "off"})',
    );
    // a bubblewrap that leaves the holder in the host's network: the list could not hold (root: setns into the host's network namespace)
    if (process.getuid?.() !== 0 || !Object.keys(networkInterfaces()).some((name) => name !== 'lo')) return;
    const fake = await tempDir();
    cleanups.push(fake.cleanup);
    const leaky = join(fake.dir, 'bwrap');
    writeFileSync(
      leaky,
      '#!/bin/bash\nholder=0\nfor a in "$@"; do [[ $a == troupe-plan-network* ]] && holder=1; done\nargs=()\nfor a in "$@"; do [[ $holder == 1 && $a == --unshare-net ]] || args+=("$a"); done\nexec /usr/bin/bwrap "${args[@]}"\n',
    );
    chmodSync(leaky, 0o755);
    const leaking = await runDoctor(
      await repo({ network: { allow: ['registry.npmjs.org'] }, sandbox: { bwrap: leaky } }),
    );
    expect(leaking.ok).toBe(false);
    expect(check(leaking, 'network')).toMatchObject({
      ok: false,
      detail: expect.stringMatching(
        /the network allow-list cannot be enforced: the plan network has a route out: interface/,
      ),
      fix: expect.stringContaining('troupe doctor'),
    });
    const unlisted = check(await runDoctor(await repo({ sandbox: { bwrap: leaky } })), 'network');
    expect(unlisted).toMatchObject({
      ok: true,
      warning: true,
      detail: expect.stringContaining('a plan with network.allow would fail SANDBOX_UNAVAILABLE'),
    });
  });

  it('fails the user namespace check when a contained command cannot start', async () => {
    const fake = await tempDir();
    cleanups.push(fake.cleanup);
    const bwrap = join(fake.dir, 'bwrap');
    writeFileSync(
      bwrap,
      `#!/bin/sh\ncase "$1" in --help) echo '--json-status-fd --disable-userns'; exit 0;; --version) echo 'bubblewrap 0.8.0'; exit 0;; esac\necho 'bwrap: setting up uid map: Permission denied' >&2\nexit 1\n`,
    );
    chmodSync(bwrap, 0o755);
    const report = await runDoctor(await repo({ sandbox: { bwrap } }));
    expect(check(report, 'bubblewrap')).toMatchObject({ ok: true, detail: `bubblewrap 0.8.0 (${bwrap})` });
    expect(check(report, 'user namespaces')).toMatchObject({
      ok: false,
      detail: expect.stringContaining('uid map'),
      fix: expect.stringContaining('kernel.unprivileged_userns_clone=1'),
    });
  });

  it('fails the config check on a config troupe refuses, and has nothing to check outside a repository', async () => {
    const bad = await runDoctor(await repo('{ "sandbox": { "mode": "sometimes" } }'));
    expect(check(bad, 'project config')).toMatchObject({ ok: false, detail: expect.stringContaining('sandbox.mode') });
    const outside = await tempDir();
    cleanups.push(outside.cleanup);
    const nowhere = await runDoctor(outside.dir);
    expect(check(nowhere, 'project config').detail).toContain('not in a git repository');
    expect(check(nowhere, 'store')).toMatchObject({ ok: true, detail: 'not in a git repository: nothing to check' });
    expect(check(nowhere, 'plugins')).toMatchObject({ ok: true, detail: 'not in a git repository: nothing to load' });
    expect(check(bad, 'plugins')).toMatchObject({
      ok: false,
      detail: 'not checked: .troupe/config.json does not read',
    });
  });

  it('warns about a dependency folder plans do not see, with the edit that shares it, and sets nothing up', async () => {
    const dir = await repo();
    mkdirSync(join(dir, 'node_modules', 'zod'), { recursive: true });
    const report = await runDoctor(dir);
    expect(report.ok).toBe(true);
    const fix =
      'run troupe init, or set {"sandbox":{"share":["node_modules"]}} in .troupe/config.json (docs/explanation/sandbox.md#shared-dependencies)';
    expect(check(report, 'dependencies')).toEqual({
      name: 'dependencies',
      ok: true,
      warning: true,
      detail:
        'node_modules is installed at the project root but not shared with plans: their commands will not find its packages',
      fix,
    });
    expect(existsSync(join(dir, '.troupe'))).toBe(false);
    const printed = await runCli(dir, ['doctor'], { env: { NO_COLOR: '1' } });
    expect(printed.code).toBe(0);
    expect(printed.stdout).toContain(
      `\n! dependencies     node_modules is installed at the project root but not shared with plans: their commands will not find its packages\n                   fix: ${fix}\n`,
    );
    expect((await runCli(dir, ['init'])).code).toBe(0);
    expect(check(await runDoctor(dir), 'dependencies')).toEqual({
      name: 'dependencies',
      ok: true,
      detail: 'shared read-only with plans: node_modules',
    });
    // a list the config has already is in the edit, first
    const listed = await repo({ sandbox: { share: ['fixtures'] } });
    mkdirSync(join(listed, '.venv'));
    writeFileSync(join(listed, '.venv', 'pyvenv.cfg'), '');
    expect(check(await runDoctor(listed), 'dependencies').fix).toContain('{"sandbox":{"share":["fixtures",".venv"]}}');
  });

  it('warns about a generated file git ignores that plans lack, says nothing when there is none, and is quiet once it is shared', async () => {
    const quiet = await runDoctor(await repo());
    expect(quiet.checks.some((found) => found.name === 'generated files')).toBe(false);
    const made = await tempRepo({
      'src/humble/__init__.py': 'from humble._version import version\n',
      '.gitignore': 'src/humble/_version.py\n',
    });
    cleanups.push(made.cleanup);
    writeFileSync(join(made.dir, 'src', 'humble', '_version.py'), "version = '1.0'\n");
    const report = await runDoctor(made.dir);
    expect(report.ok).toBe(true);
    expect(check(report, 'generated files')).toEqual({
      name: 'generated files',
      ok: true,
      warning: true,
      detail:
        "src/humble/_version.py is ignored by git, so plans' worktrees lack it, and your installed environment needs it: the project's own imports fail in a plan",
      fix: 'run troupe init, or set {"sandbox":{"share":["src/humble/_version.py"]}} in .troupe/config.json (docs/explanation/sandbox.md#generated-files)',
    });
    expect(existsSync(join(made.dir, '.troupe'))).toBe(false);
    expect((await runCli(made.dir, ['init'])).code).toBe(0);
    expect(check(await runDoctor(made.dir), 'generated files')).toEqual({
      name: 'generated files',
      ok: true,
      detail: 'shared read-only with plans: src/humble/_version.py',
    });
  });

  it('fails the git check when git does not run', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const report = await runDoctor(await tempDir().then((made) => (cleanups.push(made.cleanup), made.dir)));
      expect(check(report, 'git')).toMatchObject({ ok: false, fix: expect.stringContaining('install git') });
      expect(check(report, 'bubblewrap')).toMatchObject({
        ok: false,
        detail: expect.stringContaining('no bwrap on PATH'),
      });
    } finally {
      process.env.PATH = path;
    }
  });

  it('prints one ✓/✗ line each with the fix, --json the report, and exits 1 when something is missing', async () => {
    const good = await runCli(await repo(), ['doctor']);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/^✓ node {13}Node\.js \d+\.\d+\.\d+\n✓ git {14}git version/);
    const missing = await repo({ sandbox: { bwrap: '/nonexistent/bwrap' } });
    const bad = await runCli(missing, ['doctor']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('✗ bubblewrap ');
    expect(bad.stdout).toMatch(/\n {19}fix: install bubblewrap/);
    const json = await runCli(missing, ['doctor', '--json']);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as DoctorReport;
    expect(report.ok).toBe(false);
    expect(Object.keys(report.checks[0]!)).toEqual(['name', 'ok', 'detail']);
    expect(check(report, 'bubblewrap')).toMatchObject({ ok: false, fix: expect.any(String) });
  });
});

describe('the CLI warns when commands run unconfined', () => {
  it('says so on stderr for every run that drives plans', async () => {
    const dir = await repo({ sandbox: { mode: 'off' } });
    writeFileSync(
      join(dir, 'plan.yaml'),
      'name: demo/off\ngoal: Run unconfined\nstrategy:\n  steps:\n    - { title: Run, tool: shell/run, input: { command: "true" } }\n',
    );
    const run = await runCli(dir, ['plan', 'run', 'plan.yaml']);
    expect(run.code).toBe(0);
    expect(run.stderr.match(/warning: commands run unconfined/g)).toHaveLength(1);
    const events = await runCli(dir, ['events', 'demo/off']);
    expect(events.stdout).toContain('"type":"sandbox.unconfined"');
    expect((await runCli(dir, ['plan', 'status', 'demo/off'])).stderr).not.toContain('warning');
    const contained = await repo();
    writeFileSync(join(contained, 'plan.yaml'), 'name: demo/on\ngoal: Run contained\n');
    expect((await runCli(contained, ['plan', 'run', 'plan.yaml'])).stderr).not.toContain('warning');
  });
});
