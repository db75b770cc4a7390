import { join } from 'node:path';
import { ESLint } from 'eslint';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';

// `npm run lint` and `npm run format:check` are in the test command: they must refuse what
// they are there to refuse, with this repository's own configuration
const root = join(import.meta.dirname, '..', '..');
// typescript-eslint keeps one project service per process: every planted file is named to it at once
const PLANTED = ['src/domain/planted.ts', 'src/cli/ui/planted.ts'];

async function lint(code: string, file: string): Promise<string[]> {
  // the planted file is not on disk: the type-aware rules see it as a file of the project's own settings
  const eslint = new ESLint({
    cwd: root,
    overrideConfig: {
      languageOptions: {
        parserOptions: { projectService: { allowDefaultProject: PLANTED, defaultProject: 'tsconfig.json' } },
      },
    },
  });
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return result!.messages.map((message) => message.ruleId ?? message.message);
}

describe('the style checks', () => {
  it('lint refuses a floating promise, a misused one, a type imported as a value and an unused variable', async () => {
    const code = [
      "import { PlanRecord } from './plan-record.js';",
      'export async function save(): Promise<void> {}',
      'export function run(record: PlanRecord): void {',
      '  const unused = 1;',
      '  save();',
      '  [record].forEach(async () => save());',
      '  if (save()) return;',
      '}',
      '',
    ].join('\n');
    expect(await lint(code, 'src/domain/planted.ts')).toEqual(
      expect.arrayContaining([
        '@typescript-eslint/consistent-type-imports',
        '@typescript-eslint/no-unused-vars',
        '@typescript-eslint/no-floating-promises',
        '@typescript-eslint/no-misused-promises',
      ]),
    );
  }, 120_000);

  it('lint keeps the rules of hooks in the UI', async () => {
    const code = [
      "import { useEffect, useState } from 'react';",
      'export function View({ on }: { on: boolean }): null {',
      '  const [n, setN] = useState(0);',
      '  if (on) useEffect(() => {}, []);',
      '  useEffect(() => setN(n + 1), []);',
      '  return null;',
      '}',
      '',
    ].join('\n');
    expect(await lint(code, 'src/cli/ui/planted.ts')).toEqual(
      expect.arrayContaining(['react-hooks/rules-of-hooks', 'react-hooks/exhaustive-deps']),
    );
  }, 120_000);

  it('format:check refuses a layout Prettier would change, and accepts its own', async () => {
    const filepath = join(root, 'src', 'domain', 'planted.ts');
    const options = { ...(await prettier.resolveConfig(filepath)), filepath };
    expect(options.printWidth).toBe(120);
    const laidOut = await prettier.format('const a = {b:1, c:"x"}\n', options);
    expect(laidOut).toBe("const a = { b: 1, c: 'x' };\n");
    expect(await prettier.check('const a = {b:1, c:"x"}\n', options)).toBe(false);
    expect(await prettier.check(laidOut, options)).toBe(true);
  });
});
