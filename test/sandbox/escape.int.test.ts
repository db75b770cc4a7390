import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DecisionNode, PlanRecord } from '../../src/domain/index.js';
import { z } from 'zod';
import { defineCheck } from '../../actors/index.js';
import { createRuntime } from '../../src/runtime/index.js';
import type { LocalRuntime } from '../../src/runtime/local-runtime.js';
import { defineTool } from '../../src/tools/index.js';
import { processesRunning, processesWith } from '../helpers/processes.js';
import { git, visibleTempDir, writeFiles } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';

// The escape suite (issue 16): every way out a plan's commands were seen to
// take, each asserted contained — on real bubblewrap, real git, LevelDB —
// and the legitimate work that must keep working. The project and the home
// directory live outside /tmp (which every command gets private), so what
// hides them is the sandbox's policy, not the private /tmp.

const SECRETS = {
  env: 'ENV-SECRET-7f3a',
  ssh: 'SSH-KEY-SECRET-91c2',
  aws: 'AWS-SECRET-55d0',
  netrc: 'NETRC-SECRET-0b8e',
  hidden: 'HIDE-SECRET-c4e1',
  neighbour: 'NEIGHBOUR-SECRET-2a9f',
  registered: 'REGISTERED-SECRET-6d1b',
};

// a custom tool and a custom check that run what they are given, through context.runCommand as plugins do
const runTool = defineTool({
  name: 'escape/run',
  description: 'Run a command through context.runCommand',
  input: z.strictObject({ command: z.string() }),
  sideEffects: ['exec', 'fs_write'],
  async handler({ command }, { runCommand }) {
    const result = await runCommand(command, { timeoutMs: 20_000 });
    if (result.exitCode !== 0) throw new Error(`exit ${result.exitCode}: ${result.stderrTail}`);
    return { ran: command };
  },
});
const runCheck = defineCheck({
  name: 'escape/run',
  description: 'holds when the command exits 0',
  readOnly: false,
  options: z.strictObject({ command: z.string() }),
  async run({ command }, { runCommand }) {
    const result = await runCommand(command, { timeoutMs: 20_000 });
    return { passed: result.exitCode === 0, message: result.stderrTail.trim() || `exit ${result.exitCode}` };
  },
});
const openSuiteRuntime = (options: { resume?: boolean } = {}) => createRuntime({ dir: project, report: () => {}, warn: () => {}, tools: [runTool], checks: [runCheck], ...options });
const tag = `${process.pid}`;

