import { describe, expect, it } from 'vitest';
import { failureLine, failureLines } from '../../src/domain/index.js';

const lines = (count: number, prefix = 'line') =>
  Array.from({ length: count }, (_, index) => `${prefix} ${index + 1}`).join('\n');

describe('failureLines', () => {
  it('keeps the last 20 lines of stderr, without blank ones', () => {
    expect(failureLines({ stdoutTail: 'ignored\n', stderrTail: `${lines(30)}\n\n\n` })).toEqual(
      lines(30).split('\n').slice(10),
    );
  });

  it('takes stdout when stderr is empty or blank', () => {
    expect(failureLines({ stdoutTail: 'a\nb\n', stderrTail: ' \n' })).toEqual(['a', 'b']);
    expect(failureLines({ stdoutTail: '', stderrTail: '' })).toEqual([]);
  });

  it('puts earlier lines that name a failure first, from either stream, when the tail does not show them', () => {
    const stdout = ['TAP version 13', 'ok 1 - sums', 'not ok 2 - adds', '  ---', lines(25, 'detail'), '# fail 1'].join(
      '\n',
    );
    const stderr = 'npm warn Unknown user config "nodedir"\n';
    expect(failureLines({ stdoutTail: stdout, stderrTail: stderr })).toEqual([
      'not ok 2 - adds',
      '…',
      'npm warn Unknown user config "nodedir"',
    ]);
    const shown = failureLines({ stdoutTail: 'ok 1\nnot ok 2 - adds\n# fail 1\n', stderrTail: '' });
    expect(shown).toEqual(['ok 1', 'not ok 2 - adds', '# fail 1']);
  });

  it('shows the first failure that says why, not a list of failing test names', () => {
    const stdout = [
      '  ✖ subtracts',
      '  ✔ sums',
      'not ok 6 - six',
      '  ---',
      '  expected: 6',
      '  actual: 5',
      '  ...',
      '× rounds',
      lines(20),
    ].join('\n');
    expect(failureLines({ stdoutTail: stdout, stderrTail: '' }).slice(0, 4)).toEqual([
      'not ok 6 - six',
      '  expected: 6',
      '  actual: 5',
      '…',
    ]);
  });

  it('strips the colours a runner prints without a terminal', () => {
    expect(failureLines({ stdoutTail: '\x1b[31m×\x1b[39m adds\n\x1b[1mdone\x1b[22m\n', stderrTail: '' })).toEqual([
      '× adds',
      'done',
    ]);
  });

  it('prefers the whole captured output to the tails, reads a progress line as redrawn, and cuts long lines', () => {
    const output = { stdout: { text: 'not ok 1 - early\n' + lines(30) }, stderr: { text: '' } };
    expect(failureLines({ stdoutTail: 'line 30', stderrTail: '', output })[0]).toBe('not ok 1 - early');
    expect(failureLines({ stdoutTail: '', stderrTail: '10%\r50%\r100%\r\ndone\r\n' })).toEqual(['100%', 'done']);
    const [long] = failureLines({ stdoutTail: '', stderrTail: 'x'.repeat(1000) });
    expect(long).toBe(`${'x'.repeat(400)}…`);
  });
});

describe('failureLine', () => {
  it('says which test failed rather than the runner’s last summary line', () => {
    expect(
      failureLine({ stdoutTail: 'ok 1\nnot ok 2 - adds numbers\n# duration_ms 390.369653\n', stderrTail: '' }),
    ).toBe('not ok 2 - adds numbers');
  });

  it('falls back to the last line of stderr, then of stdout, cut at 200 characters', () => {
    expect(failureLine({ stdoutTail: 'out\n', stderrTail: 'first\n  last  \n' })).toBe('last');
    expect(failureLine({ stdoutTail: 'out\n', stderrTail: '' })).toBe('out');
    expect(failureLine({ stdoutTail: '', stderrTail: '' })).toBe('');
    expect(failureLine({ stdoutTail: 'y'.repeat(300), stderrTail: '' })).toBe(`${'y'.repeat(200)}…`);
  });
});
