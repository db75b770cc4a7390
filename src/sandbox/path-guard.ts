import { realpathSync } from 'node:fs';
import { lstat, readlink, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import {
  compileGlobs,
  normalizeRelativePath,
  TroupeError,
  unsafePathProblem,
  type PathGuard,
} from '../domain/index.js';
import { gitCommand, splitNul } from './git-command.js';
import { createSandboxFiles } from './sandbox-files.js';
import { sandboxEscape as escape } from './sandbox-file-errors.js';
import { noteTroupeWrite } from './worktree-ownership.js';

/** What a {@link createPathGuard} needs: the sandbox root and the plan's resourceScopes. */
export interface PathGuardOptions {
  /** The sandbox root; resolved to its real path once. */
  root: string;
  /** Globs a write must match. Undefined: anywhere in the sandbox; empty: nowhere. */
  scopes?: readonly string[] | undefined;
}

// more symlink hops than this is a loop (Linux gives up at 40 too)
const MAX_SYMLINK_HOPS = 40;
const SCOPES_SHOWN = 5;

/**
 * A {@link PathGuard} for one sandbox (SPEC §7). Every path is checked
 * first: absolute paths, `..`, NUL and `.git` are refused before touching
 * the disk, then every symlink on the way is followed and a path that lands
 * outside the root or in a `.git` is refused (`SANDBOX_ESCAPE`); a write
 * must also match a scope, both as given and where its symlinks lead
 * (`SCOPE_VIOLATION`). `readFile`, `writeFile`, `deleteFile` and
 * `openDirectory` then reach that real place without following any symlink
 * (see {@link createSandboxFiles}), so a path changed after the check is
 * refused rather than followed out of the sandbox.
 *
 * @example
 * const paths = await createPathGuard({ root: sandboxPath, scopes: ['src/**'] });
 * await paths.writeFile('src/a.ts', code); // { created: true }
 * await paths.readFile('../etc/passwd'); // throws SANDBOX_ESCAPE
 */
export async function createPathGuard(options: PathGuardOptions): Promise<PathGuard> {
  const root = await realpath(options.root);
  const scopes = options.scopes === undefined ? undefined : [...options.scopes];
  const matches = scopeMatcher(scopes);
  const files = createSandboxFiles(root);

  const inScope = (path: string): boolean => matches(normalizeRelativePath(path));

  // where `normalized` really is, relative to the root and `/`-separated ('' for the root itself)
  const locate = async (path: string, normalized: string): Promise<string> => {
    let real: string;
    try {
      real = await physicalPath(join(root, normalized), 0);
    } catch (error) {
      if (error instanceof TroupeError) throw error;
      throw escape(path, `it cannot be resolved safely (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    const inside = relative(root, real);
    if (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
      throw escape(path, `it leads outside the sandbox through a symlink (to ${real})`);
    }
    const segments = inside === '' ? [] : inside.split(sep);
    if (segments.some((segment) => segment.toLowerCase() === '.git')) {
      throw escape(path, 'it leads into .git through a symlink');
    }
    return segments.join('/');
  };

  // `path` as a normalized relative path, refused before touching the disk when it is unsafe
  const normalizedSafe = (path: string): string => {
    const problem = unsafePathProblem(path);
    if (problem !== null) throw escape(path, problem);
    return normalizeRelativePath(path);
  };

  const check = async (
    path: string,
    access: 'read' | 'write',
    normalized = normalizedSafe(path),
  ): Promise<{ normalized: string; real: string; shown: string }> => {
    const real = await locate(path, normalized);
    // a write lands where the symlinks lead, so that place must be in scope too
    if (access === 'write' && !(matches(normalized) && matches(real))) {
      throw new TroupeError(
        'SCOPE_VIOLATION',
        `cannot write ${JSON.stringify(path)}: it is outside the plan's resourceScopes (${describeScopes(scopes)})`,
        {
          hint: "write only paths the plan's resourceScopes match (they are fixed when the plan is created)",
          details: { path, scopes: scopes ?? null },
        },
      );
    }
    return { normalized, real, shown: normalized || '.' };
  };

  return {
    root,
    inScope,
    async resolve(path, access) {
      // the path as asked, not where it leads: deleting a symlink must delete the link
      const resolved = join(root, (await check(path, access)).normalized);
      // a custom tool writes there itself, as troupe: the next command finds the worktree handed over again
      if (access === 'write') noteTroupeWrite(root);
      return resolved;
    },
    async readFile(path, options = {}) {
      // most paths hold no symlink: walked from the root without following
      // one, the path is its own real place; only one that meets a symlink is resolved
      const normalized = normalizedSafe(path);
      const direct = await files.readDirect(normalized, normalized || '.', options.maxBytes);
      if (direct !== null) return direct;
      const { real, shown } = await check(path, 'read', normalized);
      return files.read(real, shown, options.maxBytes);
    },
    async writeFile(path, content) {
      const { real, shown } = await check(path, 'write');
      try {
        return await files.write(real, content, shown);
      } finally {
        // what troupe wrote is root's when troupe is root: the next command's identity gets it first
        noteTroupeWrite(root);
      }
    },
    async deleteFile(path) {
      const { normalized, shown } = await check(path, 'write');
      // the link itself goes, so its directory is what must really be inside the sandbox
      const parent = posix.dirname(normalized);
      const realParent = await locate(path, parent === '.' ? '' : parent);
      await files.remove(realParent, posix.basename(normalized), shown);
    },
    async openDirectory(path) {
      const { real, shown } = await check(path, 'read');
      return files.openDirectory(real, shown);
    },
    async gitFiles(options = {}) {
      // --cached and --others: what is committed or staged, and what is new; --exclude-standard
      // drops what .gitignore, .git/info/exclude and core.excludesFile ignore, unless asked for
      const args = [
        'ls-files',
        '-z',
        '--cached',
        '--others',
        ...(options.ignored === true ? [] : ['--exclude-standard']),
      ];
      const listed = splitNul(await gitCommand(root).plumb(args));
      // a file both staged and new shows twice; a nested repository shows as `dir/`, which is no file to read
      return [...new Set(listed)].filter((path) => !path.endsWith('/') && unsafePathProblem(path) === null).sort();
    },
  };
}

/**
 * The place an operation on `path` would touch: every existing symlink on
 * the way resolved, the missing tail appended. A dangling symlink is
 * followed to where it points, since writing through it creates its target.
 * A path that exists is resolved by one synchronous realpath(3): a few
 * lstat calls, cheaper than a trip through the thread pool.
 */
async function physicalPath(path: string, hops: number): Promise<string> {
  try {
    return realpathSync.native(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
  }
  const parent = dirname(path);
  if (parent === path) return path;
  const stats = await lstat(path).catch(() => null);
  if (stats?.isSymbolicLink()) {
    if (hops >= MAX_SYMLINK_HOPS) throw Object.assign(new Error('too many symlinks'), { code: 'ELOOP' });
    const target = resolve(await physicalPath(parent, hops), await readlink(path));
    return physicalPath(target, hops + 1);
  }
  return join(await physicalPath(parent, hops), basename(path));
}

function scopeMatcher(scopes: string[] | undefined): (path: string) => boolean {
  if (scopes === undefined) return () => true;
  if (scopes.length === 0) return () => false;
  // a plan stored before a glob syntax was refused (an extglob, "(a+)+b") may
  // still carry it: such a scope grants nothing, so its writes fail with
  // SCOPE_VIOLATION instead of the plan crashing or matching in exponential time
  const isMatch = compileGlobs(scopes, { refused: 'match-nothing' });
  return (path) => path !== '' && isMatch(path);
}

function describeScopes(scopes: string[] | undefined): string {
  if (scopes === undefined || scopes.length === 0) return 'none: this plan may not write files';
  const shown = scopes.slice(0, SCOPES_SHOWN).join(', ');
  return scopes.length > SCOPES_SHOWN ? `${shown}, …` : shown;
}