let home: string;
let outside: string;
let project: string;
let runtime: LocalRuntime;
let neighbour: PlanRecord;
let registered: string;
let server: Server;
let connections = 0;
let port = 0;
let baseline: () => Record<string, unknown>;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  const homeDir = await visibleTempDir('troupe-escape-home-');
  const outsideDir = await visibleTempDir('troupe-escape-outside-');
  const projectDir = await visibleTempDir('troupe-escape-project-');
  const registeredDir = await visibleTempDir('troupe-escape-registered-');
  cleanups.push(homeDir.cleanup, outsideDir.cleanup, projectDir.cleanup, registeredDir.cleanup);
  registered = registeredDir.dir;
  // another repository registered with the project (troupe project add), with a secret of its own checkout
  git(registered, 'init', '-q', '-b', 'main');
  await writeFiles(registered, { 'docs/index.md': '# docs\n' });
  git(registered, 'add', '-A');
  git(registered, 'commit', '-q', '-m', 'init');
  await writeFiles(registered, { '.env': `${SECRETS.registered}\n` });
  home = homeDir.dir;
  outside = outsideDir.dir;
  project = projectDir.dir;
  // the commands' $HOME and the home whose secrets the sandbox hides (os.homedir() reads HOME)
  process.env.HOME = home;
  await writeFiles(home, { '.ssh/id_rsa': `${SECRETS.ssh}\n`, '.aws/credentials': `${SECRETS.aws}\n`, '.netrc': `${SECRETS.netrc}\n`, 'notes.txt': 'not a secret\n' });
  await writeFiles(outside, { 'target.txt': 'original\n', 'private/secret.txt': `${SECRETS.hidden}\n` });
  chmodSync(join(outside, 'target.txt'), 0o644);

  git(project, 'init', '-q', '-b', 'main');
  await writeFiles(project, {
    'README.md': '# escape\n',
    'src/a.ts': 'export const a = 1;\n',
    'package.json': JSON.stringify({ name: 'escape', version: '1.0.0', scripts: { test: `node -e "console.log('dep is', require('dep'))"` } }),
  });
  git(project, 'add', '-A');
  git(project, 'commit', '-q', '-m', 'init');
  // untracked: a secret of the user's checkout, and installed dependencies the plans share read-only
  await writeFiles(project, {
    '.env': `${SECRETS.env}\n`,
    'node_modules/dep/index.js': 'module.exports = 42;\n',
    '.troupe/config.json': JSON.stringify({ sandbox: { share: ['node_modules'], hide: [join(outside, 'private')] } }),
  });

  server = createServer((socket) => {
    connections += 1;
    socket.end('hello\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));

  runtime = await openSuiteRuntime();
  cleanups.push(() => runtime.close());
  await runtime.addProject('docs-site', registered);
  const created = await runtime.createPlan(planYaml({ name: 'escape/neighbour', strategy: { steps: [step('Keep a secret', 'fs/write-file', { path: 'neighbour.txt', content: `${SECRETS.neighbour}\n` })] } }));
  neighbour = await runtime.run(created.id, { until: 'execute' });
  expect(neighbour).toMatchObject({ phase: 'execute', status: 'complete' });

  const state = () => ({
    target: readFileSync(join(outside, 'target.txt'), 'utf8'),
    targetMode: statSync(join(outside, 'target.txt')).mode,
    outside: readdirSync(outside).filter((name) => !name.startsWith('evil-') && name !== 'landing').sort(),
    projectEntries: readdirSync(project).sort(),
    projectStatus: git(project, 'status', '--porcelain'),
    env: readFileSync(join(project, '.env'), 'utf8'),
    gitConfig: readFileSync(join(project, '.git', 'config'), 'utf8'),
    hooks: readdirSync(join(project, '.git', 'hooks')).sort(),
    main: git(project, 'rev-parse', 'refs/heads/main'),
    home: readdirSync(home, { recursive: true }).map(String).sort(),
    neighbour: readFileSync(join(project, neighbour.sandbox!.worktree, 'neighbour.txt'), 'utf8'),
    hostTmp: existsSync(`/tmp/troupe-escape-${tag}`),
    hostShm: existsSync(`/dev/shm/troupe-escape-${tag}`),
    varTmp: existsSync(`/var/tmp/troupe-escape-${tag}`),
    registered: readdirSync(registered).sort(),
    registeredStatus: git(registered, 'status', '--porcelain'),
    registeredEnv: readFileSync(join(registered, '.env'), 'utf8'),
  });
  const initial = state();
  baseline = () => initial;
  cleanups.push(() => expect(state()).toEqual(initial));
  // every attempt leaves the user's world as it was
  afterEachCheck = () => expect(state()).toEqual(initial);
});

let afterEachCheck: () => void = () => {};
afterEach(() => afterEachCheck());

afterAll(async () => {
  // every cleanup runs, even after one failed (the final state check)
  const failures: unknown[] = [];
  for (const cleanup of cleanups.reverse()) await Promise.resolve().then(cleanup).catch((error: unknown) => failures.push(error));
  if (failures.length > 0) throw failures[0];
});

let count = 0;
/** Run a plan of shell steps to the end of execute; the record and its worktree. */
async function attempt(commands: string | string[], fields: Record<string, unknown> = {}): Promise<{ record: PlanRecord; worktree: string; seen: (file?: string) => string }> {
  const steps = (Array.isArray(commands) ? commands : [commands]).map((command, index) => step(`Try ${index + 1}`, 'shell/run', { command }));
  const plan = await runtime.createPlan(planYaml({ name: `escape/try-${++count}`, strategy: { steps }, ...fields }));
  const record = await runtime.run(plan.id, { until: 'execute' });
  const worktree = join(project, '.troupe', 'worktrees', plan.id);
  return { record, worktree, seen: (file = 'seen.txt') => (existsSync(join(worktree, file)) ? readFileSync(join(worktree, file), 'utf8') : '') };
}

/** The step failed with the command's own exit code: TOOL_FAILED, its stderr kept. */
function refused(record: PlanRecord, stderr: RegExp = /Read-only file system|Permission denied|No such file|nonexistent|cannot|denied|not permitted|Invalid cross-device link|busy|superuser|No space left/i): void {
  expect(record, JSON.stringify(record.error)).toMatchObject({ phase: 'execute', status: 'failed', error: { code: 'TOOL_FAILED' } });
  expect(String(record.error!.details!.stderrTail)).toMatch(stderr);
  // the command's own failure: it exited non-zero, troupe did not stop it
  expect(record.error!.details).toHaveProperty('exitCode');
  expect(record.error!.details!.exitCode).not.toBe(0);
}

function decisions(node: DecisionNode | null): DecisionNode[] {
  return node ? [node, ...node.children.flatMap(decisions)] : [];
}

describe('writes outside the worktree fail, and nothing outside changes', () => {
  const cases: [string, () => string][] = [
    ['an absolute path outside', () => `echo x > ${outside}/target.txt`],
    ['a new file outside', () => `echo x > ${outside}/new.txt`],
    ['.. up to the user’s project', () => 'echo pwned > ../../../ESCAPED.txt'],
    ['the user’s working tree by absolute path', () => `echo x > ${project}/src/a.ts`],
    ['a new file in the user’s project', () => `echo x > ${project}/ESCAPED.txt`],
    ['the user’s untracked .env', () => `echo x >> ${project}/.env`],
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
    ['the worktree’s own git config', () => 'git config --worktree core.fsmonitor true || git config core.hooksPath /tmp'],
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

  it('the issue’s probe: /tmp and ../../../ written, the plan reached validate — now it fails on ../../../', async () => {
    const { record } = await attempt('echo pwned > /tmp/out.txt; echo pwned > ../../../ESCAPED.txt', { resourceScopes: ['x.txt'] });
    refused(record, /ESCAPED.txt: Read-only file system/);
    expect(existsSync(join(project, 'ESCAPED.txt'))).toBe(false);
  });

  it('/tmp and /dev/shm are private: a write lands in the command’s own, not the host’s', async () => {
    const { record, seen } = await attempt(`echo x > /tmp/troupe-escape-${tag} && echo y > /dev/shm/troupe-escape-${tag} && cat /tmp/troupe-escape-${tag} /dev/shm/troupe-escape-${tag} > seen.txt`);
    expect(record).toMatchObject({ status: 'complete' });
    expect(seen()).toBe('x\ny\n');
    expect(existsSync(`/tmp/troupe-escape-${tag}`)).toBe(false);
    expect(existsSync(`/dev/shm/troupe-escape-${tag}`)).toBe(false);
  });
});

describe('secrets cannot be read', () => {
  const cases: [string, () => string, string][] = [
    ['the user’s untracked .env through ..', () => 'cat ../../../.env', SECRETS.env],
    ['the user’s untracked .env by absolute path', () => `cat ${project}/.env`, SECRETS.env],
    ['an SSH key in $HOME', () => 'cat "$HOME/.ssh/id_rsa"', SECRETS.ssh],
    ['cloud credentials in $HOME', () => 'cat "$HOME/.aws/credentials"', SECRETS.aws],
    ['~/.netrc', () => 'cat ~/.netrc', SECRETS.netrc],
    ['a path listed in sandbox.hide', () => `cat ${outside}/private/secret.txt`, SECRETS.hidden],
    ['another plan’s worktree', () => `cat ${project}/${neighbour.sandbox!.worktree}/neighbour.txt`, SECRETS.neighbour],
    ['another registered project’s untracked .env', () => `cat ${registered}/.env; ls -a ${registered}`, SECRETS.registered],
    ['by searching the project', () => `grep -r SECRET ${project} --exclude-dir=.git`, 'SECRET-'],
    ['by searching $HOME', () => 'grep -r SECRET "$HOME"', 'SECRET-'],
  ];
  it.each(cases)('%s', async (_name, command, secret) => {
    const { record, seen } = await attempt(`{ ${command()}; } > seen.txt 2>&1; true`);
    expect(record).toMatchObject({ status: 'complete' });
    expect(seen()).not.toContain(secret);
  });

  it('.troupe shows only the worktree’s own path: no store, no socket, no other plan', async () => {
    const { record, seen, worktree } = await attempt(`ls -a ${project}/.troupe ${project}/.troupe/worktrees > seen.txt 2>&1; true`);
    expect(record).toMatchObject({ status: 'complete' });
    const listing = seen();
    expect(listing).not.toMatch(/\bdb\b|host\.sock|config\.json/);
    expect(listing).not.toContain(neighbour.id);
    expect(listing).toContain(worktree.split('/').at(-1));
  });
});

describe('the network is off unless the plan asks for it', () => {
  const connect = () => `node -e 'const s=require("net").connect(${port},"127.0.0.1");s.on("data",d=>{process.stdout.write(d);process.exit(0)});s.on("error",e=>{console.error(e.message);process.exit(7)})'`;

  it('a TCP server on the host’s 127.0.0.1 cannot be reached', async () => {
    const before = connections;
    const { record } = await attempt(connect());
    refused(record, /ECONNREFUSED|ENETUNREACH|EHOSTUNREACH/);
    expect(connections).toBe(before);
  });

  it('with network: true it can, and plan explain shows the decision', async () => {
    const before = connections;
    const { record } = await attempt(`${connect()} > seen.txt`, { network: true });
    expect(record).toMatchObject({ status: 'complete' });
    expect(connections).toBe(before + 1);
    const policy = decisions((await runtime.explain(record.id)).root).filter((decision) => decision.type === 'sandbox_policy');
    expect(policy.map((decision) => decision.payload)).toEqual([{ network: true }]);
  });

  it('child plans inherit network: true', async () => {
    const before = connections;
    const plan = await runtime.createPlan(
      planYaml({ name: 'escape/net-parent', network: true, strategy: { steps: [{ title: 'Fan out', subplans: { entries: [{ goal: 'Call out', resourceScopes: ['kids/**'], strategy: { steps: [step('Call', 'shell/run', { command: `mkdir -p kids && ${connect()} > kids/seen.txt` })] } }] } }] } }),
    );
    const record = await runtime.run(plan.id, { until: 'execute' });
    expect(record).toMatchObject({ status: 'complete' });
    expect(connections).toBe(before + 1);
    const childId = Object.keys(record.subplanStatuses)[0]!;
    expect(decisions((await runtime.explain(childId)).root).some((decision) => decision.type === 'sandbox_policy')).toBe(true);
  });

  it('no plan without network gets a sandbox_policy decision', async () => {
    const { record } = await attempt('true');
    expect(decisions((await runtime.explain(record.id)).root).filter((decision) => decision.type === 'sandbox_policy')).toEqual([]);
  });
});

describe('nothing a command starts outlives it', () => {
  const gone = (marker: string) => expect.poll(() => processesWith(marker), { timeout: 5_000, interval: 25 }).toEqual([]);

  it('a background process left by a step', async () => {
    const { record } = await attempt(`sleep 30.${tag}1 > /dev/null 2>&1 &`);
    expect(record).toMatchObject({ status: 'complete' });
    await gone(`sleep 30.${tag}1`);
  });

  it('setsid, which left the process group: it does not write into the next step', async () => {
    const { record, worktree } = await attempt([`setsid sh -c 'sleep 1; echo late > late.txt; sleep 30.${tag}2' > /dev/null 2>&1 &`, 'sleep 2; test ! -e late.txt']);
    expect(record, JSON.stringify(record.error)).toMatchObject({ status: 'complete', lastCompletedStep: 1 });
    expect(existsSync(join(worktree, 'late.txt'))).toBe(false);
    await gone(`sleep 30.${tag}2`);
  });

  it('nohup', async () => {
    await attempt(`nohup sleep 30.${tag}3 > /dev/null 2>&1 &`);
    await gone(`sleep 30.${tag}3`);
  });

  it('a double fork', async () => {
    await attempt(`( sh -c 'sleep 30.${tag}4' > /dev/null 2>&1 & ) &`);
    await gone(`sleep 30.${tag}4`);
  });

  it('a step that timed out', async () => {
    const plan = await runtime.createPlan(planYaml({ name: 'escape/timeout', strategy: { steps: [step('Hang', 'shell/run', { command: `sleep 30.${tag}5 & wait`, timeoutMs: 500 })] } }));
    const record = await runtime.run(plan.id, { until: 'execute' });
    expect(record).toMatchObject({ status: 'failed', error: { code: 'TIMEOUT' } });
    await gone(`sleep 30.${tag}5`);
  });

  it('a plan cancelled while its step runs', async () => {
    const plan = await runtime.createPlan(planYaml({ name: 'escape/cancel', strategy: { steps: [step('Hang', 'shell/run', { command: `setsid sleep 30.${tag}6 & wait` })] } }));
    const running = runtime.run(plan.id);
    await expect.poll(async () => (await processesRunning(`sleep 30.${tag}6`)).length, { timeout: 10_000, interval: 25 }).toBeGreaterThan(0);
    await runtime.cancel(plan.id);
    await expect(running).resolves.toMatchObject({ status: 'cancelled' });
    await gone(`sleep 30.${tag}6`);
  });

  it('a validate command', async () => {
    const plan = await runtime.createPlan(planYaml({ name: 'escape/validate', strategy: { steps: [] }, validate: [{ run: `sleep 30.${tag}7 > /dev/null 2>&1 &` }] }));
    expect(await runtime.run(plan.id, { until: 'validate' })).toMatchObject({ phase: 'validate', status: 'complete' });
    await gone(`sleep 30.${tag}7`);
  });

  it('a command invariant check', async () => {
    const plan = await runtime.createPlan(planYaml({ name: 'escape/check', invariants: [{ id: 'leaves', check: 'command', run: `sleep 30.${tag}8 > /dev/null 2>&1 & true` }] }));
    expect(await runtime.run(plan.id, { until: 'strategize' })).toMatchObject({ phase: 'strategize', status: 'complete' });
    await gone(`sleep 30.${tag}8`);
  });

  it('troupe killed with SIGKILL while the step runs', async () => {
    const plan = await runtime.createPlan(planYaml({ name: 'escape/sigkill', strategy: { steps: [step('Hang', 'shell/run', { command: `setsid sh -c 'sleep 30.${tag}9' & nohup sleep 30.${tag}9 & wait` })] } }));
    // the store is this runtime's: the other troupe needs it
    await runtime.close();
    let child: ChildProcess | undefined;
    try {
      child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'escape-child.ts'), project, plan.id], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env } });
      await expect.poll(async () => (await processesRunning(`sleep 30.${tag}9`)).length, { timeout: 20_000, interval: 25 }).toBe(2);
      child.kill('SIGKILL');
      await gone(`sleep 30.${tag}9`);
    } finally {
      child?.kill('SIGKILL');
      // (the cleanup closes whichever runtime is current)
      runtime = await openSuiteRuntime({ resume: false });
    }
    // the interrupted plan runs its step again in a new process, from its last commit (and is cancelled here: it would hang)
    await runtime.cancel(plan.id);
  });
});

