// Without zod: a read that skips the runtime checks a config's shared paths with it (src/runtime/host/deferred-runtime.ts).

/**
 * Why a `sandbox.share` entry is refused, or null (whether git tracks it is
 * checked against the repository when the runtime starts): a path relative
 * to the project root, without `..`, not into `.git` or `.troupe`.
 */
export function sharePathProblem(path: string): string | null {
  if (path.length === 0) return 'must not be empty';
  if (path.includes('\u0000')) return 'must not contain a NUL byte';
  if (path.startsWith('/') || path.startsWith('~') || /^[A-Za-z]:/.test(path))
    return `must be relative to the project root, not absolute ("${path}")`;
  const segments = path.split(/[\\/]+/).filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) return `must not contain ".." segments ("${path}")`;
  if (segments.length === 0) return 'must name a path inside the project, not the project itself';
  const first = segments[0]!.toLowerCase();
  if (first === '.git' || first === '.troupe' || segments.some((segment) => segment.toLowerCase() === '.git'))
    return `must not point into .git or .troupe ("${path}")`;
  return null;
}
