import { describe, expect, it } from 'vitest';
import { createToolRegistry, ToolRunner } from '../../../src/tools/index.js';
import type { ToolContext } from '../../../src/tools/index.js';

// system/create-checkpoint (SPEC §7): a labelled checkpoint from a step,
// refused outside execute; the runtime's part is in test/runtime/checkpoints.int.test.ts.

function context(overrides: Partial<ToolContext> = {}): ToolContext {
  return {
    planId: 'P',
    phase: 'execute',
    cwd: '/nowhere',
    paths: {
      root: '/nowhere',
      resolve: async () => '/nowhere',
      inScope: () => true,
      readFile: async () => Buffer.alloc(0),
      writeFile: async () => ({ created: false }),
      deleteFile: async () => {},
      openDirectory: async () => ({
        entries: async () => [],
        openDirectory: async () => Promise.reject(new Error('no directories here')),
        close: async () => {},
      }),
    },
    env: {},
    signal: new AbortController().signal,
    runCommand: async () => {
      throw new Error('system/create-checkpoint runs no command');
    },
    ...overrides,
  };
}

describe('system/create-checkpoint', () => {
  const runner = new ToolRunner(createToolRegistry());

  it('asks the plan for a checkpoint with the label and answers its id', async () => {
    const asked: string[] = [];
    const checkpoints = { create: async (label: string) => (asked.push(label), { id: '01JCHECKPOINT', label }) };
    const result = await runner.run(
      'system/create-checkpoint',
      { label: '  before-migration ' },
      context({ checkpoints }),
    );
    expect(result).toEqual({ success: true, output: { checkpointId: '01JCHECKPOINT', label: 'before-migration' } });
    expect(asked).toEqual(['before-migration']);
  });

  it('refuses a missing, empty or too long label, naming the field, and takes nothing', async () => {
    let taken = 0;
    const checkpoints = { create: async (label: string) => (taken++, { id: 'X', label }) };
    for (const input of [{}, { label: '' }, { label: 'x'.repeat(121) }, { label: 3 }]) {
      const result = await runner.run('system/create-checkpoint', input, context({ checkpoints }));
      expect(result).toMatchObject({
        success: false,
        error: { code: 'VALIDATION_ERROR', details: { issues: [{ path: 'input.label' }] } },
      });
    }
    expect(taken).toBe(0);
  });

  it('is refused where no plan takes checkpoints (outside execute)', async () => {
    const result = await runner.run('system/create-checkpoint', { label: 'x' }, context({ phase: 'strategize' }));
    expect(result).toMatchObject({ success: false, error: { code: 'READ_ONLY_PHASE' } });
  });
});