describe('custom tools and checks run their commands contained too', () => {
  it('a custom tool’s runCommand cannot write outside, nor read the user’s secrets', async () => {
    const write = await runtime.run((await runtime.createPlan(planYaml({ name: 'escape/tool-write', strategy: { steps: [step('Write out', 'escape/run', { command: `echo x > ${outside}/target.txt` })] } }))).id, { until: 'execute' });
    expect(write).toMatchObject({ status: 'failed', error: { code: 'TOOL_FAILED', message: expect.stringMatching(/Read-only file system/) } });
    const plan = await runtime.createPlan(planYaml({ name: 'escape/tool-read', strategy: { steps: [step('Read', 'escape/run', { command: `{ cat ${project}/.env "$HOME/.ssh/id_rsa"; } > seen.txt 2>&1; true` })] } }));
    const read = await runtime.run(plan.id, { until: 'execute' });
    expect(read).toMatchObject({ status: 'complete' });
    const seen = readFileSync(join(project, '.troupe', 'worktrees', plan.id, 'seen.txt'), 'utf8');
    expect(seen).not.toContain(SECRETS.env);
    expect(seen).not.toContain(SECRETS.ssh);
  });

  it('a custom check’s runCommand cannot write outside, nor read the user’s secrets', async () => {
    const plan = await runtime.createPlan(
      planYaml({
        name: 'escape/check-run',
        strategy: { steps: [] },
        invariants: [
          { id: 'writes-out', check: 'escape/run', command: `echo x > ${outside}/target.txt` },
          { id: 'reads-env', check: 'escape/run', command: `cat ${project}/.env` },
        ],
      }),
    );
    const record = await runtime.run(plan.id, { until: 'strategize' });
    expect(record).toMatchObject({ phase: 'strategize', status: 'failed', error: { code: 'INVARIANT_VIOLATED' } });
    const violations = (record.error!.details as { violations: { id: string; message: string }[] }).violations;
    expect(violations.map((violation) => violation.id).sort()).toEqual(['reads-env', 'writes-out']);
    expect(violations.find((violation) => violation.id === 'writes-out')!.message).toMatch(/Read-only file system/);
    expect(violations.find((violation) => violation.id === 'reads-env')!.message).toMatch(/No such file/);
    expect(JSON.stringify(record)).not.toContain(SECRETS.env);
  });
});

