import { createServer, type Server } from 'node:net';
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { DecisionNode, PlanRecord } from '../../src/domain/index.js';
import { z } from 'zod';
import { defineCheck } from '../../actors/index.js';
import { createRuntime } from '../../src/runtime/index.js';
import type { LocalRuntime } from '../../src/runtime/local-runtime.js';
import { defineTool } from '../../src/tools/index.js';
import { git, visibleTempDir, writeFiles } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';

// The escape suite (issue 16): every way out a plan's commands were seen to
// take, each asserted contained — on real bubblewrap, real git, LevelDB —
// and the legitimate work that must keep working. The project and the home
// directory live outside /tmp (which every command gets private), so what
// hides them is the sandbox's policy, not the private /tmp.

/** The secrets the suite plants in the user's world, one per place a command must not read. */
export const SECRETS = {
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
// troupe's own process writing a set-user-ID file into the worktree, as a command could if its filter failed
const plantTool = defineTool({
  name: 'escape/plant',
  description: 'Write a file with the given mode, from troupe’s process',
  input: z.strictObject({ path: z.string(), mode: z.number().int() }),
  sideEffects: ['fs_write'],
  async handler({ path, mode }, { paths }) {
    const target = await paths.resolve(path, 'write');
    writeFileSync(target, 'planted\n');
    chmodSync(target, mode);
    return { planted: path };
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
/** A runtime on the suite's project, with the custom tool and check `escape/run`. */
export const openSuiteRuntime = (options: { resume?: boolean } = {}) =>
  createRuntime({
    dir: project,
    report: () => {},
    warn: () => {},
    tools: [runTool, plantTool],
    checks: [runCheck],
    ...options,
  });
/** This process's id: marks the files and processes a test's commands leave, so none is mistaken for another run's. */
export const tag = `${process.pid}`;

// the user's home directory ($HOME), with an SSH key, cloud credentials, a .netrc and notes.txt
let home: string;
/** A directory outside the project: target.txt to write to, and private/ hidden by sandbox.hide. */
export let outside: string;
/** The user's project, with an untracked .env and node_modules shared read-only. */
export let project: string;
/** The runtime on {@link project} the tests run their plans with. */
export let runtime: LocalRuntime;
/** A plan run to the end of execute first, whose worktree holds a secret. */
export let neighbour: PlanRecord;
/** Another repository registered with the project as docs-site, with an untracked .env. */
export let registered: string;
let server: Server;
/** How many connections the TCP server on the host's 127.0.0.1 has accepted. */
export let connections = 0;
/** The port of that server. */
export let port = 0;
/** The state of the user's world before any test ran. */
export let baseline: () => Record<string, unknown>;
const cleanups: (() => Promise<void> | void)[] = [];
let afterEachCheck: () => void = () => {};

/** Makes {@link runtime} the given one, as a test that closed it and opened another does; the suite's cleanup closes it. */
export function setRuntime(next: LocalRuntime): void {
  runtime = next;
}

/** Registers the suite's hooks: the world set up before all tests, checked unchanged after each and at the end, then removed. */
export function useEscapeSuite(): void {
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
    await writeFiles(home, {
      '.ssh/id_rsa': `${SECRETS.ssh}\n`,
      '.aws/credentials': `${SECRETS.aws}\n`,
      '.netrc': `${SECRETS.netrc}\n`,
      'notes.txt': 'not a secret\n',
    });
    await writeFiles(outside, { 'target.txt': 'original\n', 'private/secret.txt': `${SECRETS.hidden}\n` });
    chmodSync(join(outside, 'target.txt'), 0o644);

    git(project, 'init', '-q', '-b', 'main');
    await writeFiles(project, {
      'README.md': '# escape\n',
      'src/a.ts': 'export const a = 1;\n',
      'package.json': JSON.stringify({
        name: 'escape',
        version: '1.0.0',
        scripts: { test: `node -e "console.log('dep is', require('dep'))"` },
      }),
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
    const created = await runtime.createPlan(
      planYaml({
        name: 'escape/neighbour',
        strategy: {
          steps: [step('Keep a secret', 'fs/write-file', { path: 'neighbour.txt', content: `${SECRETS.neighbour}\n` })],
        },
      }),
    );
    neighbour = await runtime.run(created.id, { until: 'execute' });
    expect(neighbour).toMatchObject({ phase: 'execute', status: 'complete' });

    const state = () => ({
      target: readFileSync(join(outside, 'target.txt'), 'utf8'),
      targetMode: statSync(join(outside, 'target.txt')).mode,
      outside: readdirSync(outside)
        .filter((name) => !name.startsWith('evil-') && name !== 'landing')
        .sort(),
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

  afterEach(() => afterEachCheck());

  afterAll(async () => {
    // every cleanup runs, even after one failed (the final state check)
    const failures: unknown[] = [];
    for (const cleanup of cleanups.reverse())
      await Promise.resolve()
        .then(cleanup)
        .catch((error: unknown) => failures.push(error));
    if (failures.length > 0) throw failures[0];
  });
}

let count = 0;
/** Run a plan of shell steps to the end of execute; the record and its worktree. */
export async function attempt(
  commands: string | string[],
  fields: Record<string, unknown> = {},
): Promise<{ record: PlanRecord; worktree: string; seen: (file?: string) => string }> {
  const steps = (Array.isArray(commands) ? commands : [commands]).map((command, index) =>
    step(`Try ${index + 1}`, 'shell/run', { command }),
  );
  const plan = await runtime.createPlan(planYaml({ name: `escape/try-${++count}`, strategy: { steps }, ...fields }));
  const record = await runtime.run(plan.id, { until: 'execute' });
  const worktree = join(project, '.troupe', 'worktrees', plan.id);
  return {
    record,
    worktree,
    seen: (file = 'seen.txt') => (existsSync(join(worktree, file)) ? readFileSync(join(worktree, file), 'utf8') : ''),
  };
}

/** The step failed with the command's own exit code: TOOL_FAILED, its stderr kept. */
export function refused(
  record: PlanRecord,
  stderr: RegExp = /Read-only file system|Permission denied|No such file|nonexistent|cannot|denied|not permitted|Invalid cross-device link|busy|superuser|No space left/i,
): void {
  expect(record, JSON.stringify(record.error)).toMatchObject({
    phase: 'execute',
    status: 'failed',
    error: { code: 'TOOL_FAILED' },
  });
  expect(String(record.error!.details!.stderrTail)).toMatch(stderr);
  // the command's own failure: it exited non-zero, troupe did not stop it
  expect(record.error!.details).toHaveProperty('exitCode');
  expect(record.error!.details!.exitCode).not.toBe(0);
}

/** Every decision of a tree, depth first. */
export function decisions(node: DecisionNode | null): DecisionNode[] {
  return node ? [node, ...node.children.flatMap(decisions)] : [];
}
