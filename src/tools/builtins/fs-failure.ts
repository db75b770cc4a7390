import { TroupeError } from '../../domain/index.js';

// node's errno codes in the user's words
const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  ENOTDIR: 'a parent of it is a file, not a directory',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many levels of symbolic links',
  ENOSPC: 'no space left on the device',
  EROFS: 'the file system is read-only',
};

/**
 * A file system error from a built-in tool as `TOOL_FAILED`, saying what
 * the tool could not do to which sandbox path and why.
 *
 * @example
 * throw fsFailure(error, 'read', 'src/a.ts'); // cannot read "src/a.ts": no such file
 */
export function fsFailure(error: unknown, action: string, path: string): TroupeError {
  if (error instanceof TroupeError) return error;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const reason =
    (typeof code === 'string' ? REASONS[code] : undefined) ?? (error instanceof Error ? error.message : String(error));
  return new TroupeError('TOOL_FAILED', `cannot ${action} "${path}": ${reason}`, {
    details: { path, ...(typeof code === 'string' ? { errno: code } : {}) },
  });
}