describe('child plans stay in their own worktree', () => {
  const group = (command: string) =>
    planYaml({ name: `escape/parent-${++count}`, strategy: { steps: [{ title: 'Fan out', subplans: { entries: [{ goal: 'Misbehave', resourceScopes: ['kids/**'], strategy: { steps: [step('Misbehave', 'shell/run', { command })] } }] } }] } });

  it('a child of another registered project works in its worktree of it, and cannot read that project’s checkout either', async () => {
    const command = `echo ok > docs/new.md && { cat ${registered}/.env; cat ../../../.env; } > seen.txt 2>&1; true`;
    const plan = await runtime.createPlan(
      planYaml({ name: `escape/parent-${++count}`, strategy: { steps: [{ title: 'Docs', subplans: { entries: [{ goal: 'Write docs', project: 'docs-site', strategy: { steps: [step('Write', 'shell/run', { command })] } }] } }] } }),
    );
    const record = await runtime.run(plan.id, { until: 'execute' });
    expect(record).toMatchObject({ status: 'complete' });
    const child = await runtime.getPlan(Object.keys(record.subplanStatuses)[0]!);
    // its worktree, of the registered repository, lives under this project's .troupe
    const worktree = join(project, child.sandbox!.worktree);
    expect(git(worktree, 'rev-parse', '--show-toplevel')).toBe(realpathSync(worktree));
    expect(git(worktree, 'rev-parse', 'HEAD')).toBe(child.sandbox!.headCommit);
    expect(readFileSync(join(worktree, 'docs/new.md'), 'utf8')).toBe('ok\n');
    const seen = readFileSync(join(worktree, 'seen.txt'), 'utf8');
    expect(seen).toMatch(/No such file/);
    expect(seen).not.toContain(SECRETS.registered);
  });

  it('a child writing outside its scopes through the shell fails SCOPE_VIOLATION', async () => {
    const plan = await runtime.createPlan(group('echo x > outside-scope.txt'));
    const record = await runtime.run(plan.id, { until: 'execute' });
    expect(record).toMatchObject({ status: 'failed' });
    const child = await runtime.getPlan(Object.keys(record.subplanStatuses)[0]!);
    expect(child.error).toMatchObject({ code: 'SCOPE_VIOLATION' });
  });

  it('a child cannot write into its parent’s (or any other) worktree, and sees none of them', async () => {
    const plan = await runtime.createPlan(
      group('mkdir -p kids && ls .. > kids/seen.txt; for d in $(ls ..); do [ "$d" = "$(basename "$PWD")" ] && continue; echo x > "../$d/from-child.txt" && echo "wrote $d" >> kids/seen.txt; done; true'),
    );
    const record = await runtime.run(plan.id, { until: 'execute' });
    expect(record, JSON.stringify(record.error)).toMatchObject({ status: 'complete' });
    const child = await runtime.getPlan(Object.keys(record.subplanStatuses)[0]!);
    const worktrees = join(project, '.troupe', 'worktrees');
    // what the child saw came back by its merge (its own worktree went once the merge was committed)
    expect(existsSync(join(worktrees, child.id))).toBe(false);
    expect(readFileSync(join(worktrees, plan.id, 'kids', 'seen.txt'), 'utf8').trim()).toBe(child.id);
    expect(existsSync(join(worktrees, plan.id, 'from-child.txt'))).toBe(false);
    expect(git(join(worktrees, plan.id), 'ls-files')).not.toContain('from-child.txt');
  });
});

