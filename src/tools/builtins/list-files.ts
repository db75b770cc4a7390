import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import picomatch from 'picomatch';
import { z } from 'zod';
import { TroupeError } from '../../domain/index.js';
import { defineTool } from '../define-tool.js';
import { fsFailure } from './fs-failure.js';
import { displayPath, sandboxPathSchema } from './sandbox-path.js';

/** The most paths `fs/list-files` returns; past it the answer says `truncated: true`. */
export const MAX_LISTED_FILES = 10_000;

// a glob that matches nothing must not make one call walk a huge tree
const MAX_SCANNED_ENTRIES = 200_000;

/**
 * `fs/list-files {path?, glob?}`: the files under `path` (default: the
 * sandbox root), as sorted paths relative to the sandbox root. It never
 * enters `.git` and lists a symlink as an entry without following it. A
 * `glob` (picomatch, dotfiles included) is matched against those
 * root-relative paths. At most 10,000 paths; `truncated` says there were more.
 *
 * @example
 * await runner.run('fs/list-files', { path: 'docs', glob: 'docs/*.md' }, context);
 * // { success: true, output: { files: ['docs/errors.md', 'docs/plans.md'], truncated: false } }
 */
export const listFilesTool = defineTool({
  name: 'fs/list-files',
  description: 'List the files under a directory of the sandbox (default: all of it), optionally filtered by a glob',
  input: z.strictObject({
    path: sandboxPathSchema.optional(),
    glob: z
      .string()
      .min(1)
      .max(1024)
      .meta({ description: 'picomatch glob matched against root-relative paths, e.g. src/**/*.ts' })
      .optional(),
  }),
  sideEffects: [],
  async handler({ path = '.', glob }, { paths }) {
    const shown = displayPath(path);
    const start = await paths.resolve(path, 'read');
    const info = await stat(start).catch((error: unknown) => {
      throw fsFailure(error, 'list', shown);
    });
    if (!info.isDirectory()) {
      throw new TroupeError('TOOL_FAILED', `cannot list "${shown}": it is not a directory`, {
        hint: 'fs/read-file reads a file',
        details: { path: shown },
      });
    }
    const matches = glob === undefined ? () => true : compileGlob(glob);
    const files: string[] = [];
    let scanned = 0;
    let truncated = false;
    const pending = [start];
    // depth-first with an explicit stack: deep trees must not overflow the call stack
    while (pending.length > 0 && !truncated) {
      const directory = pending.pop()!;
      // an unreadable directory is skipped, not fatal: the rest of the listing is still useful
      const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const subdirectories: string[] = [];
      for (const entry of entries) {
        if (++scanned > MAX_SCANNED_ENTRIES) {
          truncated = true;
          break;
        }
        // `.git` is a directory in a repo and a file in a worktree; neither is the plan's
        if (entry.name.toLowerCase() === '.git') continue;
        const absolute = join(directory, entry.name);
        if (entry.isDirectory()) {
          subdirectories.push(absolute);
          continue;
        }
        const rel = relative(paths.root, absolute).split(sep).join('/');
        if (!matches(rel)) continue;
        if (files.length === MAX_LISTED_FILES) {
          truncated = true;
          break;
        }
        files.push(rel);
      }
      // reversed onto the stack so directories are visited in name order and a truncated listing is always the same
      for (let i = subdirectories.length - 1; i >= 0; i--) pending.push(subdirectories[i]!);
    }
    files.sort();
    return { files, truncated };
  },
});

function compileGlob(glob: string): (path: string) => boolean {
  try {
    return picomatch(glob, { dot: true });
  } catch (error) {
    throw new TroupeError('VALIDATION_ERROR', `input.glob: is not a valid glob (${error instanceof Error ? error.message : String(error)})`, {
      details: { issues: [{ path: 'input.glob', message: 'is not a valid glob' }] },
    });
  }
}
