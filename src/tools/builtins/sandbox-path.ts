import { z } from 'zod';
import { normalizeRelativePath } from '../../domain/index.js';

/** The longest sandbox-relative path a built-in tool accepts (PATH_MAX on Linux). */
export const MAX_PATH_LENGTH = 4096;

/**
 * A sandbox-relative path as a tool input. Only its length is checked here:
 * safety (absolute, `..`, `.git`, symlinks, scopes) is the PathGuard's job,
 * so it is refused with `SANDBOX_ESCAPE`, not a plain validation error.
 */
export const sandboxPathSchema = z
  .string()
  .min(1)
  .max(MAX_PATH_LENGTH)
  .meta({ description: 'Path relative to the sandbox root, e.g. src/index.ts' });

/** How a path is shown in outputs and messages: `/`-separated, no `./`, `.` for the root. */
export function displayPath(path: string): string {
  return normalizeRelativePath(path) || '.';
}
