import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventHistory, spansDays } from '../../src/cli/format/event-history.js';
import { Output } from '../../src/cli/output.js';
import type { JournalEvent } from '../../src/domain/index.js';
import { openRuntime } from '../../src/runtime/index.js';
import { tempRepo } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';
import { runCli } from './run-cli.js';

// Issue 74: `troupe events` reads as a history on a terminal, with filters by type, step and time.

const TERMINAL = { isTty: true, env: { NO_COLOR: '1' } };
const TIME = /^\d\d:\d\d:\d\d\.\d{3} {2}/;

let dir: string;
let cleanup: () => Promise<void>;
let stored: JournalEvent[];
beforeAll(async () => {
  ({ dir, cleanup } = await tempRepo({ 'README.md': '# history\n' }));
  const steps = [
    step('Write a', 'fs/write-file', { path: 'a.txt', content: 'a\n' }),
    step('Say hi', 'shell/run', { command: 'echo hi' }),
  ];
  const session = await openRuntime({ dir, resume: false, report: () => {} });
  const plan = await session.runtime.createPlan(
    planYaml({ name: 'demo/hist', goal: 'Keep a history', automation: 'review', strategy: { steps } }),
  );
  expect(await session.runtime.run(plan.id)).toMatchObject({ phase: 'validate', status: 'complete' });
  stored = await session.runtime.events(plan.id);
  await session.close();
});
afterAll(() => cleanup());

const lines = (stdout: string) => stdout.split('\n').filter((line) => line !== '');
// the type column: after the time, the plan and the step (blank for an event of no step)
const typeOf = (line: string) => /^\S+ {2}\S+ {2}.{7} {2}(\S+)/.exec(line)?.[1];

describe('troupe events on a terminal', () => {
  it('prints a line per event: time, plan, step, type and what it says', async () => {
    const result = await runCli(dir, ['events', 'demo/hist'], TERMINAL);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const printed = lines(result.stdout);
    expect(printed).toHaveLength(stored.length);
    for (const line of printed) expect(line).toMatch(TIME);
    expect(printed[0]).toMatch(/ {2}demo\/hist {11}plan\.created {10}Keep a history$/);
    expect(printed).toContainEqual(expect.stringMatching(/ {2}demo\/hist {2}step 1 {3}step\.started {10}Write a$/));
    expect(printed).toContainEqual(expect.stringMatching(/ {2}step 2 {3}step\.started {10}Say hi$/));
    // the progress line plan run prints, without the step it names already
    expect(printed).toContainEqual(expect.stringMatching(/ {2}phase\.started {9}▸ execute$/));
    expect(printed).toContainEqual(expect.stringMatching(/ {2}phase\.completed {7}✓ validate complete/));
  });

  it('keeps the types --type names, a family by its prefix', async () => {
    const started = lines(
      (await runCli(dir, ['events', 'demo/hist', '--type', 'step.started,phase.completed'], TERMINAL)).stdout,
    );
    expect(started.map(typeOf)).toEqual(
      stored
        .filter((event) => event.type === 'step.started' || event.type === 'phase.completed')
        .map((event) => event.type),
    );
    const family = lines((await runCli(dir, ['events', 'demo/hist', '--type', 'step.'], TERMINAL)).stdout);
    expect(family).toHaveLength(stored.filter((event) => event.type.startsWith('step.')).length);
    expect(family.every((line) => / step\.(started|completed) /.test(line))).toBe(true);
  });

  it('keeps the events of the step --step names, counted from 1, and combines the filters', async () => {
    const second = lines((await runCli(dir, ['events', 'demo/hist', '--step', '2'], TERMINAL)).stdout);
    expect(second.length).toBeGreaterThanOrEqual(3);
    expect(second.every((line) => line.includes('  step 2  '))).toBe(true);
    expect(second.join('\n')).toContain('tool.called');
    const both = lines((await runCli(dir, ['events', 'demo/hist', '--step', '1', '--type', 'step.'], TERMINAL)).stdout);
    expect(both.map(typeOf)).toEqual(['step.started', 'step.completed']);
  });

  it('keeps the events since an ISO time or a duration back from now', async () => {
    expect(lines((await runCli(dir, ['events', 'demo/hist', '--since', '2h'], TERMINAL)).stdout)).toHaveLength(
      stored.length,
    );
    expect((await runCli(dir, ['events', 'demo/hist', '--since', '2999-01-01T00:00:00Z'], TERMINAL)).stdout).toBe('');
    const from = stored.find((event) => event.type === 'phase.started' && event.phase === 'validate')!;
    const later = lines((await runCli(dir, ['events', 'demo/hist', '--since', from.ts], TERMINAL)).stdout);
    expect(later).toHaveLength(stored.filter((event) => event.ts >= from.ts).length);
  });

  it('refuses a bad value with VALIDATION_ERROR naming its flag, before reading anything', async () => {
    const cases: [string[], string][] = [
      [['--type', 'step.strated'], '--type: "step.strated" is no event type'],
      [['--type', 'nope.'], '--type: "nope." is no event type'],
      [['--step', '0'], '--step: must be a step number from 1'],
      [['--step', 'two'], '--step: must be a step number from 1'],
      [['--since', 'yesterday'], '--since: must be a whole number and a unit'],
      [['--since', '2026-13-45T99:00'], '--since: "2026-13-45T99:00" is not a time'],
    ];
    for (const [flags, message] of cases) {
      const result = await runCli(dir, ['events', 'demo/no-such-plan', ...flags], TERMINAL);
      expect(result.code, flags.join(' ')).toBe(2);
      expect(result.stderr, flags.join(' ')).toContain(`error[VALIDATION_ERROR]: ${message}`);
    }
    // with --json the error is the JSON on stdout, as every command's
    const both = await runCli(dir, ['events', 'demo/no-such-plan', '--human', '--json'], TERMINAL);
    expect(both.code).toBe(2);
    expect(JSON.parse(both.stdout)).toMatchObject({
      error: {
        code: 'VALIDATION_ERROR',
        message: '--human: cannot be combined with --json, which prints NDJSON for programs',
      },
    });
    expect((await runCli(dir, ['events', 'demo/hist', '--type', 'step.strated'], TERMINAL)).stderr).toContain(
      'did you mean step.started?',
    );
  });
});

