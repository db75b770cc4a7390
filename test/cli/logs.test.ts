import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PlanLog, PlanRecord } from '../../src/domain/index.js';
import { createRuntime, openRuntime } from '../../src/runtime/index.js';
import { tempRepo } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';
import { runCli } from './run-cli.js';

// a node:test run with one failing test: its TAP summary fills the last lines
const FAILING_TESTS = `import test from 'node:test';
import assert from 'node:assert';
test('sums', () => assert.equal(1 + 1, 2));
test('adds numbers', () => assert.equal(1 + 1, 3));
`;
const NO_COLOR = { env: { NO_COLOR: '1' } };

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempRepo({ 'README.md': '# cli\n', 'math.test.mjs': FAILING_TESTS }));
  const steps = [
    step('Greet', 'shell/run', { command: 'echo hello; echo careful >&2' }),
    step('Test', 'shell/run', { command: 'node --test --test-reporter=tap math.test.mjs' }),
  ];
  writeFileSync(join(dir, 'tests.yaml'), planYaml({ name: 'demo/tests', automation: 'review', strategy: { steps } }));
  expect((await runCli(dir, ['plan', 'run', 'tests.yaml'])).code).toBe(1);
});
afterAll(() => cleanup());

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of cleanups.splice(0).reverse()) await close();
});

describe('troupe plan status of a failed command', () => {
  it('shows the lines that say which test failed, and where the whole output is', async () => {
    const result = await runCli(dir, ['plan', 'status', 'demo/tests'], NO_COLOR);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'error       TOOL_FAILED: shell/run exited with code 1: node --test --test-reporter=tap math.test.mjs (step 2)\n              │ not ok 2 - adds numbers\n              │   location: ',
    );
    // the assertion and where it failed come before the end of the output
    expect(result.stdout).toMatch(/│ {3}expected: 3\n\s+│ {3}actual: 2\n[^]*math\.test\.mjs:4:\d+\)\n\s+│ …\n/);
    expect(result.stdout).toMatch(/│ # fail 1\n/);
    expect(result.stdout).toContain('              logs: troupe plan logs demo/tests --step 2\n');

    const record = JSON.parse((await runCli(dir, ['plan', 'status', 'demo/tests', '--json'])).stdout) as PlanRecord;
    const details = record.error!.details as { lines: string[]; stdoutTail: string };
    expect(details.lines[0]).toBe('not ok 2 - adds numbers');
    expect(details.lines).toContain('# pass 1');
    expect(details.stdoutTail).toContain('# fail 1');
  });
});