describe('the symlink race against fs/write-file', () => {
  it('a directory swapped for a symlink while the plan writes into it never sends a write outside', async () => {
    const landing = join(outside, 'landing');
    mkdirSync(landing);
    try {
      const steps = Array.from({ length: 60 }, (_, index) => step(`Write ${index}`, 'fs/write-file', { path: `d/f${index}.txt`, content: `${index}\n` }));
      const plan = await runtime.createPlan(planYaml({ name: 'escape/race', strategy: { steps: [step('Make d', 'shell/run', { command: 'mkdir -p d && touch d/.keep' }), ...steps] } }));
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

describe('legitimate work still works', () => {
  it('writes in the worktree, committed as the step', async () => {
    const { record, worktree } = await attempt('mkdir -p out && echo made > out/file.txt');
    expect(record).toMatchObject({ status: 'complete', lastCompletedStep: 0 });
    expect(readFileSync(join(worktree, 'out/file.txt'), 'utf8')).toBe('made\n');
    expect((await runtime.changes(record.id))?.files.map((file) => file.path)).toEqual(['out/file.txt']);
  });

  it('node and npm run scripts, with the project’s node_modules shared read-only and no network', async () => {
    const { record, worktree, seen } = await attempt(['node -e "console.log(6 * 7)" > seen.txt && npm test --silent >> seen.txt', '{ echo x > node_modules/dep/index.js; } 2> denied.txt; test $? -ne 0']);
    expect(record, JSON.stringify(record.error)).toMatchObject({ status: 'complete' });
    expect(seen()).toBe('42\ndep is 42\n');
    expect(seen('denied.txt')).toMatch(/Read-only file system/);
    // the mount point is gone with the command: no node_modules in the plan's changes
    expect(existsSync(join(worktree, 'node_modules'))).toBe(false);
    expect((await runtime.changes(record.id))?.files.map((file) => file.path).sort()).toEqual(['denied.txt', 'seen.txt']);
  });

  it('git status, diff and log read the repository', async () => {
    const { record, seen } = await attempt('echo more >> README.md && { git status --short; git diff --stat; git log --format=%s; } > seen.txt');
    expect(record, JSON.stringify(record.error)).toMatchObject({ status: 'complete' });
    // (node_modules is the shared one, which this project does not ignore)
    expect(seen()).toBe(' M README.md\n?? node_modules/\n?? seen.txt\n README.md | 1 +\n 1 file changed, 1 insertion(+)\ninit\n');
  });

  it('the project’s tracked files are there to read, through the worktree', async () => {
    const { record, seen } = await attempt('cat README.md src/a.ts > seen.txt');
    expect(record).toMatchObject({ status: 'complete' });
    expect(seen()).toBe('# escape\nexport const a = 1;\n');
  });

  it('a step can read what the user keeps in $HOME that is not a secret', async () => {
    const { record, seen } = await attempt('cat "$HOME/notes.txt" > seen.txt');
    expect(record).toMatchObject({ status: 'complete' });
    expect(seen()).toBe('not a secret\n');
    expect(baseline().home).toContain('notes.txt');
  });
});

describe('troupe’s own git is not steered by the repository’s config', () => {
  it('a core.fsmonitor and a filter put in .git/config never run through a plan, its commits and its apply', async () => {
    const other = await visibleTempDir('troupe-escape-hostile-');
    const marker = join(outside, `hostile-${tag}`);
    try {
      git(other.dir, 'init', '-q', '-b', 'main');
      await writeFiles(other.dir, { 'a.txt': 'a\n', '.gitattributes': '*.txt filter=evil\n' });
      git(other.dir, 'add', '-A');
      git(other.dir, 'commit', '-q', '-m', 'init');
      // the program the config names lives outside the project, whose tree must stay clean for apply
      const script = join(outside, `evil-${tag}.sh`);
      writeFileSync(script, `#!/bin/sh\ntouch ${marker}\ncat\n`);
      chmodSync(script, 0o755);
      for (const [key, value] of [['core.fsmonitor', script], ['filter.evil.clean', script], ['filter.evil.smudge', script], ['diff.external', script]]) git(other.dir, 'config', key!, value!);
      const hostile = await createRuntime({ dir: other.dir, store: 'memory', report: () => {}, warn: () => {} });
      try {
        const plan = await hostile.createPlan(planYaml({ name: 'escape/hostile', automation: 'auto', strategy: { steps: [step('Write', 'fs/write-file', { path: 'b.txt', content: 'b\n' }), step('Shell', 'shell/run', { command: 'echo c > c.txt' })] } }));
        expect(await hostile.run(plan.id)).toMatchObject({ phase: 'apply', status: 'done' });
      } finally {
        await hostile.close();
      }
      expect(existsSync(marker)).toBe(false);
      expect(readFileSync(join(other.dir, 'b.txt'), 'utf8')).toBe('b\n');
    } finally {
      await other.cleanup();
      const { rmSync } = await import('node:fs');
      rmSync(join(outside, `evil-${tag}.sh`), { force: true });
    }
  });
});
