import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// issue 7 item 3: every export of the public API has a TSDoc `@example`
const entry = fileURLToPath(new URL('../../src/index.ts', import.meta.url));

function exportsWithoutExample(): string[] {
  const program = ts.createProgram([entry], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  if (!source) throw new Error(`cannot read ${entry}`);
  const entryModule = checker.getSymbolAtLocation(source);
  if (!entryModule) throw new Error(`${entry} is not a module`);
  return checker
    .getExportsOfModule(entryModule)
    .filter((exported) => {
      const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      return !target.getJsDocTags(checker).some((tag) => tag.name === 'example');
    })
    .map((exported) => exported.name)
    .sort();
}

describe('the public API docs', () => {
  it('give every export of src/index.ts an @example', { timeout: 60_000 }, () => {
    expect(exportsWithoutExample()).toEqual([]);
  });
});
