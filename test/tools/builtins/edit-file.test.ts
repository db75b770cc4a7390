import { chmod, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_EDITS, ToolRunner, applyTextEdits } from '../../../src/tools/index.js';
import { fileText, tempSandbox, toolContext } from '../helpers.js';

let sandbox: { root: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  sandbox = await tempSandbox({
    'src/a.ts': 'const a = 1;\nconst b = 1;\nexport { a, b };\n',
    'bin/blob': Buffer.from([0xff, 0x00]),
  });
});
afterEach(() => sandbox.cleanup());

const edit = (input: Record<string, unknown>, options: { scopes?: string[]; phase?: 'strategize' | 'execute' } = {}) =>
  new ToolRunner().run(
    'fs/edit-file',
    input,
    toolContext(sandbox.root, {
      phase: options.phase ?? 'execute',
      ...(options.scopes ? { scopes: options.scopes } : {}),
    }),
  );

describe('fs/edit-file', () => {
  it('applies exact-text edits in order, each to what the ones before left', async () => {
    const result = await edit({
      path: 'src/a.ts',
      edits: [
        { oldText: 'const a = 1;', newText: 'const a = 2;' },
        { oldText: 'a = 2', newText: 'a = 3' },
      ],
    });
    expect(result).toEqual({ success: true, output: { path: 'src/a.ts', edits: 2, replacements: 2, bytes: 43 } });
    expect(await fileText(sandbox.root, 'src/a.ts')).toBe('const a = 3;\nconst b = 1;\nexport { a, b };\n');
  });

  it('replaces every occurrence with replaceAll, and takes $ in newText literally', async () => {
    expect(
      await edit({ path: 'src/a.ts', edits: [{ oldText: '= 1', newText: '= $&$1', replaceAll: true }] }),
    ).toMatchObject({ output: { replacements: 2 } });
    expect(await fileText(sandbox.root, 'src/a.ts')).toBe('const a = $&$1;\nconst b = $&$1;\nexport { a, b };\n');
  });

  it('changes nothing when any edit is missing, naming the edit and the file', async () => {
    const result = await edit({
      path: 'src/a.ts',
      edits: [
        { oldText: 'const a', newText: 'let a' },
        { oldText: 'nowhere', newText: 'x' },
      ],
    });
    expect(result).toMatchObject({
      success: false,
      error: {
        code: 'VALIDATION_ERROR',
        message: 'edits[1].oldText: not found in src/a.ts (after the edits before it)',
        hint: expect.stringContaining('read_file'),
      },
    });
    expect(await fileText(sandbox.root, 'src/a.ts')).toBe('const a = 1;\nconst b = 1;\nexport { a, b };\n');
  });

  it('refuses an oldText found more than once without replaceAll', async () => {
    expect(await edit({ path: 'src/a.ts', edits: [{ oldText: '= 1;', newText: '= 2;' }] })).toMatchObject({
      success: false,
      error: {
        code: 'VALIDATION_ERROR',
        message: 'edits[0].oldText: found 2 times in src/a.ts; it must be unique',
        hint: expect.stringContaining('replaceAll'),
      },
    });
    expect(await fileText(sandbox.root, 'src/a.ts')).toContain('const a = 1;');
  });

  it('refuses bad input by field: no edits, an empty oldText, too many edits, an unknown key', async () => {
    expect(await edit({ path: 'src/a.ts', edits: [] })).toMatchObject({
      error: { code: 'VALIDATION_ERROR', message: expect.stringContaining('edits') },
    });
    expect(await edit({ path: 'src/a.ts', edits: [{ oldText: '', newText: 'x' }] })).toMatchObject({
      error: {
        code: 'VALIDATION_ERROR',
        message: expect.stringContaining('input.edits[0].oldText: must not be empty'),
      },
    });
    const many = Array.from({ length: MAX_EDITS + 1 }, () => ({ oldText: 'a', newText: 'a' }));
    expect(await edit({ path: 'src/a.ts', edits: many })).toMatchObject({ error: { code: 'VALIDATION_ERROR' } });
    expect(await edit({ path: 'src/a.ts', edits: [{ oldText: 'a', newText: 'b', regex: true }] })).toMatchObject({
      error: { code: 'VALIDATION_ERROR' },
    });
  });

  it('refuses a missing file, a binary file, a path out of scope, an escape, and strategize', async () => {
    expect(await edit({ path: 'src/none.ts', edits: [{ oldText: 'a', newText: 'b' }] })).toMatchObject({
      error: { code: 'TOOL_FAILED', message: 'cannot edit "src/none.ts": no such file' },
    });
    expect(await edit({ path: 'bin/blob', edits: [{ oldText: 'a', newText: 'b' }] })).toMatchObject({
      error: { code: 'TOOL_FAILED', message: 'cannot edit "bin/blob": it is not UTF-8 text' },
    });
    expect(
      await edit({ path: 'src/a.ts', edits: [{ oldText: 'const a', newText: 'let a' }] }, { scopes: ['docs/**'] }),
    ).toMatchObject({ error: { code: 'SCOPE_VIOLATION' } });
    expect(await edit({ path: '../outside.ts', edits: [{ oldText: 'a', newText: 'b' }] })).toMatchObject({
      error: { code: 'SANDBOX_ESCAPE' },
    });
    expect(
      await edit({ path: 'src/a.ts', edits: [{ oldText: 'const a', newText: 'let a' }] }, { phase: 'strategize' }),
    ).toMatchObject({ success: false });
    expect(await fileText(sandbox.root, 'src/a.ts')).toBe('const a = 1;\nconst b = 1;\nexport { a, b };\n');
  });

  it('keeps the file mode', async () => {
    await writeFile(join(sandbox.root, 'run.sh'), 'echo one\n');
    await chmod(join(sandbox.root, 'run.sh'), 0o755);
    expect(await edit({ path: 'run.sh', edits: [{ oldText: 'one', newText: 'two' }] })).toMatchObject({
      success: true,
    });
    expect((await stat(join(sandbox.root, 'run.sh'))).mode & 0o777).toBe(0o755);
    expect(await fileText(sandbox.root, 'run.sh')).toBe('echo two\n');
  });
});

describe('applyTextEdits', () => {
  it('equals a plain split-and-join replacement of a unique piece, for any text', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string({ minLength: 1 }),
        fc.string(),
        fc.string(),
        (before, piece, after, replacement) => {
          const marker = `\u0000${piece}\u0000`;
          const text = `${before.replaceAll('\u0000', '')}${marker}${after.replaceAll('\u0000', '')}`;
          const { text: edited, replacements } = applyTextEdits(text, [{ oldText: marker, newText: replacement }], 'f');
          expect(replacements).toBe(1);
          expect(edited).toBe(`${before.replaceAll('\u0000', '')}${replacement}${after.replaceAll('\u0000', '')}`);
        },
      ),
    );
  });
});