describe('troupe events for programs', () => {
  it('prints NDJSON exactly as stored with --json and in a pipe, filtered the same way', async () => {
    const expected = stored.map((event) => JSON.stringify(event)).join('\n') + '\n';
    expect((await runCli(dir, ['events', 'demo/hist', '--json'], TERMINAL)).stdout).toBe(expected);
    expect((await runCli(dir, ['events', 'demo/hist'])).stdout).toBe(expected);
    const completed = lines((await runCli(dir, ['events', 'demo/hist', '--type', 'step.completed'])).stdout).map(
      (line) => JSON.parse(line) as JournalEvent,
    );
    expect(completed).toEqual(stored.filter((event) => event.type === 'step.completed'));
  });

  it('prints the history in a pipe with --human', async () => {
    const printed = lines((await runCli(dir, ['events', 'demo/hist', '--human', '--type', 'plan.created'])).stdout);
    expect(printed).toEqual([expect.stringMatching(/ {2}demo\/hist {11}plan\.created {10}Keep a history$/)]);
  });

  it('follows a plan with the filters until it ends', async () => {
    const host = await openRuntime({ dir, resume: false, report: () => {} });
    try {
      const plan = await host.runtime.createPlan(
        planYaml({
          name: 'demo/follow',
          automation: 'auto',
          strategy: { steps: [step('Write f', 'fs/write-file', { path: 'f.txt', content: 'f\n' })] },
        }),
      );
      const following = runCli(dir, [
        'events',
        'demo/follow',
        '--follow',
        '--human',
        '--type',
        'step.,phase.completed',
      ]);
      expect(await host.runtime.run(plan.id)).toMatchObject({ status: 'done' });
      const printed = lines((await following).stdout);
      expect(printed.map(typeOf)).toEqual([
        'phase.completed',
        'step.started',
        'step.completed',
        'phase.completed',
        'phase.completed',
        'phase.completed',
      ]);
      expect(printed.at(-1)).toMatch(/✓ apply complete \(commit \w{7}/);
    } finally {
      await host.close();
    }
  });
});

describe('a line of the history', () => {
  const out = (color: boolean) => {
    let written = '';
    return {
      out: new Output({ json: false, stream: false, color }, { stdout: (text) => (written += text), stderr: () => {} }),
      written: () => written,
    };
  };
  const event = (fields: Partial<JournalEvent>): JournalEvent => ({
    seq: 1,
    ts: '2026-05-02T10:00:01.112Z',
    planId: 'P1',
    type: 'plan.created',
    data: {},
    ...fields,
  });

  it('shows what a plan or its commands wrote, escaped: an escape sequence is printed, not obeyed', () => {
    const { out: printer, written } = out(true);
    const history = new EventHistory(printer, { withDate: false });
    printer.line(
      history.line(
        event({ type: 'step.failed', data: { index: 0, message: 'boom \u001b]0;pwned\u0007\nsecond line' } }),
        'demo/x',
      ),
    );
    expect(written()).toContain('boom \\x1b]0;pwned\\x07 · second line');
    expect(written()).not.toContain('\u0007');
  });

  it('carries the date when the events span days', () => {
    expect(spansDays('2026-05-02T10:00:00.000Z', '2026-05-02T10:05:00.000Z')).toBe(false);
    expect(spansDays('2026-05-01T10:00:00.000Z', '2026-05-03T10:00:00.000Z')).toBe(true);
    const { out: printer } = out(false);
    const at = new Date('2026-05-02T10:00:01.112Z');
    const day = `${at.getFullYear()}-${String(at.getMonth() + 1).padStart(2, '0')}-${String(at.getDate()).padStart(2, '0')}`;
    expect(new EventHistory(printer, { withDate: true }).line(event({ data: { goal: 'Go' } }), 'demo/x')).toMatch(
      new RegExp(`^${day} \\d\\d:\\d\\d:01\\.112  demo/x {11}plan\\.created {10}Go$`),
    );
  });
});
