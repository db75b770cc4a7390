import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { splitNul, type GitCommand } from './git-command.js';

/**
 * The submodule paths (gitlinks) of commits, asked of git once per commit.
 * A worktree's are its base commit's: troupe never commits one (a step that
 * makes a repository inside its worktree is refused), so the base's are all
 * a worktree can have.
 *
 * @example
 * const links = new Gitlinks();
 * await links.populated(project, base, worktree); // ['vendor/lib/'] once a command made it a repository
 */
export class Gitlinks {
  readonly #known = new Map<string, Promise<string[]>>();

  /** The gitlinks of `commit` that are repositories in `worktree` now, each as git names one: `dir/`. */
  async populated(repository: GitCommand, commit: string, worktree: string): Promise<string[]> {
    const links = await this.of(repository, commit);
    return links.filter((path) => existsSync(join(worktree, path, '.git'))).map((path) => `${path}/`);
  }

  /** The gitlinks of `commit` (a full commit id) in `repository`. */
  of(repository: GitCommand, commit: string): Promise<string[]> {
    let links = this.#known.get(commit);
    if (links === undefined) {
      links = repository.run(['ls-tree', '-r', '-z', '--full-tree', commit]).then((output) =>
        splitNul(output)
          .filter((entry) => entry.startsWith('160000 '))
          .map((entry) => entry.slice(entry.indexOf('\t') + 1)),
      );
      this.#known.set(commit, links);
      links.catch(() => this.#known.delete(commit));
    }
    return links;
  }
}
