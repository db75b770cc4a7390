import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { GIT_ENV, git, tempRepo } from '../helpers/temp.js';
import { codeSpans, section, sections, tables } from './markdown.js';

// docs/reference/embedding.md against the code: every ```ts block type-checks against
// the public API, its tables list exactly the options of createRuntime and
// the members of Runtime, and the program of its first section runs.

const root = fileURLToPath(new URL('../../', import.meta.url));
const doc = readFileSync(new URL('../../docs/reference/embedding.md', import.meta.url), 'utf8');
const all = sections(doc);

interface Block {
  /** 1-based line of the first code line in the page. */
  line: number;
  code: string;
}

function tsBlocks(text: string, firstLine = 1): Block[] {
  const blocks: Block[] = [];
  let open: Block | null = null;
  text.split('\n').forEach((line, index) => {
    if (open === null && /^```ts\s*$/.test(line)) open = { line: firstLine + index + 1, code: '' };
    else if (open !== null && /^```\s*$/.test(line)) {
      blocks.push(open);
      open = null;
    } else if (open !== null) open.code += `${line}\n`;
  });
  return blocks;
}

// under node_modules: ignored by git, and outside what `tsc -p tsconfig.json` includes.
// .mts: there is no package.json of type module between here and node_modules
mkdirSync(join(root, 'node_modules', '.cache'), { recursive: true });
const work = mkdtempSync(join(root, 'node_modules', '.cache', 'troupe-embedding-doc-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const entry = join(root, 'src', 'index.ts');
const asPackage = (code: string): string =>
  code.replaceAll("from 'troupe'", `from '${relative(work, entry).replace(/\.ts$/, '.js')}'`);

// what the page says its blocks may assume: the runtime of its first program, and the tool of "Custom tools"
const PRELUDE = `import type { AnyToolSpec, Runtime } from 'troupe';
declare global {
  const runtime: Runtime;
  const shout: AnyToolSpec;
}
export {};
`;

let program: ts.Program | undefined;
const blockFiles = new Map<string, Block>();

function compiled(): ts.Program {
  if (program) return program;
  const blocks = tsBlocks(doc);
  blocks.forEach((block, index) => {
    const file = join(work, `block-${String(index + 1).padStart(2, '0')}.mts`);
    // a block without imports is still a module: top-level await
    writeFileSync(file, `${asPackage(block.code)}export {};\n`);
    blockFiles.set(file, block);
  });
  const prelude = join(work, 'prelude.d.mts');
  writeFileSync(prelude, asPackage(PRELUDE));
  const base = ts.parseJsonConfigFileContent(
    ts.readConfigFile(join(root, 'tsconfig.base.json'), ts.sys.readFile).config,
    ts.sys,
    root,
  );
  // examples declare what they show, used or not
  const options = { ...base.options, noEmit: true, noUnusedLocals: false, noUnusedParameters: false };
  program = ts.createProgram([...blockFiles.keys(), prelude], options);
  return program;
}

function typeErrors(): string[] {
  const checked = compiled();
  // only the blocks' own diagnostics: checking all of src/ is typecheck's job, and slow
  const errors = [
    ...checked.getOptionsDiagnostics(),
    ...checked.getGlobalDiagnostics(),
    ...[...blockFiles.keys()].flatMap((file) => {
      const source = checked.getSourceFile(file)!;
      return [...checked.getSyntacticDiagnostics(source), ...checked.getSemanticDiagnostics(source)];
    }),
  ];
  return errors.map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const block = diagnostic.file ? blockFiles.get(diagnostic.file.fileName) : undefined;
    if (!diagnostic.file || !block || diagnostic.start === undefined) return message;
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    return `docs/reference/embedding.md:${block.line + line}: ${message}`;
  });
}

/** The property names of an interface src/index.ts exports. */
function membersOf(name: string): string[] {
  const checker = compiled().getTypeChecker();
  const source = compiled().getSourceFile(entry)!;
  const exported = checker
    .getExportsOfModule(checker.getSymbolAtLocation(source)!)
    .find((symbol) => symbol.name === name);
  if (!exported) throw new Error(`src/index.ts does not export ${name}`);
  const target = checker.getAliasedSymbol(exported);
  return checker
    .getPropertiesOfType(checker.getDeclaredTypeOfSymbol(target))
    .map((property) => property.name)
    .sort();
}

/** The names in the first column of the tables under `title` whose first header cell is `header` (`run(ref, options?)` → `run`). */
function documented(title: string, header: string): string[] {
  return tables(section(all, title).text)
    .filter((table) => table.header[0] === header)
    .flatMap((table) => table.rows.map((row) => codeSpans(row[0]!)[0]!.replace(/\(.*$/, '')))
    .sort();
}

describe('docs/reference/embedding.md', () => {
  it('has ts examples that type-check against the public API', { timeout: 60_000 }, () => {
    expect(tsBlocks(doc).length).toBeGreaterThan(10);
    expect(typeErrors()).toEqual([]);
  });

  it('lists every option of createRuntime, and no other', { timeout: 60_000 }, () => {
    expect(documented('`createRuntime(options)`', 'option')).toEqual(membersOf('RuntimeOptions'));
  });

  it('lists every member of the Runtime interface, and no other', { timeout: 60_000 }, () => {
    expect(documented('The Runtime interface', 'method')).toEqual(membersOf('Runtime'));
  });

  it('runs the program of "Install and import" to done on a scratch repository', { timeout: 60_000 }, async () => {
    const [first] = tsBlocks(section(all, 'Install and import').text);
    // the page's program uses the default store; the test writes no LevelDB
    const program = first!.code.replace('createRuntime({ dir })', "createRuntime({ dir, store: 'memory' })");
    expect(program).not.toBe(first!.code);
    const file = join(work, 'program.mts');
    writeFileSync(file, asPackage(program));
    const repo = await tempRepo({ 'README.md': '# app\n' });
    try {
      const run = spawnSync(process.execPath, ['--import', 'tsx', file, repo.dir], {
        cwd: root,
        env: GIT_ENV,
        encoding: 'utf8',
        timeout: 50_000,
      });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const lines = run.stdout.trim().split('\n');
      expect(lines[0]).toBe('2 phase.started strategize');
      expect(lines).toContain('3 phase.completed strategize');
      const applied = git(repo.dir, 'rev-parse', 'HEAD');
      expect(lines.at(-1)).toBe(`app/changelog: apply done, applied as ${applied}`);
      expect(readFileSync(join(repo.dir, 'CHANGELOG.md'), 'utf8')).toBe('# Changelog\n');
      expect(git(repo.dir, 'log', '-1', '--format=%an|%s')).toBe('troupe|Start a changelog');
      expect(git(repo.dir, 'status', '--porcelain')).toBe('');
      expect(existsSync(join(repo.dir, '.troupe', 'db'))).toBe(false);
    } finally {
      await repo.cleanup();
    }
  });
});
