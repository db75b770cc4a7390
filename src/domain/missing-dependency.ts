import type { PrintedOutput } from './failure-lines.js';

/**
 * A dependency a failed command could not find, recognized in its output:
 * the ecosystem, the package's name, the folders of the project it is
 * installed in (which a worktree lacks unless `sandbox.share` lists them)
 * and the command that installs it.
 *
 * @example
 * const found: MissingDependency = { ecosystem: 'node', name: 'zod', folders: ['node_modules'], install: 'npm install' };
 */
export interface MissingDependency {
  ecosystem: 'node' | 'python' | 'ruby' | 'php' | 'go';
  name: string;
  /** Where the ecosystem installs dependencies at the project root, the usual one first. */
  folders: readonly string[];
  install: string;
}

type Ecosystem = MissingDependency['ecosystem'];

const FOLDERS: Readonly<Record<Ecosystem, readonly string[]>> = {
  node: ['node_modules'],
  python: ['.venv', 'venv'],
  ruby: ['vendor/bundle'],
  php: ['vendor'],
  go: ['vendor'],
};

const INSTALL: Readonly<Record<Ecosystem, string>> = {
  node: 'npm install',
  python: 'pip install into the virtual environment',
  ruby: 'bundle install',
  php: 'composer install',
  go: 'go mod vendor',
};

// each ecosystem's own words for "no such package", as its tools print them;
// the first group is the name as written (a path, a submodule, a package)
const PATTERNS: readonly { ecosystem: Ecosystem; pattern: RegExp }[] = [
  // require: Error: Cannot find module 'zod'; import: Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'zod' imported from …;
  // tsc: error TS2307: Cannot find module 'zod' or its corresponding type declarations
  { ecosystem: 'node', pattern: /Cannot find (?:module|package) '([^']+)'/ },
  // ModuleNotFoundError: No module named 'requests'; python -m pytest: /usr/bin/python3: No module named pytest
  { ecosystem: 'python', pattern: /No module named '?([A-Za-z_][\w.]*)'?/ },
  // require: cannot load such file -- rack (LoadError); bundler: Could not find gem 'rack' in locally installed gems
  { ecosystem: 'ruby', pattern: /cannot load such file -- (\S+)/ },
  { ecosystem: 'ruby', pattern: /Could not find gem '([^' ]+)/ },
  { ecosystem: 'ruby', pattern: /Could not find (\S+?)-\d[\w.]* in (?:locally installed gems|any of the sources)/ },
  // require 'vendor/autoload.php' before composer install
  { ecosystem: 'php', pattern: /Failed opening required '([^']*vendor\/autoload\.php)'/ },
  { ecosystem: 'php', pattern: /require(?:_once)?\(([^)]*vendor\/autoload\.php)\): Failed to open stream/i },
  // no required module provides package github.com/google/uuid; to add it: …; cannot find module providing package …
  {
    ecosystem: 'go',
    pattern: /(?:no required module provides|cannot find module providing) package (\S+?)[;:]?(?:\s|$)/,
  },
];

// an npm script whose program is not installed: `> vitest run` then `sh: 1: vitest: not found`
const NPM_SCRIPT = /^> \S+@\S+ \S+/m;
const SHELL_NOT_FOUND =
  /^(?:sh|bash|\/bin\/sh|\/usr\/bin\/bash|\/bin\/bash): (?:line )?\d+: ([\w@./-]+): (?:command )?not found/m;

/**
 * The dependency a failed command's output says it could not find: Node
 * (`Cannot find module 'x'`, `ERR_MODULE_NOT_FOUND`, tsc's TS2307, an npm
 * script's program `not found`), Python (`No module named`), Ruby
 * (`cannot load such file`, bundler's `Could not find gem`), PHP
 * (`vendor/autoload.php` missing) and Go (`no required module provides
 * package`). A relative or absolute path is the project's own file, not a
 * dependency: null, as for any other output.
 *
 * @example
 * missingDependency({ stdoutTail: '', stderrTail: "Error: Cannot find module 'zod'\nRequire stack:\n" });
 * // { ecosystem: 'node', name: 'zod', folders: ['node_modules'], install: 'npm install' }
 */
