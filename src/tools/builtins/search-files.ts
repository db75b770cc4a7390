import { isUtf8 } from 'node:buffer';
import { z } from 'zod';
import { TroupeError, type PathGuard } from '../../domain/index.js';
import { defineTool } from '../define-tool.js';
import { compileInputGlob } from './list-files.js';
import { MAX_READ_BYTES } from './read-file.js';
import { compilePattern, searchLines, type TextMatch } from './text-search.js';

/** The most matches `fs/search` returns by default, and at most. */
export const DEFAULT_SEARCH_RESULTS = 100;
export const MAX_SEARCH_RESULTS = 2_000;

/**
 * `fs/search {pattern, glob?, ignoreCase?, maxResults?, contextLines?, ignored?}`:
 * the lines of the sandbox's files that match a regular expression, in path
 * and line order — over what git would track (tracked files and new ones no
 * ignore rule covers; `ignored: true` adds the ignored ones). Patterns use
 * RE2's syntax and are matched in time linear in the text, so no pattern can
 * hang a call. Binary files and files over 5 MiB are skipped; a file that
 * cannot be read safely (a symlink out of the sandbox) is skipped too.
 * Read-only: allowed in every phase, and never a step.
 *
 * @example
 * await runner.run('fs/search', { pattern: 'TODO', glob: 'src/**' }, context);
 * // { success: true, output: { matches: [{ path: 'src/a.ts', line: 3, column: 4, text: '// TODO: x' }], truncated: false, files: 12 } }
 */
export const searchFilesTool = defineTool({
  name: 'fs/search',
  description:
    "Search the sandbox's files for lines matching a regular expression (RE2 syntax, linear time), over what git would track",
  input: z.strictObject({
    pattern: z.string().min(1).max(4096).meta({
      description: 'A regular expression (RE2 syntax: no backreferences or lookaround), e.g. "function \\\\w+\\\\("',
    }),
    glob: z
      .string()
      .min(1)
      .max(1024)
      .meta({ description: 'Only files whose root-relative path matches this glob, e.g. src/**/*.ts' })
      .optional(),
    ignoreCase: z.boolean().meta({ description: 'Match letters in either case' }).optional(),
    maxResults: z
      .number()
      .int()
      .positive()
      .max(MAX_SEARCH_RESULTS)
      .meta({ description: `At most this many matching lines (default ${DEFAULT_SEARCH_RESULTS})` })
      .optional(),
    contextLines: z
      .number()
      .int()
      .min(0)
      .max(20)
      .meta({ description: 'Lines to show before and after each match (default 0)' })
      .optional(),
    ignored: z
      .boolean()
      .meta({ description: 'Also search files git ignores (node_modules, build output…)' })
      .optional(),
  }),
  sideEffects: [],
  async handler(
    { pattern, glob, ignoreCase = false, maxResults = DEFAULT_SEARCH_RESULTS, contextLines = 0, ignored = false },
    { paths, signal },
  ) {
    const matcher = compilePattern(pattern, ignoreCase);
    const inGlob = glob === undefined ? () => true : compileInputGlob(glob);
    if (paths.gitFiles === undefined) {
      throw new TroupeError('TOOL_FAILED', 'cannot search: this sandbox does not say which files git would track', {
        hint: 'fs/list-files and fs/read-file work on any sandbox',
      });
    }
    const candidates = (await paths.gitFiles({ ignored })).filter((path) => inGlob(path));
    const matches: TextMatch[] = [];
    let files = 0;
    let truncated = false;
    for (const path of candidates) {
      if (signal.aborted) break;
      // one more than asked: whether there were more is what `truncated` says
      const found = await searchFile(path, matcher, contextLines, maxResults + 1 - matches.length, paths);
      if (found === null) continue;
      files += 1;
      matches.push(...found);
      if (matches.length > maxResults) {
        matches.length = maxResults;
        truncated = true;
        break;
      }
    }
    return { matches, truncated, files };
  },
});

// the file's matching lines, or null when it is not searched (binary, too large, unreadable)
async function searchFile(
  path: string,
  matcher: ReturnType<typeof compilePattern>,
  contextLines: number,
  limit: number,
  paths: PathGuard,
): Promise<TextMatch[] | null> {
  const content = await paths.readFile(path, { maxBytes: MAX_READ_BYTES }).catch(() => null);
  if (content === null || content.includes(0) || !isUtf8(content)) return null;
  return searchLines(path, content.toString('utf8'), matcher, { contextLines, limit });
}
