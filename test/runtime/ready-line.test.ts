import { describe, expect, it } from 'vitest';
import { readyMatcher } from '../../src/runtime/agent/ready-line.js';
import { checkServiceStart } from '../../src/runtime/agent/service-checks.js';

// A service's readyLine is matched with RE2: no pattern from a plan or an agent can stall troupe's event loop.

describe('a readyLine', () => {
  it('is a substring, or /regex/flags with i, m and s as JavaScript reads them', () => {
    expect(readyMatcher('ready')('server ready at 8080')).toBe(true);
    expect(readyMatcher('/listening on \\d+/')('listening on 8765')).toBe(true);
    expect(readyMatcher('/listening on \\d+/')('listening on port')).toBe(false);
    expect(readyMatcher('/READY/i')('ready')).toBe(true);
    expect(readyMatcher('/^b$/m')('a\nb')).toBe(true);
    expect(readyMatcher('/a.b/s')('a\nb')).toBe(true);
    expect(readyMatcher('/a.b/')('a\nb')).toBe(false);
    expect(readyMatcher('/ready/g')('ready')).toBe(true);
  });

  it('answers a catastrophic pattern on a hostile line as RE2 does, without backtracking', () => {
    // a backtracking engine takes seconds here, doubling with each a (the line is 26 a's and a !)
    const matches = readyMatcher('/^(a+)+$/');
    expect(matches(`${'a'.repeat(26)}!`)).toBe(false);
    expect(matches('a'.repeat(26))).toBe(true);
    expect(readyMatcher('/(x+x+)+y/')('x'.repeat(5000))).toBe(false);
  });

  it('refuses what RE2 cannot match in linear time, naming readyLine with why and what it takes', () => {
    for (const [readyLine, why] of [
      ['/(a)\\1/', 'invalid escape sequence: `\\1`'],
      ['/ready(?=!)/', 'invalid or unsupported Perl syntax: `(?=`'],
      ['/(/', 'missing closing )'],
      ['/ready/y', 'the flag y is not supported (i, m and s are)'],
    ]) {
      expect(() => readyMatcher(readyLine!)).toThrow(
        expect.objectContaining({ code: 'VALIDATION_ERROR', message: expect.stringContaining(`readyLine: `) }),
      );
      expect(() => checkServiceStart({ name: 'web', command: 'serve', readyLine: readyLine! })).toThrow(
        expect.objectContaining({
          code: 'VALIDATION_ERROR',
          message: expect.stringContaining(why!),
          hint: expect.stringContaining('RE2 syntax'),
          details: { issues: [{ path: 'readyLine', message: expect.any(String) }] },
        }),
      );
    }
  });
});
