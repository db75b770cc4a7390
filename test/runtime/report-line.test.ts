import { describe, expect, it } from 'vitest';
import { TroupeError } from '../../src/domain/index.js';
import { reportLine } from '../../src/runtime/index.js';
import { assertNoStackTrace } from '../helpers/no-stack.js';

// "could not persist plan …" and the other problems nobody waits for reach
// the user as one line with the code and the hint; the stack only on request

describe('reportLine', () => {
  const lost = new TroupeError(
    'STORE_UNAVAILABLE',
    'cannot open the PostgreSQL store at postgres://db/x: connect ECONNREFUSED',
    { hint: 'start the database, then troupe plan resume <plan>' },
  );

  it('says the code, the message and the hint, without a stack', () => {
    const text = reportLine('could not persist plan 01J', lost, {});
    expect(text).toBe(
      'troupe: could not persist plan 01J: error[STORE_UNAVAILABLE]: cannot open the PostgreSQL store at postgres://db/x: connect ECONNREFUSED\nhint: start the database, then troupe plan resume <plan>\n',
    );
    expect(() => assertNoStackTrace({ stdout: '', stderr: text })).not.toThrow();
  });

  it('says INTERNAL_ERROR for an error that is not troupe’s, still in one line', () => {
    const text = reportLine('an event listener threw', new Error('boom'), {});
    expect(text.split('\n')[0]).toBe('troupe: an event listener threw: error[INTERNAL_ERROR]: boom');
    expect(text).not.toMatch(/^\s+at /m);
  });

  it('adds the stack with TROUPE_DEBUG=1', () => {
    const text = reportLine('could not persist plan 01J', new Error('boom'), { TROUPE_DEBUG: '1' });
    expect(text).toMatch(/^\s+at /m);
  });

  it('the suite’s check finds a stack of troupe’s own and lets a command’s own stack through', () => {
    const own = new Error('boom').stack!;
    expect(() => assertNoStackTrace({ stdout: '', stderr: own })).toThrow(/a stack trace reached the user/);
    expect(() => assertNoStackTrace({ stdout: '', stderr: own }, { TROUPE_DEBUG: '1' })).not.toThrow();
    const commandOutput =
      'not ok 1 - adds\n  Error: expected 5\n      at TestContext.<anonymous> (/tmp/project/test/add.test.js:4:10)\n';
    expect(() => assertNoStackTrace({ stdout: commandOutput, stderr: '' })).not.toThrow();
  });
});