describe('troupe plan logs', () => {
  it('prints every command’s stdout and stderr, with what ran it and how it ended', async () => {
    const result = await runCli(dir, ['plan', 'logs', 'demo/tests'], NO_COLOR);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(
      /^── step 1 · shell\/run · exit 0 · \d+ ms\n\$ echo hello; echo careful >&2\nhello\n── stderr\ncareful\n── step 2 · shell\/run · exit 1 · [\d.]+ m?s\n\$ node --test --test-reporter=tap math.test.mjs\nTAP version 13\n/,
    );
    expect(result.stdout).toContain('not ok 2 - adds numbers\n');
    expect(result.stdout).toMatch(/# fail 1\n# cancelled 0\n/);
  });

  it('prints one step, counted as plan status counts them, or one phase', async () => {
    const first = await runCli(dir, ['plan', 'logs', 'demo/tests', '--step', '1'], NO_COLOR);
    expect(first.stdout).toMatch(
      /^── step 1 · shell\/run · exit 0 · \d+ ms\n\$ echo hello; echo careful >&2\nhello\n── stderr\ncareful\n$/,
    );
    const validate = await runCli(dir, ['plan', 'logs', 'demo/tests', '--phase', 'validate'], NO_COLOR);
    expect(validate).toMatchObject({ code: 0, stdout: 'demo/tests ran no commands in validate yet\n' });
  });

  it('prints one JSON document with --json', async () => {
    const result = await runCli(dir, ['plan', 'logs', 'demo/tests', '--step', '2', '--json']);
    const document = JSON.parse(result.stdout) as { planId: string; name: string; logs: PlanLog[] };
    expect(document.name).toBe('demo/tests');
    expect(document.logs).toHaveLength(1);
    expect(document.logs[0]).toMatchObject({
      seq: 2,
      phase: 'execute',
      kind: 'step',
      step: 1,
      tool: 'shell/run',
      command: 'node --test --test-reporter=tap math.test.mjs',
      exitCode: 1,
      discardedBy: null,
    });
    expect(document.logs[0]!.stdout.text).toContain('not ok 2 - adds numbers');
  });

  it('prints one log per NDJSON line with --stream', async () => {
    const result = await runCli(dir, ['plan', 'logs', 'demo/tests', '--stream']);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as PlanLog);
    expect(lines.map((log) => [log.seq, log.step])).toEqual([
      [1, 0],
      [2, 1],
    ]);
  });

  it('keeps a failed validate command’s output, and its status points at it', async () => {
    const repo = await tempRepo({ 'README.md': '# validate\n', 'math.test.mjs': FAILING_TESTS });
    cleanups.push(repo.cleanup);
    writeFileSync(
      join(repo.dir, 'checked.yaml'),
      planYaml({
        name: 'demo/checked',
        automation: 'review',
        strategy: { steps: [step('Note', 'fs/write-file', { path: 'n.txt', content: 'n\n' })] },
        validate: [{ run: 'echo building' }, { run: 'node --test --test-reporter=tap math.test.mjs' }],
      }),
    );
    expect((await runCli(repo.dir, ['plan', 'run', 'checked.yaml'])).code).toBe(1);

    const status = await runCli(repo.dir, ['plan', 'status', 'demo/checked'], NO_COLOR);
    expect(status.stdout).toContain(
      'TOOL_FAILED: validate command failed with exit code 1: node --test --test-reporter=tap math.test.mjs\n              │ not ok 2 - adds numbers\n',
    );
    // the failing test's assertion under it, and a hint a person can type, not a JSON field
    expect(status.stdout).toMatch(/│ {3}expected: 3\n\s+│ {3}actual: 2\n/);
    expect(status.stdout).toContain(
      'hint: all of its output: troupe plan logs demo/checked --phase validate; if it was flaky, run troupe plan validate again',
    );
    expect(status.stdout).not.toContain('details.lines');
    expect(status.stdout).toContain('logs: troupe plan logs demo/checked --phase validate\n');
    const logs = await runCli(repo.dir, ['plan', 'logs', 'demo/checked', '--phase', 'validate'], NO_COLOR);
    expect(logs.stdout).toMatch(/^── validate · exit 0 · \d+ ms\n\$ echo building\nbuilding\n── validate · exit 1 /);
  });

  it('refuses a step the plan does not have with NOT_FOUND (exit 4), and bad flags naming the flag (exit 2)', async () => {
    const missing = await runCli(dir, ['plan', 'logs', 'demo/tests', '--step', '3']);
    expect(missing).toMatchObject({ code: 4, stdout: '' });
    expect(missing.stderr).toBe(
      'error[NOT_FOUND]: --step 3: demo/tests has no step 3; it has 2 steps\nhint: troupe plan status demo/tests shows its steps; troupe plan logs demo/tests shows every command it ran\n',
    );
    const json = JSON.parse((await runCli(dir, ['plan', 'logs', 'demo/tests', '--step', '9', '--json'])).stdout) as {
      error: { code: string; details: unknown };
    };
    expect(json.error).toMatchObject({ code: 'NOT_FOUND', details: { step: 8, steps: 2 } });
    for (const [argv, said] of [
      [['--step', '0'], '--step: must be a step number from 1'],
      [['--step', 'two'], '--step: must be a step number from 1'],
      [['--step', '1', '--phase', 'execute'], '--step: cannot be combined with --phase'],
      [['--phase', 'apply'], "option '--phase <phase>' argument 'apply' is invalid"],
    ] as const) {
      const result = await runCli(dir, ['plan', 'logs', 'demo/tests', ...argv]);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr).toContain(said);
    }
    expect((await runCli(dir, ['plan', 'logs', 'demo/nope'])).code).toBe(4);
  });

  it('prints an agent’s read by its number with --read, and refuses a read the plan does not have (issue 35)', async () => {
    const repo = await tempRepo({ 'README.md': '# reads\n' });
    cleanups.push(repo.cleanup);
    const runtime = await createRuntime({ dir: repo.dir, report: () => {} });
    const plan = await runtime.run(
      (await runtime.createPlan(planYaml({ name: 'demo/agent', resourceScopes: ['**'] }))).id,
    );
    expect(await runtime.callTool(plan.id, { tool: 'shell/exec', input: { command: 'echo looked' } })).toMatchObject({
      ok: true,
      read: 1,
      step: null,
    });
    await runtime.close();
    const read = await runCli(repo.dir, ['plan', 'logs', 'demo/agent', '--read', '1'], NO_COLOR);
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout).toMatch(/^── read 1 · shell\/exec · exit 0 · \d+ ms\n\$ echo looked\nlooked\n/);
    const missing = await runCli(repo.dir, ['plan', 'logs', 'demo/agent', '--read', '2']);
    expect(missing).toMatchObject({ code: 4, stdout: '' });
    expect(missing.stderr).toContain('error[NOT_FOUND]: demo/agent has no read 2: it has 1 read');
    const both = await runCli(repo.dir, ['plan', 'logs', 'demo/agent', '--read', '1', '--step', '1']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--read: cannot be combined with --step or --phase');
  });

  it('follows a plan another process runs, printing each log once as it is written, until the plan comes to rest', async () => {
    const repo = await tempRepo({ 'README.md': '# follow\n' });
    cleanups.push(repo.cleanup);
    const host = await openRuntime({ dir: repo.dir, resume: false, report: () => {} });
    cleanups.push(() => host.close());
    // a log past the host's line limit per answer would break a single reply: each comes on its own
    const steps = [
      step('One', 'shell/run', { command: 'sleep 0.3; echo one' }),
      step('Big', 'shell/run', { command: 'head -c 1500000 /dev/zero | tr "\\\\0" b; echo' }),
      step('Three', 'shell/run', { command: 'sleep 0.3; echo three' }),
    ];
    const plan = await host.runtime.createPlan(
      planYaml({
        name: 'demo/follow',
        automation: 'review',
        strategy: { steps },
        validate: [{ run: 'echo validated' }],
      }),
    );
    const started = new Promise<void>((resolve) =>
      host.runtime.subscribe(plan.id, (event) => event.type === 'step.started' && resolve()),
    );
    const running = host.runtime.run(plan.id, { until: 'validate' });
    await started;
    const following = runCli(repo.dir, ['plan', 'logs', 'demo/follow', '--follow', '--json']);
    expect(await running).toMatchObject({ phase: 'validate', status: 'complete' });

    const result = await following;
    expect(result.code, result.stderr).toBe(0);
    const logs = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as PlanLog);
    expect(logs.map((log) => [log.seq, log.command])).toEqual([
      [1, 'sleep 0.3; echo one'],
      [2, 'head -c 1500000 /dev/zero | tr "\\\\0" b; echo'],
      [3, 'sleep 0.3; echo three'],
      [4, 'echo validated'],
    ]);
    expect(logs[1]!.stdout).toMatchObject({ bytes: 1_500_001, cut: 1_500_001 - 1024 * 1024 });

    // at rest: the logs so far, and it ends at once
    const again = await runCli(repo.dir, ['plan', 'logs', 'demo/follow', '--follow'], NO_COLOR);
    expect(again.code).toBe(0);
    expect(again.stdout.match(/^── /gm)).toHaveLength(4);
  });
});