export function missingDependency(printed: PrintedOutput): MissingDependency | null {
  const text = `${printed.output?.stderr.text ?? printed.stderrTail}\n${printed.output?.stdout.text ?? printed.stdoutTail}`;
  for (const { ecosystem, pattern } of PATTERNS) {
    const written = pattern.exec(text)?.[1];
    if (written === undefined) continue;
    const name = packageName(ecosystem, written);
    if (name !== null) return { ecosystem, name, folders: FOLDERS[ecosystem], install: INSTALL[ecosystem] };
  }
  const program = SHELL_NOT_FOUND.exec(text)?.[1];
  if (program !== undefined && NPM_SCRIPT.test(text))
    return { ecosystem: 'node', name: program, folders: FOLDERS.node, install: INSTALL.node };
  return null;
}

/**
 * What to do about a {@link missingDependency}: share the folder it lives in
 * (`sandbox.share` in `.troupe/config.json`), or — when `shared` says the
 * project shares it already — install it in the project. `shared`
 * undefined: the caller does not know what is shared, and the hint says both.
 *
 * @example
 * missingDependencyHint(found, []);
 * // "'zod' was not found: node_modules is not shared with the sandbox — add it to sandbox.share in .troupe/config.json, or run troupe init, which shares the dependency folders it finds (docs/explanation/sandbox.md#shared-dependencies)"
 */
export function missingDependencyHint(found: MissingDependency, shared?: readonly string[]): string {
  const folders = found.folders.join(' or ');
  const what = `'${found.name}' was not found`;
  const docs = 'docs/explanation/sandbox.md#shared-dependencies';
  if (shared === undefined) {
    return `${what}: if ${folders} is not shared with the sandbox, add it to sandbox.share in .troupe/config.json (troupe init finds it); if it is, install '${found.name}' in your project (${found.install}) — ${docs}`;
  }
  const sharing = found.folders.find((folder) => shared.some((path) => covers(path, folder)));
  if (sharing !== undefined)
    return `${what}: ${sharing} is shared with the sandbox from your project, which lacks it — install it there (${found.install}), then run again (${docs})`;
  return `${what}: ${folders} is not shared with the sandbox — add it to sandbox.share in .troupe/config.json, or run troupe init, which shares the dependency folders it finds (${docs})`;
}

/**
 * {@link missingDependencyHint} for a failed command's output, before the
 * hint it had (`then`), or `then` alone when the output names no missing
 * dependency.
 *
 * @example
 * const hint = dependencyHintFor(run, shared, `all of its output: troupe plan logs ${name} --phase validate`);
 */
export function dependencyHintFor(
  printed: PrintedOutput,
  shared: readonly string[] | undefined,
  then?: string,
): string | undefined {
  const found = missingDependency(printed);
  if (found === null) return then;
  const hint = missingDependencyHint(found, shared);
  return then === undefined ? hint : `${hint}; ${then}`;
}

// the package a written name belongs to, or null for the project's own files
function packageName(ecosystem: Ecosystem, written: string): string | null {
  if (ecosystem === 'php') return 'vendor/autoload.php';
  if (written.startsWith('.') || written.startsWith('/') || /^[A-Za-z]:[\\/]/.test(written)) return null;
  if (ecosystem === 'node') {
    if (written.startsWith('node:') || written.startsWith('file:')) return null;
    const parts = written.split('/');
    return written.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? written);
  }
  // `requests.adapters` comes with `requests`
  if (ecosystem === 'python') return written.split('.')[0] ?? written;
  return written;
}

// whether sharing `path` shares `folder` too (vendor covers vendor/bundle)
function covers(path: string, folder: string): boolean {
  const normal = path
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.')
    .join('/');
  return normal === folder || folder.startsWith(`${normal}/`);
}
