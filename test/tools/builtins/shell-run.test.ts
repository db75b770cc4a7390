import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ToolRunner } from '../../../src/tools/index.js';
import { fileText, tempSandbox, toolContext } from '../helpers.js';

let sandbox: { root: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  sandbox = await tempSandbox({ 'input.txt': 'hello\n' });
});
afterEach(() => sandbox.cleanup());

const run = (input: Record<string, unknown>, options: { env?: Record<string, string>; signal?: AbortSignal } = {}) =>
  new ToolRunner().run('shell/run', input, toolContext(sandbox.root, { phase: 'execute', ...options }));

describe('shell/run', () => {
  it('runs in the sandbox with the plan env and returns the output tails', async () => {
    const result = await run({ command: 'cat input.txt; echo "$GREETING" > out.txt' }, { env: { GREETING: 'hi' } });
    expect(result).toEqual({
      success: true,
      output: { exitCode: 0, stdoutTail: 'hello\n', stderrTail: '', durationMs: expect.any(Number) },
    });
    expect(await fileText(sandbox.root, 'out.txt')).toBe('hi\n');
  });

  it('fails with TOOL_FAILED on a non-zero exit and keeps the lines that say why and the tails', async () => {
    expect(await run({ command: 'echo out; echo err >&2; exit 2' })).toEqual({
      success: false,
      error: {
        code: 'TOOL_FAILED',
        message: 'shell/run exited with code 2: echo out; echo err >&2; exit 2',
        details: {
          exitCode: 2,
          signal: null,
          lines: ['err'],
          stdoutTail: 'out\n',
          stderrTail: 'err\n',
          durationMs: expect.any(Number),
        },
      },
    });
    // stderr empty: stdout's lines
    expect(await run({ command: 'echo one; echo two; exit 1' })).toMatchObject({
      error: { details: { lines: ['one', 'two'] } },
    });
  });

  it('fails with TOOL_FAILED naming the signal when the command is killed', async () => {
    expect(await run({ command: 'echo going; kill -KILL $$' })).toMatchObject({
      success: false,
      error: {
        code: 'TOOL_FAILED',
        message: 'shell/run was killed by SIGKILL: echo going; kill -KILL $$',
        details: { exitCode: null, signal: 'SIGKILL', stdoutTail: 'going\n' },
      },
    });
  });

  it('fails with TIMEOUT when the command runs too long', async () => {
    const result = await run({ command: 'echo started; sleep 30', timeoutMs: 200 });
    expect(result).toMatchObject({
      success: false,
      error: {
        code: 'TIMEOUT',
        message: 'shell/run timed out after 200 ms: echo started; sleep 30',
        details: { stdoutTail: 'started\n' },
      },
    });
  });

  it('fails with CANCELLED when the plan is cancelled', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    expect(await run({ command: 'sleep 30' }, { signal: controller.signal })).toMatchObject({
      error: { code: 'CANCELLED' },
    });
  });

  it('refuses timeouts beyond one hour and empty commands', async () => {
    expect(await run({ command: 'true', timeoutMs: 3_600_001 })).toMatchObject({
      error: {
        code: 'VALIDATION_ERROR',
        details: { issues: [{ path: 'input.timeoutMs', message: 'must be at most 3600000' }] },
      },
    });
    expect(await run({ command: '' })).toMatchObject({
      error: {
        code: 'VALIDATION_ERROR',
        details: { issues: [{ path: 'input.command', message: 'must not be empty' }] },
      },
    });
  });
});
