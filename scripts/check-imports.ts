// The import rules of DESIGN §2, checked on every `npm test`:
//   - no import cycles anywhere in src/, machines/, actors/;
//   - machines/ imports only xstate and src/domain (they stay pure);
//   - src/domain imports only zod, ulid and yaml;
//   - store, sandbox, merge, tools and models import (values) only src/domain;
//   - src/sandbox and src/tools do not import each other, not even types: the sandbox implements
//     what tools use, and what both need (PathGuard, CommandResult) lives in src/domain;
//   - actors import (values) only src/domain and machines: I/O reaches them through ports;
//   - src/cli uses the runtime, the MCP server and the domain, nothing deeper; nothing imports src/cli or src/ui;
//   - src/mcp uses the runtime and the domain;
//   - only the files of SPAWNERS start processes (child_process): plan commands go through the
//     CommandSandbox port (SPEC §15), and troupe's own git and probes through their few places.
//   - src/runtime is carved into wings (its folders): a wing is entered only through its index.ts,
//     from anywhere outside it, and no wing imports the façade — the files at src/runtime's top
//     level (createRuntime, openRuntime, LocalRuntime, the worker, doctor) — except the Runtime
//     interface, runtime.ts, for its types.
//   - no file passes MAX_LINES: one that grows past it is split by concept (STYLE), in the same change —
//     in src/, machines/, actors/, and in the tests, features, scripts and examples (LENGTH_ONLY) too.
// Type-only imports count for cycles but may cross the layer rules.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

const root = resolve(process.argv[2] ?? '.');
const roots = ['src', 'machines', 'actors'];
// where only the length rule holds: tests and their helpers, step definitions, scripts, examples
const LENGTH_ONLY = ['test', 'features', 'scripts', 'examples'];

