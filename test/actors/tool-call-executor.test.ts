import { describe, expect, it } from 'vitest';
import { toolCallExecutor, type ExecutorInput } from '../../actors/index.js';

// The default executor as an app's own executor would delegate to it.

function input(step: ExecutorInput['step']): ExecutorInput {
  return {
    plan: {} as ExecutorInput['plan'],
    spec: {} as ExecutorInput['spec'],
    index: step.index,
    title: 'Write the header',
    step,
  };
}

describe('toolCallExecutor', () => {
  it('calls the step’s tool with its input and answers the tool’s failure as the step’s', async () => {
    const calls: [string, unknown][] = [];
    const context = {
      sandboxRoot: '/sandbox',
      signal: new AbortController().signal,
      callTool: async (name: string, toolInput: unknown) => {
        calls.push([name, toolInput]);
        return calls.length === 1
          ? { success: true as const, output: {} }
          : { success: false as const, error: { code: 'TOOL_FAILED' as const, message: 'exit 1' } };
      },
    };
    expect(
      await toolCallExecutor.executeStep(
        input({ index: 0, tool: 'fs/write-file', input: { path: 'HEADER', content: 'x' } }),
        context,
      ),
    ).toEqual({ ok: true });
    expect(await toolCallExecutor.executeStep(input({ index: 1, tool: 'shell/run' }), context)).toEqual({
      ok: false,
      error: { code: 'TOOL_FAILED', message: 'exit 1' },
    });
    expect(calls).toEqual([
      ['fs/write-file', { path: 'HEADER', content: 'x' }],
      ['shell/run', {}],
    ]);
  });

  it('refuses a step without a tool, naming it', async () => {
    const context = {
      sandboxRoot: '/sandbox',
      signal: new AbortController().signal,
      callTool: async () => ({ success: true as const, output: {} }),
    };
    await expect(toolCallExecutor.executeStep(input({ index: 2, subplans: {} }), context)).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: 'step 3 "Write the header" has no tool to call',
    });
  });
});
