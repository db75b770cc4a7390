import { existsSync, mkdtempSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempRepo } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';
import { runCli } from './run-cli.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempRepo({ 'README.md': '# cli\n', 'src/a.ts': 'export const a = 1;\n' }));
  writeFileSync(
    join(dir, 'review.yaml'),
    planYaml({
      name: 'demo/review',
      resourceScopes: ['src/**'],
      strategy: { steps: [step('Write', 'fs/write-file', { path: 'src/b.ts', content: 'export const b = 2;\n' })] },
    }),
  );
  writeFileSync(
    join(dir, 'failing.yaml'),
    planYaml({ name: 'demo/failing', strategy: { steps: [step('Fail', 'shell/run', { command: 'exit 7' })] } }),
  );
  writeFileSync(join(dir, 'bad.yaml'), 'name: Bad\ngoal: ""\n');
});
afterAll(() => cleanup());

describe('troupe CLI', () => {
  it.each([
    [['--version'], 0, /^\d+\.\d+\.\d+\n$/, ''],
    [[], 2, '', /^Usage: troupe \[options\] \[command\]\n[^]*\nCommands:\n/],
    [['plan', 'new', 'src'], 2, '', /^error\[VALIDATION_ERROR\]: src is a directory, not a plan file\n/],
    [['plan'], 2, '', /Usage: troupe plan/],
    [['help'], 0, /^Usage: troupe \[options\] \[command\]\n/, ''],
    [['help', 'plan'], 0, /^Usage: troupe plan \[options\] \[command\]\n/, ''],
    [['bogus'], 2, '', /^error\[VALIDATION_ERROR\]: unknown command 'bogus'\nhint: troupe --help shows the usage\n$/],
    [
      ['plan', 'status', '--bogus', 'x'],
      2,
      '',
      /^error\[VALIDATION_ERROR\]: unknown option '--bogus'\nhint: troupe plan status --help shows the usage\n$/,
    ],
    [
      ['-C', '.', 'plan', 'nope'],
      2,
      '',
      /^error\[VALIDATION_ERROR\]: unknown command 'nope'\nhint: troupe plan --help shows the usage\n$/,
    ],
    [
      ['plan', 'new', 'review.yaml', '--name', 'demo/other'],
      2,
      '',
      /error\[VALIDATION_ERROR\]: --name: cannot be combined with a plan file/,
    ],
    [['plan', 'status'], 2, '', /missing required argument 'plan'/],
    [
      ['plan', 'run', 'x', '--until', 'nope'],
      2,
      '',
      /error\[VALIDATION_ERROR\]: option '--until <phase>' argument 'nope' is invalid/,
    ],
    [
      ['plan', 'status', 'demo/nope'],
      4,
      '',
      /^error\[NOT_FOUND\]: no plan matches "demo\/nope" in \/\S+\nhint: troupe plan list --all shows the plans\n$/,
    ],
    [
      ['plan', 'new', 'bad.yaml'],
      2,
      '',
      /error\[VALIDATION_ERROR\]: bad.yaml: 2 problems\n {2}name: .*\n {2}goal: must not be empty/,
    ],
    [
      ['plan', 'new', 'missing.yaml'],
      4,
      '',
      /^error\[NOT_FOUND\]: no such file: missing.yaml \(\/.*\/missing.yaml\)\nhint: check the path \(relative to the current directory or -C\)\n$/,
    ],
    [['--json', '--stream', 'plan', 'list'], 2, /"code": "VALIDATION_ERROR"/, ''],
  ])('troupe %j exits %i', async (argv, code, stdout, stderr) => {
    const result = await runCli(dir, argv as string[]);
    expect(result.code).toBe(code);
    if (stdout instanceof RegExp) expect(result.stdout).toMatch(stdout);
    else expect(result.stdout).toBe(stdout);
    if (stderr instanceof RegExp) expect(result.stderr).toMatch(stderr);
    else expect(result.stderr).toBe(stderr);
  });

  it('prints errors as one JSON document with --json', async () => {
    const result = await runCli(dir, ['plan', 'status', 'demo/nope', '--json']);
    expect(result.code).toBe(4);
    expect(JSON.parse(result.stdout)).toEqual({
      error: {
        code: 'NOT_FOUND',
        message: `no plan matches "demo/nope" in ${realpathSync(dir)}`,
        hint: 'troupe plan list --all shows the plans',
        details: { ref: 'demo/nope', projectRoot: realpathSync(dir), suggestion: null },
      },
    });
    expect(result.stderr).toBe('');
  });

  it('refuses to run outside a git repository', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'troupe-nogit-'));
    const result = await runCli(outside, ['init']);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toMatch(
      /^error\[NOT_A_GIT_REPO\]: .* is not inside a git repository\nhint: run git init first, or pass -C <repo>\n$/,
    );
  });

  it('prints a stack only with TROUPE_DEBUG=1', async () => {
    const quiet = await runCli(dir, ['plan', 'status', 'demo/nope']);
    expect(quiet.stderr).not.toMatch(/^\s+at /m);
    const debug = await runCli(dir, ['plan', 'status', 'demo/nope'], { env: { TROUPE_DEBUG: '1' } });
    expect(debug.stderr).toMatch(/^\s+at /m);
  });

  it('initialises a project once and says so the second time', async () => {
    expect((await runCli(dir, ['init'])).stdout).toMatch(/troupe/);
    const again = await runCli(dir, ['init', '--json']);
    expect(JSON.parse(again.stdout)).toEqual({ root: dir, created: false, shared: [], added: [], generated: [] });
  });

  it('creates and drives a plan from a file, stopping where review automation stops', async () => {
    const result = await runCli(dir, ['plan', 'run', 'review.yaml']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^demo\/review {2}[0-9A-Z]{26}\n {2}phase +validate · complete/);
    expect(result.stdout).toContain('next: troupe plan apply demo/review');
    expect(result.stderr).toContain('step 1: Write');

    const again = await runCli(dir, ['plan', 'run', 'review.yaml']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('hint: it exists already: run it by name with troupe plan run demo/review');

    const status = await runCli(dir, ['plan', 'status', 'demo/review', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({
      name: 'demo/review',
      phase: 'validate',
      status: 'complete',
      toolCalls: 1,
    });

    const changes = await runCli(dir, ['plan', 'changes', 'demo/review', '--json']);
    expect(JSON.parse(changes.stdout).files).toEqual([
      { path: 'src/b.ts', action: 'added', linesAdded: 1, linesRemoved: 0 },
    ]);
    expect((await runCli(dir, ['plan', 'changes', 'demo/review'])).stdout).toContain('A src/b.ts  +1 -0');

    const explain = await runCli(dir, ['plan', 'explain', 'demo/review', '--json']);
    expect(JSON.parse(explain.stdout).root.children.map((child: { title: string }) => child.title)).toEqual(['Write']);
    expect((await runCli(dir, ['plan', 'explain', 'demo/review'])).stdout).toMatch(
      /^strategy Change the project\n[\s\S]*└─ step Write/,
    );

    const applied = await runCli(dir, ['plan', 'apply', 'demo/review', '--json']);
    expect(applied.code).toBe(0);
    expect(JSON.parse(applied.stdout)).toMatchObject({ status: 'done' });

    const guard = await runCli(dir, ['plan', 'execute', 'demo/review']);
    expect(guard.code).toBe(2);
    expect(guard.stderr).toMatch(/^error\[PHASE_GUARD\]: cannot execute demo\/review: the plan is done/);

    const list = await runCli(dir, ['plan', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toEqual([]);
    const all = await runCli(dir, ['plan', 'list', '--all', '--json']);
    expect(JSON.parse(all.stdout)).toEqual([
      expect.objectContaining({ name: 'demo/review', phase: 'apply', status: 'done', parentId: null }),
    ]);

    const events = await runCli(dir, ['events', 'demo/review']);
    const lines = events.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { seq: number; type: string });
    expect(lines.map((line) => line.seq)).toEqual(lines.map((_, index) => index + 1));
    expect(lines.at(-1)?.type).toBe('phase.completed');
    // following a plan that has ended prints its journal and returns
    expect((await runCli(dir, ['events', 'demo/review', '--follow'])).stdout).toBe(events.stdout);
  });

  it('exits 1 when the plan fails, with the structured error in the record', async () => {
    const result = await runCli(dir, ['plan', 'run', 'failing.yaml', '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      status: 'failed',
      error: { code: 'TOOL_FAILED', step: 0, details: { exitCode: 7 } },
    });
  });

  it('streams a plan it creates from its plan.created event', async () => {
    writeFileSync(join(dir, 'streamed-file.yaml'), planYaml({ name: 'demo/streamed-file', automation: 'manual' }));
    const streamed = await runCli(dir, ['plan', 'run', 'streamed-file.yaml', '--stream']);
    const events = streamed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { seq: number; type: string });
    expect(events.map((event) => `${event.seq}:${event.type}`)).toEqual([
      '1:plan.created',
      '2:phase.started',
      '3:phase.completed',
      '4:checkpoint.created',
    ]);
  });

  it('stops a running plan on Ctrl-C with exit 130, and the plan carries on next time', async () => {
    // the step says it started with a file in its sandbox (the only place it may
    // write): polling with a runtime of our own could take the store over between the CLI's turns
    const startedIn = () =>
      readdirSync(join(dir, '.troupe', 'worktrees'), { withFileTypes: true })
        .map((entry) => join(dir, '.troupe', 'worktrees', entry.name, 'slow-started'))
        .find((file) => existsSync(file));
    writeFileSync(
      join(dir, 'slow.yaml'),
      planYaml({
        name: 'demo/slow',
        strategy: {
          steps: [
            step('Sleep', 'shell/run', { command: 'touch slow-started && sleep 2 && rm slow-started' }),
            step('Mark', 'fs/write-file', { path: 'mark', content: 'x' }),
          ],
        },
      }),
    );
    const controller = new AbortController();
    const stopped = runCli(dir, ['plan', 'run', 'slow.yaml'], { signal: controller.signal });
    await expect
      .poll(() => existsSync(join(dir, '.troupe', 'worktrees')) && startedIn() !== undefined, { timeout: 20_000 })
      .toBe(true);
    controller.abort();
    const result = await stopped;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('error[CANCELLED]: stopped while demo/slow was running');
    const resumed = await runCli(dir, ['plan', 'run', 'demo/slow', '--json']);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ phase: 'validate', status: 'complete', lastCompletedStep: 1 });
  });

  it('exits 1 when asked to run a plan that was cancelled', async () => {
    await runCli(dir, ['plan', 'new', '--name', 'demo/gone', '--goal', 'g']);
    await runCli(dir, ['plan', 'cancel', 'demo/gone']);
    expect((await runCli(dir, ['plan', 'run', 'demo/gone'])).code).toBe(1);
  });

  it('streams the plan’s events as NDJSON on stdout with --stream', async () => {
    const result = await runCli(dir, [
      'plan',
      'new',
      '--name',
      'demo/streamed',
      '--goal',
      'Nothing much',
      '--automation',
      'manual',
    ]);
    expect(result.code).toBe(0);
    const streamed = await runCli(dir, ['plan', 'run', 'demo/streamed', '--stream']);
    expect(streamed.code).toBe(0);
    const events = streamed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; phase?: string });
    expect(events.map((event) => `${event.type}:${event.phase}`)).toEqual([
      'phase.started:strategize',
      'phase.completed:strategize',
      'checkpoint.created:strategize',
    ]);
    expect(streamed.stderr).toContain('strategize · complete');
  });

  it('cancels a plan and refuses to watch it as JSON', async () => {
    await runCli(dir, ['plan', 'new', '--name', 'demo/cancel-me', '--goal', 'g']);
    const cancelled = await runCli(dir, ['plan', 'cancel', 'demo/cancel-me', '--reason', 'not needed', '--json']);
    expect(JSON.parse(cancelled.stdout)).toMatchObject({ status: 'cancelled' });
    const watch = await runCli(dir, ['plan', 'status', 'demo/cancel-me', '--watch', '--json']);
    expect(watch.code).toBe(2);
    // a plan that has ended is shown once and the watch returns
    const watched = await runCli(dir, ['plan', 'status', 'demo/cancel-me', '--watch']);
    expect(watched).toMatchObject({ code: 0 });
    expect(watched.stdout).toContain('cancelled');
  });

  it('lists the plans that have not ended, one line each, and all of them with --all', async () => {
    const listed = await runCli(dir, ['plan', 'list']);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trimEnd().split('\n');
    // a header names the columns
    expect(lines[0]).toMatch(/^ID {26}NAME +PHASE {6}STATUS$/);
    expect(lines.find((line) => line.includes(' demo/streamed '))).toMatch(
      /^\w{26} {2}demo\/streamed +strategize complete$/,
    );
    // applied and cancelled plans have ended
    expect(listed.stdout).not.toContain('demo/review');
    expect(listed.stdout).not.toContain('demo/cancel-me');
    const all = await runCli(dir, ['plan', 'list', '--all']);
    expect(all.stdout).toMatch(/^\w{26} {2}demo\/cancel-me +strategize cancelled$/m);
    const fresh = await tempRepo();
    try {
      expect((await runCli(fresh.dir, ['init'])).code).toBe(0);
      expect(await runCli(fresh.dir, ['plan', 'list'])).toMatchObject({
        code: 0,
        stdout: 'no plans (troupe plan list --all shows ended ones)\n',
      });
    } finally {
      await fresh.cleanup();
    }
  });

  it('runs a plan up to a phase and names the command that goes on from there', async () => {
    writeFileSync(join(dir, 'halfway.yaml'), planYaml({ name: 'demo/halfway', strategy: { steps: [] } }));
    const result = await runCli(dir, ['plan', 'run', 'halfway.yaml', '--until', 'strategize']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ {2}phase +strategize · complete\n/);
    expect(result.stdout).toContain(
      'next: troupe plan execute demo/halfway  (troupe plan explain demo/halfway shows the decisions)\n',
    );
    const executed = await runCli(dir, ['plan', 'execute', 'demo/halfway']);
    expect(executed.code).toBe(0);
    expect(executed.stdout).toMatch(/ {2}phase +execute · complete\n/);
    expect(executed.stdout).toContain(
      'next: troupe plan validate demo/halfway  (troupe plan changes demo/halfway shows what changed)\n',
    );
  });

  it('colours output only on a terminal without NO_COLOR or --no-color', async () => {
    const coloured = await runCli(dir, ['plan', 'status', 'demo/review'], { isTty: true });
    expect(coloured.stdout).toContain('\u001b[');
    expect(
      (await runCli(dir, ['plan', 'status', 'demo/review'], { isTty: true, env: { NO_COLOR: '1' } })).stdout,
    ).not.toContain('\u001b[');
    expect((await runCli(dir, ['plan', 'status', 'demo/review', '--no-color'], { isTty: true })).stdout).not.toContain(
      '\u001b[',
    );
  });

  it('runs in another directory with -C', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'troupe-elsewhere-'));
    const result = await runCli(elsewhere, ['-C', dir, 'plan', 'status', 'demo/review', '--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({ name: 'demo/review' });
  });
});
