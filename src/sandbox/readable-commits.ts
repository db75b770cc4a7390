import { gitCommand } from './git-command.js';

/**
 * Whether git can read every commit of `commits` in the repository at
 * `repo`, whole: each commit and every object reachable from it since
 * `base` (the plan's base commit; null: the commits' own trees), asked of
 * one `git rev-list --objects --missing=print`. A commit git cannot read —
 * missing, or an object file a power cut emptied — fails the command; a
 * missing object under it is a `?` line. Used after a crash to find which
 * records name what is gone (`troupe doctor`).
 *
 * @example
 * await readsWhole('/repo', [sandbox.headCommit], sandbox.baseCommit); // true
 */
export async function readsWhole(repo: string, commits: readonly string[], base: string | null): Promise<boolean> {
  if (commits.length === 0) return true;
  const args = [
    'rev-list',
    '--objects',
    '--missing=print',
    ...commits,
    ...(base === null ? ['--no-walk'] : ['--not', base]),
    '--',
  ];
  const output = await gitCommand(repo).tryRun(args);
  return output !== null && !/^\?/m.test(output);
}
