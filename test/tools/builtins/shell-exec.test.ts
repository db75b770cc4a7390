import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RESOURCE_LIMITS } from '../../../src/domain/index.js';
import { BubblewrapSandbox, type CommandSandbox } from '../../../src/sandbox/index.js';
import { EXEC_OUTPUT_BYTES, ToolRunner } from '../../../src/tools/index.js';
import { fileText, tempSandbox, toolContext } from '../helpers.js';

let sandbox: { root: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  sandbox = await tempSandbox({ 'input.txt': 'hello\n' });
});
afterEach(() => sandbox.cleanup());

const run = (
  input: Record<string, unknown>,
  options: { env?: Record<string, string>; signal?: AbortSignal; phase?: 'execute' | 'validate' } = {},
) => new ToolRunner().run('shell/exec', input, toolContext(sandbox.root, { phase: 'execute', ...options }));

describe('shell/exec', () => {
  it('answers the exit code and output of a command that succeeds', async () => {
    const result = await run({ command: 'cat input.txt; echo "$GREETING" > out.txt' }, { env: { GREETING: 'hi' } });
    expect(result).toEqual({
      success: true,
      output: {
        exitCode: 0,
        signal: null,
        timedOut: false,
        stdout: 'hello\n',
        stderr: '',
        durationMs: expect.any(Number),
      },
    });
    expect(await fileText(sandbox.root, 'out.txt')).toBe('hi\n');
  });

  it('answers a non-zero exit as a result, not a failure, with what it wrote', async () => {
    const result = await run({ command: 'echo partial > out.txt; echo out; echo err >&2; exit 2' });
    expect(result).toEqual({
      success: true,
      output: {
        exitCode: 2,
        signal: null,
        timedOut: false,
        stdout: 'out\n',
        stderr: 'err\n',
        durationMs: expect.any(Number),
      },
    });
    expect(await fileText(sandbox.root, 'out.txt')).toBe('partial\n');
  });

  it('answers a command killed by a signal or past its timeout as a result too', async () => {
    expect(await run({ command: 'echo going; kill -KILL $$' })).toMatchObject({
      success: true,
      output: { exitCode: null, signal: 'SIGKILL', timedOut: false, stdout: 'going\n' },
    });
    expect(await run({ command: 'echo started; sleep 30', timeoutMs: 200 })).toMatchObject({
      success: true,
      output: { timedOut: true, stdout: 'started\n' },
    });
  });

  it('answers which resource limit stopped a command', async () => {
    const contained = new BubblewrapSandbox({ projectRoot: sandbox.root });
    // the plan's limits, as the runtime passes them with every command
    const limited: CommandSandbox = {
      kind: 'bubblewrap',
      probe: () => contained.probe(),
      run: (request) => contained.run({ ...request, limits: { ...DEFAULT_RESOURCE_LIMITS, fileSizeMB: 1 } }),
    };
    const result = await new ToolRunner().run(
      'shell/exec',
      { command: 'head -c 2000000 /dev/zero > big' },
      toolContext(sandbox.root, { phase: 'execute', sandbox: limited }),
    );
    expect(result).toMatchObject({
      success: true,
      output: { exitCode: null, signal: 'SIGXFSZ', limit: 'file size', limitValue: 1 },
    });
  });

  it('keeps only the last 16 KiB of each stream', async () => {
    const result = await run({ command: `head -c ${EXEC_OUTPUT_BYTES * 2} /dev/zero | tr '\\0' a; printf END` });
    if (!result.success) throw new Error(result.error.message);
    const { stdout } = result.output as { stdout: string };
    expect(stdout.length).toBeLessThanOrEqual(EXEC_OUTPUT_BYTES);
    expect(stdout.endsWith('aEND')).toBe(true);
  });

  it('fails with CANCELLED when the plan is cancelled, and is refused outside execute', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    expect(await run({ command: 'sleep 30' }, { signal: controller.signal })).toMatchObject({
      success: false,
      error: { code: 'CANCELLED' },
    });
    expect(await run({ command: 'echo x > out.txt' }, { phase: 'validate' })).toMatchObject({
      success: false,
      error: { code: 'READ_ONLY_PHASE' },
    });
  });

  it('refuses an empty command and a timeout beyond one hour', async () => {
    expect(await run({ command: '' })).toMatchObject({
      success: false,
      error: { code: 'VALIDATION_ERROR', details: { issues: [{ path: 'input.command' }] } },
    });
    expect(await run({ command: 'true', timeoutMs: 3_600_001 })).toMatchObject({
      success: false,
      error: { code: 'VALIDATION_ERROR', details: { issues: [{ path: 'input.timeoutMs' }] } },
    });
  });
});
