import { lstat, readlink, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import { normalizeRelativePath, TroupeError, unsafePathProblem } from '../domain/index.js';
import type { PathGuard } from '../tools/types.js';

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
 * A {@link PathGuard} for one sandbox (SPEC §7). `resolve` refuses absolute
 * paths, `..`, NUL and `.git` before touching the disk, then follows every
 * symlink on the way and refuses a path that lands outside the root or in a
 * `.git` (`SANDBOX_ESCAPE`); a write must also match a scope, both as given
 * and where its symlinks lead (`SCOPE_VIOLATION`).
 *
 * @example
 * const paths = await createPathGuard({ root: sandboxPath, scopes: ['src/**'] });
 * await writeFile(await paths.resolve('src/a.ts', 'write'), code);
 * await paths.resolve('../etc/passwd', 'read'); // throws SANDBOX_ESCAPE
 */
export async function createPathGuard(options: PathGuardOptions): Promise<PathGuard> {
  const root = await realpath(options.root);
  const scopes = options.scopes === undefined ? undefined : [...options.scopes];
  const matches = scopeMatcher(scopes);

  const inScope = (path: string): boolean => matches(normalizeRelativePath(path));

  return {
    root,
    inScope,
    async resolve(path: string, access: 'read' | 'write'): Promise<string> {
      const problem = unsafePathProblem(path);
      if (problem !== null) throw escape(path, problem);
      const normalized = normalizeRelativePath(path);
      const absolute = join(root, normalized);

      let real: string;
      try {
        real = await physicalPath(absolute, 0);
      } catch (error) {
        if (error instanceof TroupeError) throw error;
        throw escape(path, `it cannot be resolved safely (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
      }
      const inside = relative(root, real);
      if (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
        throw escape(path, `it leads outside the sandbox through a symlink (to ${real})`);
      }
      if (inside.split(sep).some((segment) => segment.toLowerCase() === '.git')) {
        throw escape(path, 'it leads into .git through a symlink');
      }

      // a write lands where the symlinks lead, so that place must be in scope too
      if (access === 'write' && !(matches(normalized) && matches(inside.split(sep).join('/')))) {
        throw new TroupeError('SCOPE_VIOLATION', `cannot write ${JSON.stringify(path)}: it is outside the plan's resourceScopes (${describeScopes(scopes)})`, {
          hint: 'write only paths the plan\'s resourceScopes match, or widen resourceScopes in the plan file',
          details: { path, scopes: scopes ?? null },
        });
      }
      // the path as asked, not `real`: deleting a symlink must delete the link
      return absolute;
    },
  };
}

/**
 * The place an operation on `path` would touch: every existing symlink on
 * the way resolved, the missing tail appended. A dangling symlink is
 * followed to where it points, since writing through it creates its target.
 */
async function physicalPath(path: string, hops: number): Promise<string> {
  try {
    return await realpath(path);
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
  // "./src/**" means "src/**"; picomatch would not match it otherwise
  const isMatch = picomatch(scopes.map((scope) => scope.replace(/^(\.\/)+/, '')), { dot: true });
  return (path) => path !== '' && isMatch(path);
}

function describeScopes(scopes: string[] | undefined): string {
  if (scopes === undefined || scopes.length === 0) return 'none: this plan may not write files';
  const shown = scopes.slice(0, SCOPES_SHOWN).join(', ');
  return scopes.length > SCOPES_SHOWN ? `${shown}, …` : shown;
}

function escape(path: string, problem: string): TroupeError {
  return new TroupeError('SANDBOX_ESCAPE', `path ${JSON.stringify(path)} is refused: ${problem}`, {
    hint: 'use a path relative to the sandbox root that stays inside it',
    details: { path },
  });
}
