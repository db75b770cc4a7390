import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TroupeError, type Phase } from '../../src/domain/index.js';
import { ToolRunner, createToolRegistry, defineTool } from '../../src/tools/index.js';
import { fileText, tempSandbox, toolContext } from './helpers.js';

const thrower = (value: () => unknown) =>
  defineTool({
    name: 'test/throw',
    description: 'Throws whatever it is given',
    input: z.strictObject({}),
    sideEffects: [],
    handler: async () => {
      throw value();
    },
  });

let sandbox: { root: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  sandbox = await tempSandbox({ 'README.md': '# demo\n' });
});
afterEach(() => sandbox.cleanup());

describe('ToolRunner.run', () => {
  it('answers with the output of the tool', async () => {
    const result = await new ToolRunner().run('fs/read-file', { path: 'README.md' }, toolContext(sandbox.root));
    expect(result).toEqual({
      success: true,
      output: { path: 'README.md', content: '# demo\n', bytes: 7, encoding: 'utf8', totalLines: 1 },
    });
  });

  it('refuses an unknown tool and lists the known ones', async () => {
    const result = await new ToolRunner().run('fs/nope', {}, toolContext(sandbox.root));
    expect(result).toMatchObject({
      success: false,
      error: {
        code: 'VALIDATION_ERROR',
        message:
          'unknown tool "fs/nope" (known: builtin/plan-subplan, fs/apply-patch, fs/delete-file, fs/edit-file, fs/list-files, fs/read-file, fs/search, fs/write-file, service/capture, shell/exec, shell/run, system/create-checkpoint)',
      },
    });
  });

  it('refuses bad input and names the field', async () => {
    const result = await new ToolRunner().run('fs/read-file', {}, toolContext(sandbox.root));
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.error.code).toBe('VALIDATION_ERROR');
    expect(result.error.message).toContain('input.path: is required');
    expect(result.error.details).toEqual({ issues: [{ path: 'input.path', message: 'is required' }] });
  });

  it('refuses unknown input fields', async () => {
    const result = await new ToolRunner().run(
      'fs/read-file',
      { path: 'README.md', encoding: 'latin1' },
      toolContext(sandbox.root),
    );
    expect(result).toMatchObject({
      success: false,
      error: {
        code: 'VALIDATION_ERROR',
        details: { issues: [{ path: 'input.encoding', message: 'is not a known field' }] },
      },
    });
  });

  it('refuses input that is not a mapping', async () => {
    const result = await new ToolRunner().run('fs/read-file', 'README.md', toolContext(sandbox.root));
    expect(result).toMatchObject({
      success: false,
      error: { code: 'VALIDATION_ERROR', message: expect.stringContaining('input: must be a mapping') },
    });
  });

  it.each<Phase>(['strategize', 'validate', 'apply'])(
    'refuses fs/write-file in %s without running it',
    async (phase) => {
      const result = await new ToolRunner().run(
        'fs/write-file',
        { path: 'new.txt', content: 'x' },
        toolContext(sandbox.root, { phase }),
      );
      expect(result).toEqual({
        success: false,
        error: {
          code: 'READ_ONLY_PHASE',
          message: `fs/write-file writes files; ${phase} is read-only`,
          hint: expect.any(String),
        },
      });
      expect(await fileText(sandbox.root, 'new.txt')).toBeNull();
    },
  );

  it.each<Phase>(['strategize', 'validate', 'apply'])(
    'refuses fs/delete-file and shell/run in %s without running them',
    async (phase) => {
      const runner = new ToolRunner();
      const context = toolContext(sandbox.root, { phase });
      expect(await runner.run('fs/delete-file', { path: 'README.md' }, context)).toMatchObject({
        error: { code: 'READ_ONLY_PHASE' },
      });
      const shell = await runner.run('shell/run', { command: 'echo hacked > hacked.txt' }, context);
      expect(shell).toMatchObject({
        error: { code: 'READ_ONLY_PHASE', message: `shell/run runs commands and writes files; ${phase} is read-only` },
      });
      expect(await fileText(sandbox.root, 'README.md')).toBe('# demo\n');
      expect(await fileText(sandbox.root, 'hacked.txt')).toBeNull();
    },
  );

  it('allows read tools in strategize', async () => {
    const result = await new ToolRunner().run('fs/list-files', {}, toolContext(sandbox.root, { phase: 'strategize' }));
    expect(result).toEqual({ success: true, output: { files: ['README.md'], truncated: false } });
  });

  it('refuses a write tool in a read-only phase before looking at its input', async () => {
    const result = await new ToolRunner().run(
      'fs/write-file',
      { nonsense: true },
      toolContext(sandbox.root, { phase: 'strategize' }),
    );
    expect(result).toMatchObject({ error: { code: 'READ_ONLY_PHASE' } });
  });

  it('does not start a tool when the plan is already cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await new ToolRunner().run(
      'fs/write-file',
      { path: 'a.txt', content: 'x' },
      toolContext(sandbox.root, { signal: controller.signal }),
    );
    expect(result).toMatchObject({ error: { code: 'CANCELLED' } });
    expect(await fileText(sandbox.root, 'a.txt')).toBeNull();
  });

  it("keeps a TroupeError's code, hint and details", async () => {
    const runner = new ToolRunner(
      createToolRegistry([
        thrower(
          () => new TroupeError('INVARIANT_VIOLATED', 'tests fail', { hint: 'fix them', details: { failed: 3 } }),
        ),
      ]),
    );
    expect(await runner.run('test/throw', {}, toolContext(sandbox.root))).toEqual({
      success: false,
      error: { code: 'INVARIANT_VIOLATED', message: 'tests fail', hint: 'fix them', details: { failed: 3 } },
    });
  });

  it.each([
    ['an Error', () => new Error('disk on fire'), 'test/throw failed: disk on fire'],
    ['a string', () => 'just a string', 'test/throw failed: just a string'],
    ['a number', () => 42, 'test/throw failed: 42'],
    ['null', () => null, 'test/throw failed: null'],
    ['an object without a prototype', () => Object.create(null), 'test/throw failed: a value that cannot be shown'],
    [
      'an error whose message getter throws',
      () =>
        Object.defineProperty(new Error(), 'message', {
          get() {
            throw new Error('gotcha');
          },
        }),
      'test/throw failed: a value that cannot be shown',
    ],
    [
      'a proxy whose prototype cannot be read',
      () =>
        new Proxy(
          {},
          {
            getPrototypeOf() {
              throw new Error('gotcha');
            },
          },
        ),
      'the tool failed with a value that cannot be shown',
    ],
  ])('turns %s thrown by a handler into TOOL_FAILED', async (_, value, message) => {
    const result = await new ToolRunner(createToolRegistry([thrower(value)])).run(
      'test/throw',
      {},
      toolContext(sandbox.root),
    );
    expect(result).toEqual({ success: false, error: { code: 'TOOL_FAILED', message } });
  });

  it('answers hostile input without throwing', async () => {
    const runner = new ToolRunner();
    const context = toolContext(sandbox.root);
    const throwingGetter = Object.defineProperty({}, 'path', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    const hostileProxy = new Proxy(
      {},
      {
        get() {
          throw new Error('proxy');
        },
        ownKeys() {
          throw new Error('proxy');
        },
        getPrototypeOf() {
          throw new Error('proxy');
        },
      },
    );
    let deep: unknown = 'bottom';
    for (let i = 0; i < 10_000; i++) deep = { path: deep };
    const manyKeys = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]));
    for (const input of [throwingGetter, hostileProxy, deep, manyKeys, { path: 'x'.repeat(100_000) }]) {
      const result = await runner.run('fs/read-file', input, context);
      expect(result.success).toBe(false);
      if (!result.success) expect(result.error.code).toBe('VALIDATION_ERROR');
    }
    const many = await runner.run('fs/read-file', manyKeys, context);
    if (!many.success) expect(many.error.message.split('\n').length).toBeLessThan(30);
  });

  it('answers a name that is not a string', async () => {
    const result = await new ToolRunner().run(42 as unknown as string, {}, toolContext(sandbox.root));
    expect(result).toMatchObject({
      success: false,
      error: { code: 'VALIDATION_ERROR', message: expect.stringContaining('got number') },
    });
  });
});