interface Import {
  from: string;
  specifier: string;
  target: string | null;
  typeOnly: boolean;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules') return [];
    if (statSync(path).isDirectory()) return files(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function resolveRelative(from: string, specifier: string): string | null {
  const base = resolve(dirname(from), specifier);
  const candidates = [
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.js$/, '.tsx'),
    base,
    `${base}.ts`,
    join(base, 'index.ts'),
  ];
  return (
    candidates.find((candidate) => {
      try {
        return statSync(candidate).isFile();
      } catch {
        return false;
      }
    }) ?? null
  );
}

function importsOf(file: string): Import[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: Import[] = [];
  const add = (specifier: string, typeOnly: boolean) =>
    found.push({
      from: file,
      specifier,
      typeOnly,
      target: specifier.startsWith('.') ? resolveRelative(file, specifier) : null,
    });
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((element) => element.isTypeOnly)));
      add(node.moduleSpecifier.text, typeOnly);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument && ts.isStringLiteral(argument)) add(argument.text, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const area = (file: string) => {
  const parts = relative(root, file).split(sep);
  return parts[0] === 'src' ? `src/${parts[1]!.replace(/\.tsx?$/, '')}` : parts[0]!;
};

// the wing of src/runtime a file is in ('host', 'checkpoints', …), or null at its top level and outside it
const wingOf = (file: string): string | null => {
  const parts = relative(root, file).split(sep);
  return parts[0] === 'src' && parts[1] === 'runtime' && parts.length === 4 ? parts[2]! : null;
};
const onRuntimeTop = (file: string) => {
  const parts = relative(root, file).split(sep);
  return parts[0] === 'src' && parts[1] === 'runtime' && parts.length === 3;
};

/** What the wing rules find wrong with one import, if anything. */
function wingProblem(file: string, imported: Import & { target: string }): string | null {
  const from = wingOf(file);
  const to = wingOf(imported.target);
  if (to !== null && to !== from && basename(imported.target) !== 'index.ts') {
    return `the ${to} wing is entered only through src/runtime/${to}/index.ts`;
  }
  if (from !== null && onRuntimeTop(imported.target)) {
    if (basename(imported.target) !== 'runtime.ts')
      return 'a wing may not import the façade (the top of src/runtime); take what it needs as a parameter';
    if (!imported.typeOnly) return 'a wing imports the Runtime interface (runtime.ts) for its types only';
  }
  return null;
}

const allowedPackages: Record<string, (name: string) => boolean> = {
  machines: (name) => name === 'xstate' || name.startsWith('xstate/'),
  'src/domain': (name) => ['zod', 'ulid', 'yaml'].includes(name),
};
const allowedAreas: Record<string, string[]> = {
  machines: ['machines', 'src/domain'],
  'src/domain': ['src/domain'],
  'src/store': ['src/store', 'src/domain'],
  'src/sandbox': ['src/sandbox', 'src/domain'],
  'src/merge': ['src/merge', 'src/domain'],
  'src/tools': ['src/tools', 'src/domain'],
  // the model port: the AI SDK behind troupe's own words for a conversation
  'src/models': ['src/models', 'src/domain'],
  actors: ['actors', 'machines', 'src/domain'],
  'src/cli': ['src/cli', 'src/runtime', 'src/domain', 'src/mcp'],
  // the MCP server speaks to plans only through the Runtime interface, as the CLI does
  'src/mcp': ['src/mcp', 'src/runtime', 'src/domain'],
};

// pairs of areas that may not import each other even for a type: a type-only import is how a
// knot starts, and both sides of these reach what they share through src/domain
const APART: readonly (readonly [string, string])[] = [['src/sandbox', 'src/tools']];
const apart = (from: string, to: string) =>
  APART.some(([a, b]) => (from === a && to === b) || (from === b && to === a));

// who may start processes: every plan command goes through the CommandSandbox port, whose
// implementations spawn in spawn-command.ts; the others start git or probe a binary, never a plan's command
const SPAWNERS = new Set([
  'src/sandbox/spawn-command.ts', // plan commands, for BubblewrapSandbox and UnconfinedSandbox
  'src/sandbox/probe-output.ts', // a program's short answer: bwrap --version and --help, git --version; chown, find and useradd on troupe's behalf (worktree-ownership.ts, command-identity.ts)
  'src/sandbox/git-spawn.ts', // troupe's own git plumbing
  'src/sandbox/git-helper.ts', // the git helper process
  'src/cli/scratch-project.ts', // troupe demo's scratch repository
  'src/cli/ui/editor.ts', // the user's own editor, on a conflict troupe ui's e opens
  'src/sandbox/plan-network.ts', // the holder of a plan's network namespace (a bubblewrap that only waits)
  'src/sandbox/namespace-listeners.ts', // troupe's own Node in a plan network, making the allow-list proxy's sockets there
]);

// a file past this holds more than one concept
const MAX_LINES = 400;

const problems: string[] = [];
const tooLong = (file: string) => {
  const lines = readFileSync(file, 'utf8').split('\n').length - 1;
  if (lines > MAX_LINES)
    problems.push(`${relative(root, file)} has ${lines} lines, past ${MAX_LINES}: split it by concept`);
};
const present = (dir: string) => {
  try {
    return statSync(join(root, dir)).isDirectory();
  } catch {
    return false;
  }
};
for (const file of LENGTH_ONLY.filter(present).flatMap((dir) => files(join(root, dir)))) tooLong(file);
const graph = new Map<string, string[]>();
const all = roots.flatMap((dir) => files(join(root, dir)));
for (const file of all) {
  tooLong(file);
  const from = area(file);
  const edges: string[] = [];
  for (const imported of importsOf(file)) {
    const where = `${relative(root, file)} imports "${imported.specifier}"`;
    if (imported.target === null) {
      if (imported.specifier.startsWith('.')) problems.push(`${where}, which does not exist`);
      if (
        (imported.specifier === 'node:child_process' || imported.specifier === 'child_process') &&
        !SPAWNERS.has(relative(root, file).split(sep).join('/'))
      ) {
        problems.push(
          `${where}: only ${[...SPAWNERS].join(', ')} may start processes; a plan's commands go through the CommandSandbox port`,
        );
      }
      const packageRule = allowedPackages[from];
      const name = imported.specifier.startsWith('node:') ? imported.specifier : imported.specifier;
      if (packageRule && !imported.typeOnly && !packageRule(name))
        problems.push(`${where}: ${from} may not import packages other than its own list`);
      continue;
    }
    edges.push(imported.target);
    const wrongWing = wingProblem(file, { ...imported, target: imported.target });
    if (wrongWing) problems.push(`${where}: ${wrongWing}`);
    const to = area(imported.target);
    if ((to === 'src/cli' || to === 'src/ui') && from !== to && !(from === 'src/cli' && to === 'src/ui')) {
      problems.push(`${where}: nothing outside ${to} may import it`);
    }
    if (apart(from, to)) {
      problems.push(
        `${where}: ${from} and ${to} may not import each other, not even types; move what both need into src/domain`,
      );
      continue;
    }
    const allowed = allowedAreas[from];
    if (allowed && !allowed.includes(to)) {
      // machines must stay pure even in types; elsewhere a type-only import may cross layers
      if (from === 'machines' || from === 'src/domain' || !imported.typeOnly)
        problems.push(`${where}: ${from} may not import from ${to}`);
    }
  }
  graph.set(file, edges);
}

// cycles: Tarjan's strongly connected components
let index = 0;
const stack: string[] = [];
const onStack = new Set<string>();
const indices = new Map<string, number>();
const lowlinks = new Map<string, number>();
const connect = (node: string) => {
  indices.set(node, index);
  lowlinks.set(node, index);
  index += 1;
  stack.push(node);
  onStack.add(node);
  for (const next of graph.get(node) ?? []) {
    if (!indices.has(next)) {
      connect(next);
      lowlinks.set(node, Math.min(lowlinks.get(node)!, lowlinks.get(next)!));
    } else if (onStack.has(next)) {
      lowlinks.set(node, Math.min(lowlinks.get(node)!, indices.get(next)!));
    }
  }
  if (lowlinks.get(node) === indices.get(node)) {
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    const selfLoop = (graph.get(node) ?? []).includes(node);
    if (component.length > 1 || selfLoop)
      problems.push(
        `import cycle: ${component
          .map((file) => relative(root, file))
          .sort()
          .join(' → ')}`,
      );
  }
};
for (const node of graph.keys()) if (!indices.has(node)) connect(node);

if (problems.length > 0) {
  console.error(`import rules: ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
  for (const problem of problems) console.error(`  ${problem}`);
  process.exit(1);
}
console.log(`import rules: ${all.length} files, no cycles, layers respected, none past ${MAX_LINES} lines`);
