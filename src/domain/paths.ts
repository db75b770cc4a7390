import { globProblem } from './glob.js';

/**
 * Static checks on a path a user or a tool gives relative to a sandbox
 * (SPEC §7). They need no disk; symlink escapes are checked where the
 * sandbox is (src/sandbox). Returns why the path is unsafe, or null.
 */
export function unsafePathProblem(path: string): string | null {
  if (path.length === 0) return 'must not be empty';
  if (path.includes('\u0000')) return 'must not contain a NUL byte';
  if (path.startsWith('/') || path.startsWith('\\') || /^[A-Za-z]:/.test(path))
    return `must be relative to the sandbox root, not absolute ("${path}")`;
  const segments = path.split(/[\\/]+/);
  if (segments.includes('..')) return `must not contain ".." segments ("${path}")`;
  if (segments.some((segment) => segment.toLowerCase() === '.git')) return `must not point into .git ("${path}")`;
  return null;
}

/**
 * Why a resource scope glob is not acceptable, or null: scopes are
 * non-empty relative globs without `..`, at most 256 characters (SPEC §8),
 * in the glob syntax troupe can match in linear time ({@link globProblem}).
 */
export function scopeGlobProblem(glob: string): string | null {
  if (glob.length === 0) return 'must not be empty';
  if (glob.length > 256) return `must be at most 256 characters (has ${glob.length})`;
  if (glob.includes('\u0000')) return 'must not contain a NUL byte';
  if (glob.startsWith('/') || /^[A-Za-z]:/.test(glob)) return `must be a relative glob, not absolute ("${glob}")`;
  if (glob.split(/[\\/]+/).includes('..')) return `must not contain ".." segments ("${glob}")`;
  return globProblem(glob);
}

/** A path with `\` turned into `/` and `./` prefixes and duplicate slashes removed. */
export function normalizeRelativePath(path: string): string {
  return path
    .replaceAll('\\', '/')
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.')
    .join('/');
}
