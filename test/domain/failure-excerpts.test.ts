import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FAILURE_TAIL_LINES, failureBlock, failureLine, failureLines } from '../../src/domain/index.js';

// what each runner printed for the same failing test (`sub(2, 3)` expected to be 5):
// node:test (TAP, Node 20's default without a terminal; spec, Node 24's), vitest (with
// its colours), cargo test and a missing module were run for real; jest, mocha, pytest
// and go test are their documented formats
const printed = (name: string) =>
  readFileSync(new URL(`./fixtures/failure-output/${name}.txt`, import.meta.url), 'utf8');
// a long run: many passing tests before the failure, a long summary after it, so the end alone cannot show it
const long = (text: string) =>
  [
    ...Array.from({ length: 60 }, (_, index) => `ok ${index + 100} - passes ${index}`),
    text,
    ...Array.from({ length: 40 }, (_, index) => `# summary line ${index}`),
  ].join('\n');

const RUNNERS: Array<{ name: string; stream: 'stdout' | 'stderr'; first: string; why: string[] }> = [
  {
    name: 'node-tap',
    stream: 'stdout',
    first: 'not ok 2 - adds',
    why: ['-1 !== 5', "location: '/home/ada/calc/a.test.mjs:5:1'", 'expected: 5', 'actual: -1', 'a.test.mjs:5:29'],
  },
  {
    name: 'node-spec',
    stream: 'stdout',
    first: '✖ adds (0.964424ms)',
    why: [
      'AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:',
      '-1 !== 5',
      'a.test.mjs:5:29',
      'actual: -1',
      'expected: 5',
    ],
  },
  {
    name: 'vitest',
    stream: 'stdout',
    first: 'FAIL  a.test.ts > adds',
    why: ['AssertionError: expected -1 to be 5', '+ -1', '❯ a.test.ts:4:40'],
  },
  {
    name: 'jest',
    stream: 'stderr',
    first: '● calc › adds',
    why: ['Expected: 5', 'Received: -1', '> 5 |', 'at Object.toBe (calc.test.js:5:41)'],
  },
  { name: 'mocha', stream: 'stdout', first: '1) calc', why: ['adds:', 'AssertionError [ERR_ASSERTION]'] },
  {
    name: 'pytest',
    stream: 'stdout',
    first: 'test_adds',
    why: ['E       assert -1 == 5', 'test_calc.py:8: AssertionError'],
  },
  {
    name: 'go',
    stream: 'stdout',
    first: '--- FAIL: TestAdds (0.00s)',
    why: ['calc_test.go:12: Sub(2, 3) = -1, want 5'],
  },
  {
    name: 'cargo',
    stream: 'stdout',
    first: '---- tests::adds stdout ----',
    why: ['panicked at src/lib.rs:10:9:', 'left: -1', 'right: 5'],
  },
  { name: 'node-error', stream: 'stderr', first: "Error: Cannot find module 'zod'", why: ['Require stack:'] },
];

describe('failure excerpts of common test runners', () => {
  for (const runner of RUNNERS) {
    it(`${runner.name}: the failing test's assertion and location, then the end, in at most ${FAILURE_TAIL_LINES} lines`, () => {
      for (const text of [printed(runner.name), long(printed(runner.name))]) {
        const output =
          runner.stream === 'stdout' ? { stdoutTail: text, stderrTail: '' } : { stdoutTail: '', stderrTail: text };
        const excerpt = failureLines(output);
        expect(excerpt.length).toBeLessThanOrEqual(FAILURE_TAIL_LINES);
        const shown = excerpt.join('\n');
        for (const why of [runner.first, ...runner.why]) expect(shown).toContain(why);
        expect(failureLine(output)).toContain(runner.first);
      }
    });
  }

  it('puts the failure first when the end does not show it, and the end after it', () => {
    const excerpt = failureLines({ stdoutTail: long(printed('node-tap')), stderrTail: '' });
    expect(excerpt[0]).toBe('not ok 2 - adds');
    expect(excerpt).toContain('…');
    expect(excerpt.at(-1)).toBe('# summary line 39');
    // TAP's bookkeeping and all but the first stack frame are left out
    expect(excerpt.join('\n')).not.toMatch(/duration_ms: |failureType|Test\.runInAsyncScope/);
  });

  it('skips a failing test listed without why for the one that says it (node’s spec reporter lists ✖ twice)', () => {
    const block = failureBlock(
      printed('node-spec')
        .split('\n')
        .filter((line) => line.trim() !== ''),
    );
    expect(block[1]).toContain('AssertionError');
  });

  it('finds no failure in output that has none', () => {
    expect(failureBlock(['building', 'ok 1 - fine', 'done'])).toEqual([]);
  });
});
