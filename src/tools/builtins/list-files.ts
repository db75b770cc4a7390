import { z } from 'zod';
import { compileGlobs, globProblem, TroupeError, ValidationError } from '../../domain/index.js';
import { defineTool } from '../define-tool.js';
import type { SandboxDirectory } from '../types.js';
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
 * Each directory is opened through its parent (`PathGuard.openDirectory`),
 * so one swapped for a symlink meanwhile is skipped, never followed.
 *
 * @example
 * await runner.run('fs/list-files', { path: 'docs', glob: 'docs/*.md' }, context);
 * // { success: true, output: { files: ['docs/reference/errors.md', 'docs/plans.md'], truncated: false } }
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
      .meta({ description: 'glob matched against root-relative paths, dotfiles included, e.g. src/**/*.ts' })
      .optional(),
  }),
  sideEffects: [],
  async handler({ path = '.', glob }, { paths }) {
    const shown = displayPath(path);
    const start = await paths.openDirectory(path).catch((error: unknown) => {
      if ((error as { code?: unknown } | null)?.code === 'ENOTDIR') {
        throw new TroupeError('TOOL_FAILED', `cannot list "${shown}": it is not a directory`, {
          hint: 'fs/read-file reads a file',
          details: { path: shown },
        });
      }
      throw fsFailure(error, 'list', shown);
    });
    // a directory stays open while subdirectories of it wait on the stack: at most one per level
    const open = new Set<SandboxDirectory>([start]);
    const release = async (visit: Visit): Promise<void> => {
      if (visit.waiting > 0) return;
      open.delete(visit.directory);
      await visit.directory.close();
    };
    try {
      const matches = glob === undefined ? () => true : compileInputGlob(glob);
      const files: string[] = [];
      let scanned = 0;
      let truncated = false;
      const pending: Array<{ parent: Visit; name: string; rel: string }> = [];
      let visit: Visit | null = { directory: start, rel: shown === '.' ? '' : shown, waiting: 0 };
      // depth-first with an explicit stack: deep trees must not overflow the call stack
      while (visit !== null && !truncated) {
        // an unreadable directory is skipped, not fatal: the rest of the listing is still useful
        const entries = await visit.directory.entries().catch(() => []);
        entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        const subdirectories: Array<{ parent: Visit; name: string; rel: string }> = [];
        for (const entry of entries) {
          if (++scanned > MAX_SCANNED_ENTRIES) {
            truncated = true;
            break;
          }
          // `.git` is a directory in a repo and a file in a worktree; neither is the plan's
          if (entry.name.toLowerCase() === '.git') continue;
          const rel = visit.rel === '' ? entry.name : `${visit.rel}/${entry.name}`;
          if (entry.kind === 'directory') {
            subdirectories.push({ parent: visit, name: entry.name, rel });
            continue;
          }
          if (!matches(rel)) continue;
          if (files.length === MAX_LISTED_FILES) {
            truncated = true;
            break;
          }
          files.push(rel);
        }
        // reversed onto the stack so directories are visited in name order and a truncated listing is always the same
        visit.waiting += subdirectories.length;
        for (let i = subdirectories.length - 1; i >= 0; i--) pending.push(subdirectories[i]!);
        await release(visit);
        visit = null;
        while (visit === null && pending.length > 0 && !truncated) {
          const next = pending.pop()!;
          next.parent.waiting--;
          // a subdirectory that is gone or became a symlink since it was listed is skipped
          const directory = await next.parent.directory.openDirectory(next.name).catch(() => null);
          await release(next.parent);
          if (directory === null) continue;
          open.add(directory);
          visit = { directory, rel: next.rel, waiting: 0 };
        }
      }
      files.sort();
      return { files, truncated };
    } finally {
      await Promise.all([...open].map((directory) => directory.close()));
    }
  },
});

/** A directory being listed: `waiting` counts its subdirectories still on the stack. */
interface Visit {
  directory: SandboxDirectory;
  rel: string;
  waiting: number;
}

/** A tool's `glob` input compiled, or a VALIDATION_ERROR naming `input.glob` for one troupe refuses. */
export function compileInputGlob(glob: string): (path: string) => boolean {
  // refused before the walk: a glob troupe cannot match in linear time (an extglob, "(a+)+b") is a bad input
  const problem = globProblem(glob);
  if (problem !== null) throw new ValidationError([{ path: 'input.glob', message: problem }]);
  return compileGlobs([glob]);
}
