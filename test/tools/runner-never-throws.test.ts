import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isErrorCode, type Phase } from '../../src/domain/index.js';
import { ToolRunner, type ToolResult } from '../../src/tools/index.js';
import { tempSandbox, toolContext } from './helpers.js';

let sandbox: { root: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  sandbox = await tempSandbox({ 'README.md': '# demo\n', 'src/a.ts': 'export {};\n' });
});
afterAll(() => sandbox.cleanup());

const ALL_TOOLS = ['fs/read-file', 'fs/list-files', 'fs/write-file', 'fs/delete-file', 'shell/run'];
const READ_TOOLS = ['fs/read-file', 'fs/list-files'];

// arbitrary JSON, and objects shaped like tool inputs so handlers are reached too
const anyInput = fc.oneof(
  fc.jsonValue(),
  fc.record(
    {
      path: fc.oneof(
        fc.string(),
        fc.constantFrom('.', 'src', 'README.md', '../x', '.git', 'a\u0000b', '/etc'),
        fc.jsonValue(),
      ),
      glob: fc.oneof(fc.string(), fc.jsonValue()),
      content: fc.oneof(fc.string(), fc.jsonValue()),
      command: fc.oneof(fc.string(), fc.jsonValue()),
      timeoutMs: fc.oneof(fc.integer(), fc.double(), fc.jsonValue()),
    },
    { requiredKeys: [] },
  ),
);

function expectWellFormed(result: ToolResult): void {
  expect(typeof result.success).toBe('boolean');
  if (!result.success) {
    expect(isErrorCode(result.error.code)).toBe(true);
    expect(typeof result.error.message).toBe('string');
    expect(() => JSON.stringify(result.error)).not.toThrow();
  }
}

async function sandboxListing(runner: ToolRunner): Promise<unknown> {
  return runner.run('fs/list-files', {}, toolContext(sandbox.root, { phase: 'strategize' }));
}

describe('ToolRunner.run never throws', () => {
  it('answers any input to any built-in in strategize, and changes nothing', async () => {
    const runner = new ToolRunner();
    const before = await sandboxListing(runner);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ALL_TOOLS), anyInput, async (tool, input) => {
        const result = await runner.run(tool, input, toolContext(sandbox.root, { phase: 'strategize' }));
        expectWellFormed(result);
        if (!READ_TOOLS.includes(tool)) expect(result).toMatchObject({ error: { code: 'READ_ONLY_PHASE' } });
      }),
      { numRuns: 300 },
    );
    expect(await sandboxListing(runner)).toEqual(before);
  });

  it('answers any input to the read tools in execute', async () => {
    const runner = new ToolRunner();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...READ_TOOLS), anyInput, async (tool, input) => {
        expectWellFormed(await runner.run(tool, input, toolContext(sandbox.root, { phase: 'execute' })));
      }),
      { numRuns: 300 },
    );
  });

  it('answers any tool name and phase', async () => {
    const runner = new ToolRunner();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.constantFrom(...ALL_TOOLS)),
        fc.constantFrom<Phase>('strategize', 'validate', 'apply'),
        fc.jsonValue(),
        async (name, phase, input) => {
          expectWellFormed(await runner.run(name, input, toolContext(sandbox.root, { phase })));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('checks any step statically without throwing', () => {
    const runner = new ToolRunner();
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.constantFrom(...ALL_TOOLS)),
        anyInput,
        fc.array(fc.string({ minLength: 1 })),
        (name, input, scopes) => {
          const problems = runner.check(name, input, { scopes, pathPrefix: 'strategy.steps[0]' });
          for (const problem of problems) {
            expect(['VALIDATION_ERROR', 'SANDBOX_ESCAPE', 'SCOPE_VIOLATION']).toContain(problem.code);
            expect(problem.path.startsWith('strategy.steps[0].')).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
