import { gitCommand, splitNul } from './git-command.js';

/**
 * Which of `paths` (relative to the repository root) git tracks, or holds
 * tracked files under: a shared path must be one git leaves alone
 * (`sandbox.share`), since the worktree already has what git tracks.
 *
 * @example
 * await trackedPaths('/path/to/repo', ['node_modules', 'src']); // ['src']
 */
export async function trackedPaths(repoRoot: string, paths: readonly string[]): Promise<string[]> {
  if (paths.length === 0) return [];
  // :(literal) so a name with glob characters means itself
  const listed = splitNul(
    await gitCommand(repoRoot).plumb(['ls-files', '-z', '--', ...paths.map((path) => `:(literal)${path}`)]),
  );
  const normalized = paths.map((path) =>
    path
      .split(/[\\/]+/)
      .filter((segment) => segment !== '' && segment !== '.')
      .join('/'),
  );
  return paths.filter((_, index) =>
    listed.some((file) => file === normalized[index] || file.startsWith(`${normalized[index]}/`)),
  );
}