describe('ToolRunner call counting', () => {
  it('counts every call, refused ones included, and calls per registered tool', async () => {
    const runner = new ToolRunner();
    const context = toolContext(sandbox.root, { phase: 'strategize' });
    await runner.run('fs/read-file', { path: 'README.md' }, context);
    await runner.run('fs/read-file', { path: 'missing.md' }, context);
    await runner.run('fs/write-file', { path: 'a', content: '' }, context);
    await runner.run('fs/list-files', { bogus: 1 }, context);
    await runner.run('made/up', {}, context);
    expect(runner.calls).toBe(5);
    expect(runner.callsByTool()).toEqual({ 'fs/list-files': 1, 'fs/read-file': 2, 'fs/write-file': 1 });
    expect(Object.keys(runner.callsByTool())).toEqual(['fs/list-files', 'fs/read-file', 'fs/write-file']);
  });
});

describe('ToolRunner.check', () => {
  const runner = new ToolRunner();
  const prefix = { pathPrefix: 'strategy.steps[0]' };

  it('finds nothing wrong with a good step', () => {
    expect(runner.check('fs/write-file', { path: 'src/a.ts', content: '' }, { ...prefix, scopes: ['src/**'] })).toEqual(
      [],
    );
    expect(runner.check('shell/run', { command: 'npm test' }, prefix)).toEqual([]);
  });

  it('reports an unknown tool at the step', () => {
    expect(runner.check('fs/nope', {}, prefix)).toEqual([
      {
        code: 'VALIDATION_ERROR',
        path: 'strategy.steps[0].tool',
        message: expect.stringContaining('unknown tool "fs/nope"'),
      },
    ]);
  });

  it('reports input problems under the step', () => {
    expect(runner.check('fs/write-file', { path: 'a.txt', extra: 1 }, prefix)).toEqual([
      { code: 'VALIDATION_ERROR', path: 'strategy.steps[0].input.content', message: 'is required' },
      { code: 'VALIDATION_ERROR', path: 'strategy.steps[0].input.extra', message: 'is not a known field' },
    ]);
  });

  it.each(['../x', '/etc/passwd', 'a\u0000b', '.git/config', 'src/../../x'])(
    'reports the unsafe path %j as SANDBOX_ESCAPE',
    (path) => {
      const problems = runner.check('fs/read-file', { path }, prefix);
      expect(problems).toEqual([
        { code: 'SANDBOX_ESCAPE', path: 'strategy.steps[0].input.path', message: expect.any(String) },
      ]);
    },
  );

  it('reports a write outside the scopes as SCOPE_VIOLATION', () => {
    expect(runner.check('fs/delete-file', { path: 'docs/a.md' }, { scopes: ['src/**', 'test/**'] })).toEqual([
      {
        code: 'SCOPE_VIOLATION',
        path: 'input.path',
        message: "is outside the plan's resourceScopes (src/**, test/**)",
      },
    ]);
  });

  it('lets a read tool look outside the scopes and a write tool write anywhere without scopes', () => {
    expect(runner.check('fs/read-file', { path: 'docs/a.md' }, { scopes: ['src/**'] })).toEqual([]);
    expect(runner.check('fs/write-file', { path: 'docs/a.md', content: '' })).toEqual([]);
    expect(runner.check('fs/write-file', { path: './src//a.ts', content: '' }, { scopes: ['src/**'] })).toEqual([]);
  });

  it('treats an empty scope list as "may not write", like the sandbox does', () => {
    expect(runner.check('fs/write-file', { path: 'docs/a.md', content: '' }, { scopes: [] })).toEqual([
      {
        code: 'SCOPE_VIOLATION',
        path: 'input.path',
        message: "is a write, and the plan's resourceScopes is empty (it may not write)",
      },
    ]);
  });

  it('reports an input whose path cannot be read as a problem of the input, without throwing', () => {
    const input = Object.defineProperty({}, 'path', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    expect(runner.check('fs/read-file', input, prefix)).toEqual([
      { code: 'VALIDATION_ERROR', path: 'strategy.steps[0].input', message: 'could not be checked: boom' },
    ]);
  });

  it('does not count as a call', () => {
    const counted = new ToolRunner();
    counted.check('fs/read-file', { path: 'a' });
    expect(counted.calls).toBe(0);
  });
});
