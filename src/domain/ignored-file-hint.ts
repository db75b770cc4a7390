import type { PrintedOutput } from './failure-lines.js';

/**
 * The modules a failed command could not find that may be the project's
 * own files — as relative path stems to look for in the checkout: Python's
 * `No module named 'humble._version'` gives `humble/_version`; Node's
 * `Cannot find module '/repo/src/gen/schema.js'` (a path under `root`,
 * where the sandbox shows the worktree) gives `src/gen/schema.js`. Empty
 * when the output names none — the caller then need not look at the
 * checkout at all.
 *
 * @example
 * missingModuleStems({ stdoutTail: '', stderrTail: "E   ModuleNotFoundError: No module named 'humble._version'" }, '/repo');
 * // ['humble/_version']
 */
export function missingModuleStems(printed: PrintedOutput, root: string): string[] {
  const text = printedText(printed);
  if (!mentionsMissingModule(printed)) return [];
  const stems = new Set<string>();
  for (const match of text.matchAll(/No module named '?([A-Za-z_][\w.]*)'?/g)) {
    // a submodule of a package: `pkg.mod` is `pkg/mod`; a top-level name is a dependency, not a generated file
    if (match[1]!.includes('.')) stems.add(match[1]!.split('.').join('/'));
  }
  const under = `${root.replace(/\/+$/, '')}/`;
  for (const match of text.matchAll(/Cannot find (?:module|package) '([^']+)'/g)) {
    if (match[1]!.startsWith(under)) stems.add(match[1]!.slice(under.length));
  }
  return [...stems];
}

/**
 * Whether a failed command's output says a module was not found (Python's
 * `No module named`, Node's `Cannot find module`/`package`): the cheap test
 * before the checkout is read for {@link ignoredFileHint}.
 */
export function mentionsMissingModule(printed: PrintedOutput): boolean {
  return /No module named|Cannot find (?:module|package) '/.test(printedText(printed));
}

function printedText(printed: PrintedOutput): string {
  return `${printed.output?.stderr.text ?? printed.stderrTail}\n${printed.output?.stdout.text ?? printed.stdoutTail}`;
}

/**
 * The hint for a module the plan's worktree lacks but the user's checkout
 * has, as a file git ignores (docs/explanation/sandbox.md#generated-files): the first
 * of `ignored` (the checkout's ignored files, relative) that one of
 * `stems` ({@link missingModuleStems}) names — `src/humble/_version.py`
 * for `humble/_version` — and that `shared` does not list. Null when none
 * does: the hint about dependency folders is the one to give.
 *
 * @example
 * ignoredFileHint(['humble/_version'], ['.venv/', 'src/humble/_version.py'], ['.venv']);
 * // "src/humble/_version.py is in your checkout but not in the plan's worktree: git ignores it (…) — add it to sandbox.share …"
 */
export function ignoredFileHint(
  stems: readonly string[],
  ignored: readonly string[],
  shared: readonly string[],
): string | null {
  for (const stem of stems) {
    const file = ignored.find((path) => !path.endsWith('/') && names(path, stem));
    if (file === undefined || shared.some((entry) => normal(entry) === file || file.startsWith(`${normal(entry)}/`)))
      continue;
    return `${file} is in your checkout but not in the plan's worktree: git ignores it (your installed environment made it) — add it to sandbox.share in .troupe/config.json, or run troupe init, which shares such files (docs/explanation/sandbox.md#generated-files)`;
  }
  return null;
}

// whether the file at `path` is the module `stem`: itself, or with a module's ending (a package's __init__ too)
function names(path: string, stem: string): boolean {
  const module = path.replace(
    /(?:\/__init__)?(?:\.pyi?|\.(?:cpython|abi3|pypy)[\w.-]*\.so|\.so|\.[cm]?[jt]s|\.json)$/,
    '',
  );
  return path === stem || module === stem || module.endsWith(`/${stem}`) || path.endsWith(`/${stem}`);
}

function normal(entry: string): string {
  return entry
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.')
    .join('/');
}
