// Which commit a revision names, asked of git safely: a revision that could
// read as an option is refused, and many are looked up in one process.
import { TroupeError } from '../domain/index.js';
import type { GitCommand } from './git-command.js';

/**
 * `value` as a revision to hand git, refused (`VALIDATION_ERROR`) when it
 * could be read as an option: it comes from a record or a caller.
 *
 * @example
 * await git.run(['reset', '--hard', revision(commit)]);
 */
export function revision(value: string): string {
  if (value.length === 0 || value.startsWith('-'))
    throw new TroupeError('VALIDATION_ERROR', `"${value}" is not a commit`);
  return value;
}

/**
 * The commit `name` names in `git`'s repository; git's error when it names none.
 *
 * @example
 * const head = await commitOf(gitCommand(worktree), 'HEAD');
 */
export async function commitOf(git: GitCommand, name: string): Promise<string> {
  return (await git.run(['rev-parse', '--verify', `${name}^{commit}`])).trim();
}

/**
 * The commit each revision names (null where it names none), from one
 * `cat-file --batch-check`: one git process however many are asked.
 *
 * @example
 * const [base = null, head = null] = await commitsOf(project, ['refs/troupe/base/01J…', 'HEAD']);
 */
export async function commitsOf(git: GitCommand, revisions: readonly string[]): Promise<(string | null)[]> {
  // a revision holding a line break would read as two
  if (revisions.some((name) => /[\n\r]/.test(name)))
    return Promise.all(revisions.map((name) => commitOrNull(git, name)));
  const lines = (
    await git.plumb(
      ['cat-file', '--batch-check=%(objectname) %(objecttype)'],
      revisions.map((name) => `${name}^{commit}\n`).join(''),
    )
  ).split('\n');
  return revisions.map((_, index) => commitOfLine(lines[index] ?? ''));
}

/**
 * The commit a line of `cat-file --batch-check=%(objectname) %(objecttype)`
 * names: "<id> commit", else null ("<name> missing", "<name> ambiguous", another type).
 *
 * @example
 * commitOfLine('3f2a… commit'); // '3f2a…'
 */
export function commitOfLine(line: string): string | null {
  const [id, type] = line.split(' ');
  return type === 'commit' && id ? id : null;
}

async function commitOrNull(git: GitCommand, name: string): Promise<string | null> {
  return (await git.tryRun(['rev-parse', '--verify', '--quiet', `${revision(name)}^{commit}`]))?.trim() || null;
}
