import { describe, expect, it } from 'vitest';
import type { PlanLog } from '../../src/domain/index.js';
import { formatLog, noLogs } from '../../src/cli/format/logs.js';
import { Output } from '../../src/cli/output.js';
import { commandLog } from '../store/fixtures.js';

const plain = new Output({ json: false, stream: false, color: false }, { stdout: () => {}, stderr: () => {} });
const coloured = new Output({ json: false, stream: false, color: true }, { stdout: () => {}, stderr: () => {} });
const log = (overrides: Partial<PlanLog> = {}): PlanLog => ({
  ...commandLog('01J0000000000000000000000A', 1),
  discardedBy: null,
  ...overrides,
});
const quiet = { stdout: { text: '', bytes: 0, cut: 0 }, stderr: { text: '', bytes: 0, cut: 0 } };

describe('a command log as plan logs prints it', () => {
  it('heads each log with what ran it, counting steps from 1, and how it ended', () => {
    const heads = [
      log({ exitCode: 0, durationMs: 1530 }),
      log({ kind: 'check', tool: null, invariant: 'tests', step: 2 }),
      log({ kind: 'check', tool: null, invariant: 'tests', step: null, phase: 'validate' }),
      log({ kind: 'validate', tool: null, step: null, timedOut: true, exitCode: null }),
      log({ kind: 'strategize', tool: 'acme/survey', step: null, exitCode: null, signal: 'SIGKILL' }),
      log({ kind: 'read', tool: 'acme/grep', step: null, cancelled: true, exitCode: null }),
      log({ kind: 'read', tool: null, step: null, exitCode: null, signal: null }),
    ].map((entry) => formatLog(entry, plain).split('\n')[0]);
    expect(heads).toEqual([
      '── step 1 · shell/run · exit 0 · 1.5 s',
      '── check tests after step 3 · exit 1 · 412 ms',
      '── check tests in validate · exit 1 · 412 ms',
      '── validate · timed out · 412 ms',
      '── strategize · acme/survey · killed by SIGKILL · 412 ms',
      '── read · acme/grep · cancelled · 412 ms',
      '── read · killed by a signal · 412 ms',
    ]);
  });

  it('prints the command, stdout as written, then stderr under its own line', () => {
    const text = formatLog(
      log({ stdout: { text: 'one\ntwo', bytes: 7, cut: 0 }, stderr: { text: 'warn\n', bytes: 5, cut: 0 } }),
      plain,
    );
    expect(text).toBe('── step 1 · shell/run · exit 1 · 412 ms\n$ npm test\none\ntwo\n── stderr\nwarn\n');
  });

  it('says what was cut from a long stream, that nothing was printed, and that a rollback discarded the work', () => {
    const cut = formatLog(
      log({
        stdout: { text: 'the end\n', bytes: 3 * 1024 * 1024, cut: 3 * 1024 * 1024 - 8 },
        stderr: { text: 'x', bytes: 1500, cut: 1499 },
      }),
      plain,
    );
    expect(cut).toContain('\n(the first 3.0 MiB of 3.0 MiB were cut)\nthe end\n');
    expect(cut).toContain('── stderr\n(the first 1.5 KiB of 1.5 KiB were cut)\nx\n');
    expect(formatLog(log({ ...quiet, stdout: { text: 'ab', bytes: 900, cut: 898 } }), plain)).toContain(
      '(the first 898 bytes of 900 bytes were cut)',
    );
    expect(formatLog(log(quiet), plain)).toBe('── step 1 · shell/run · exit 1 · 412 ms\n$ npm test\n(no output)\n');
    expect(formatLog(log({ ...quiet, discardedBy: '01J0000000000000000000DEC' }), plain).split('\n')[0]).toBe(
      '── step 1 · shell/run · exit 1 · 412 ms · discarded by a rollback',
    );
  });

  it('colours only the header, and shows the output’s own escape sequences instead of obeying them', () => {
    const text = formatLog(
      log({ exitCode: 0, stdout: { text: '\u001b[32mok\u001b[39m\n', bytes: 12, cut: 0 }, stderr: quiet.stderr }),
      coloured,
    );
    expect(text).toContain('\u001b[32mexit 0\u001b[39m');
    expect(text.endsWith('\\x1b[32mok\\x1b[39m\n')).toBe(true);
  });

  it('says when nothing ran yet, in a step or a phase', () => {
    expect(noLogs('demo/x', {}, plain)).toBe('demo/x ran no commands yet\n');
    expect(noLogs('demo/x', { step: 0 }, plain)).toBe('demo/x ran no commands in step 1 yet\n');
    expect(noLogs('demo/x', { phase: 'validate' }, plain)).toBe('demo/x ran no commands in validate yet\n');
  });
});
