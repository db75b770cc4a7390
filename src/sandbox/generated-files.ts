import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { gitCommand, splitNul } from './git-command.js';

/**
 * What git ignores in the checkout at `root` and a worktree therefore
 * lacks: untracked, ignored files and — as one entry ending in `/` —
 * folders ignored as a whole (`.venv/`, `node_modules/`), which are not
 * walked. Paths relative to the root, in git's order. Reads only.
 *
 * @example
 * await ignoredFiles('/path/to/repo'); // ['.venv/', 'src/humble/_version.py']
 */
export async function ignoredFiles(root: string): Promise<string[]> {
  const listed = await gitCommand(root).tryRun([
    'ls-files',
    '-z',
    '--others',
    '--ignored',
    '--exclude-standard',
    '--directory',
    '--no-empty-directory',
  ]);
  return listed === null ? [] : splitNul(listed);
}

/**
 * The files git ignores in the project's source folders that its installed
 * environment needs (docs/explanation/sandbox.md#generated-files): each untracked and
 * ignored, in a folder where git tracks files, outside dependency folders
 * and caches, and either named by the project's build settings
 * (`pyproject.toml`, `setup.cfg`, `setup.py`, `package.json`, `hatch.toml`
 * — setuptools-scm's `version_file`, hatch-vcs's `version-file`) or made
 * by a generator whose names are known: `_version.py` and its kin written
 * at install, protobuf's `*_pb2.py`, a compiled extension module (`.so`)
 * beside a package's sources, `*.generated.ts`; a folder ignored whole,
 * named `generated` or `__generated__`. A worktree holds only what git
 * tracks, so without them the project's own code fails to import in a
 * plan (`No module named 'humble._version'`). Nothing that looks like a
 * secret (`.env`, `*secret*`, `*token*`, `*credential*`, `*.key`), however
 * it is named elsewhere. Reads only.
 *
 * @example
 * await findGeneratedFiles('/path/to/repo'); // ['src/humble/_version.py']
 */
export async function findGeneratedFiles(root: string): Promise<string[]> {
  const ignored = await ignoredFiles(root);
  if (ignored.length === 0) return [];
  const tracked = await gitCommand(root).tryRun(['ls-files', '-z']);
  const sourceFolders = new Set(splitNul(tracked ?? '').map((file) => dirname(file)));
  const settings = await buildSettingsText(root);
  return ignored
    .map((entry) => entry.replace(/\/$/, ''))
    .filter((path, index) => {
      if (!sourceFolders.has(dirname(path)) || path.split('/').some(isSkipped) || SECRET.test(basename(path)))
        return false;
      // a folder git ignores whole is generated code only by its name; a file by its name or the build's settings
      if (ignored[index]!.endsWith('/')) return GENERATED_FOLDERS.has(basename(path));
      return (
        GENERATED_NAMES.some((name) => name.test(basename(path))) ||
        (MODULE.test(path) && settings.some((text) => text.includes(path)))
      );
    });
}

// the build settings at a project's root that name a file the build writes
const BUILD_SETTINGS = ['pyproject.toml', 'setup.cfg', 'setup.py', 'hatch.toml', 'package.json'];

async function buildSettingsText(root: string): Promise<string[]> {
  const texts = await Promise.all(BUILD_SETTINGS.map((name) => readFile(join(root, name), 'utf8').catch(() => '')));
  return texts.filter((text) => text !== '');
}

// what a generator writes, by name: a version module (setuptools-scm, versioneer, hatch-vcs), protobuf's
// and gRPC's Python modules, a Python extension module built in place, generated JavaScript and TypeScript
const GENERATED_NAMES: readonly RegExp[] = [
  /^(?:_version|version|__version__|_build_info|_buildinfo)\.py$/,
  /_pb2(?:_grpc)?\.pyi?$/,
  /\.(?:cpython|abi3|pypy)[\w.-]*\.so$/,
  /\.(?:generated|gen)\.(?:[cm]?[jt]s|[jt]sx)$/,
];

// what a module of the project may be: a file the build's settings name counts only if it is code
const MODULE = /\.(?:py|pyi|[cm]?[jt]s|[jt]sx|json|so)$/;

const GENERATED_FOLDERS = new Set(['generated', '__generated__']);

// dependency folders (shared by their own rule), caches, build output and troupe's and git's own
const SKIPPED = new Set([
  '.git',
  '.troupe',
  'node_modules',
  '.venv',
  'venv',
  '__pycache__',
  '.pytest_cache',
  '.mypy_cache',
  '.ruff_cache',
  '.tox',
  '.nox',
  '.cache',
  'build',
  'dist',
  'coverage',
  '.next',
]);

function isSkipped(segment: string): boolean {
  return SKIPPED.has(segment) || segment.endsWith('.egg-info');
}

// never offered to every plan, whatever names it
const SECRET = /(?:^\.env|secret|token|credential|password|passwd|\.pem$|\.key$)/i;
