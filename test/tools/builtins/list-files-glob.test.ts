import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ToolRunner } from '../../../src/tools/index.js';
import { tempSandbox, toolContext } from '../helpers.js';

// fs/list-files takes its glob from an agent: a glob that would need a
// backtracking regex is a bad input, refused before the walk.

let sandbox: { root: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  sandbox = await tempSandbox({
    aaaaaaaaaaaaaaaaaaaaaaaaaaaa: '',
    'src/a.ts': '',
    'src/b.tsx': '',
    'src/.env': '',
    'docs/part07.md': '',
  });
});
afterEach(() => sandbox.cleanup());

const list = (input: Record<string, unknown>) =>
  new ToolRunner().run('fs/list-files', input, toolContext(sandbox.root, { phase: 'strategize' }));

describe('fs/list-files globs', () => {
  it('refuses "(a+)+b" with VALIDATION_ERROR naming input.glob, at once', async () => {
    const started = performance.now();
    expect(await list({ glob: '(a+)+b' })).toEqual({
      success: false,
      error: expect.objectContaining({
        code: 'VALIDATION_ERROR',
        message:
          'input.glob: parentheses (regular-expression groups) are not supported: write alternatives with braces, e.g. {a,b}, or \\( and \\) for the characters',
      }),
    });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it.each([
    ['+(a|aa)b', 'the extglob "+(…)" is not supported'],
    ['!src/**', 'a leading "!" (negation) is not supported'],
    ['src/{a,b', 'a "{" is never closed'],
  ])('refuses %s, naming input.glob', async (glob, message) => {
    expect(await list({ glob })).toMatchObject({
      success: false,
      error: { code: 'VALIDATION_ERROR', message: expect.stringContaining(`input.glob: ${message}`) },
    });
  });

  it('still filters with the globs it can match', async () => {
    expect(await list({ glob: 'src/*.{ts,tsx}' })).toMatchObject({
      success: true,
      output: { files: ['src/a.ts', 'src/b.tsx'] },
    });
    expect(await list({ glob: 'src/*' })).toMatchObject({ output: { files: ['src/.env', 'src/a.ts', 'src/b.tsx'] } });
    expect(await list({ glob: '**/part{01..10}.md' })).toMatchObject({ output: { files: ['docs/part07.md'] } });
    expect(await list({ glob: './docs/**' })).toMatchObject({ output: { files: ['docs/part07.md'] } });
  });
});