describe('a command’s output that carries terminal escapes', () => {
  it('shows them escaped in plan logs and plan status, on a terminal and piped, and keeps the bytes in --json', async () => {
    const repo = await tempRepo({ 'README.md': '# evil\n' });
    cleanups.push(repo.cleanup);
    // a clipboard write (OSC 52), a title change (OSC 0) and a screen clear (CSI 2J), then a failure so status shows the lines
    const command = "printf 'ok\\033]52;c;cm0gLXJmIH4=\\007\\033]0;pwned\\007 \\033[2J\\n'; exit 1";
    writeFileSync(
      join(repo.dir, 'evil.yaml'),
      planYaml({
        name: 'demo/evil',
        automation: 'review',
        strategy: { steps: [step('Evil', 'shell/run', { command })] },
      }),
    );
    expect((await runCli(repo.dir, ['plan', 'run', 'evil.yaml'])).code).toBe(1);
    const shown = 'ok\\x1b]52;c;cm0gLXJmIH4=\\x07\\x1b]0;pwned\\x07 \\x1b[2J\n';

    for (const isTty of [true, false]) {
      const logs = await runCli(repo.dir, ['plan', 'logs', 'demo/evil'], { isTty, env: { NO_COLOR: '1' } });
      expect(logs.stdout).toContain(`\n${shown}`);
      expect(logs.stdout).not.toContain('\u001b');
      const status = await runCli(repo.dir, ['plan', 'status', 'demo/evil'], { isTty, env: { NO_COLOR: '1' } });
      expect(status.stdout).toContain(`│ ${shown}`);
      expect(status.stdout).not.toContain('\u001b');
    }
    // colour on: troupe's own colours, and no other escape
    const coloured = await runCli(repo.dir, ['plan', 'logs', 'demo/evil'], { isTty: true });
    expect(coloured.stdout.replace(/\u001b\[(?:1|2|22|31|32|33|36|39)m/g, '')).not.toContain('\u001b');

    const json = JSON.parse((await runCli(repo.dir, ['plan', 'logs', 'demo/evil', '--json'])).stdout) as {
      logs: PlanLog[];
    };
    expect(json.logs[0]!.stdout.text).toBe('ok\u001b]52;c;cm0gLXJmIH4=\u0007\u001b]0;pwned\u0007 \u001b[2J\n');
  });
});
