import { TroupeError } from '../domain/index.js';
import { gitCommand, GitCommandError, isObjectId } from './git-command.js';
import { sandboxBaseRef } from './sandbox-refs.js';

/** Where a child plan's commits travel between machines: the branch of its sandbox and its base ref. */
export interface RemoteSandboxRefs {
  planId: string;
  /** The sandbox branch, `troupe/<name>-<id6>`. */
  branch: string;
}

// where a fetched branch lands before it is taken (never a branch a worktree has checked out)
const FETCHED = 'refs/troupe/fetched';

/**
 * A shared git remote that carries child plans' sandboxes between the
 * machines of a scale-out (docs/scale-out.md): the parent pushes a child's
 * spawn point as the child's branch, the worker that runs the child pushes
 * the branch after every step commit, and the parent fetches it back before
 * its three-way merge. The remote is named by URL (never by a name the
 * repository's config could redirect), and every git call goes through
 * troupe's own git with its neutral settings.
 *
 * @example
 * const remote = new RemoteBranches('/srv/git/app.git', 'remote.url in .troupe/config.json');
 * await remote.publishStart('/repo', { planId, branch }, spawnHead);
 * await remote.take('/worker/clone', { planId, branch });
 */
export class RemoteBranches {
  readonly url: string;
  readonly #setting: string;

  /** `setting`: how messages name where the URL came from. */
  constructor(url: string, setting: string) {
    this.url = url;
    this.#setting = setting;
  }

  /** Push `commit` as the plan's branch and base ref (a new child, or a new attempt starting over). */
  async publishStart(repoRoot: string, refs: RemoteSandboxRefs, commit: string): Promise<void> {
    if (!isObjectId(commit)) throw new TroupeError('INTERNAL_ERROR', `a child's spawn point must be a commit id, got "${commit}"`);
    await this.#git(repoRoot, ['push', '--quiet', '--force', '--no-verify', this.url, `${commit}:refs/heads/${refs.branch}`, `${commit}:${sandboxBaseRef(refs.planId)}`]);
  }

  /** Push the sandbox's branch and its base ref as they are in `repoRoot` (a plan strategized here, then run on a worker). */
  async publishBranch(repoRoot: string, refs: RemoteSandboxRefs): Promise<void> {
    const base = sandboxBaseRef(refs.planId);
    await this.#git(repoRoot, ['push', '--quiet', '--force', '--no-verify', this.url, `refs/heads/${refs.branch}:refs/heads/${refs.branch}`, `${base}:${base}`]);
  }

  /** The commit `repoRoot`'s HEAD is at. */
  async headOf(repoRoot: string): Promise<string> {
    return (await gitCommand(repoRoot).plumb(['rev-parse', '--verify', 'HEAD^{commit}'])).trim();
  }

  /**
   * Push the sandbox's branch as it is in `repoRoot` (after a step commit, a
   * reset): forced, since a rollback or a new attempt moves it back. The
   * push completes before the step's transition is stored, so the remote is
   * never behind what the store says.
   */
  async publish(repoRoot: string, refs: RemoteSandboxRefs): Promise<void> {
    await this.#git(repoRoot, ['push', '--quiet', '--force', '--no-verify', this.url, `refs/heads/${refs.branch}:refs/heads/${refs.branch}`]);
  }

  /**
   * Make the plan's branch and base ref here what the remote has (a worker
   * about to run a child): the remote is the truth, since a commit never
   * pushed was never stored either — the step that made it runs again.
   * Returns the branch's head, or null when the remote has no such branch.
   */
  async take(repoRoot: string, refs: RemoteSandboxRefs): Promise<string | null> {
    const git = gitCommand(repoRoot);
    const fetched = `${FETCHED}/${refs.planId}`;
    const base = sandboxBaseRef(refs.planId);
    try {
      await this.#git(repoRoot, ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', this.url, `+refs/heads/${refs.branch}:${fetched}`, `+${base}:${base}`]);
    } catch (error) {
      if (error instanceof TroupeError && /couldn't find remote ref/i.test(String(error.details?.['stderr'] ?? ''))) return null;
      throw error;
    }
    const head = (await git.plumb(['rev-parse', '--verify', `${fetched}^{commit}`])).trim();
    // `update-ref` moves a branch a worktree has checked out too; the worktree's files are reset by its caller
    await git.plumb(['update-ref', `refs/heads/${refs.branch}`, head]);
    return head;
  }

  /** Fetch the plan's branch so `commit` (its head) is in `repoRoot` for the merge. */
  async fetch(repoRoot: string, refs: RemoteSandboxRefs, commit: string): Promise<void> {
    const git = gitCommand(repoRoot);
    // already here (a merge run again): nothing to fetch
    if ((await git.tryRun(['cat-file', '-e', `${commit}^{commit}`])) !== null) return;
    await this.#git(repoRoot, ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', this.url, `+refs/heads/${refs.branch}:${FETCHED}/${refs.planId}`]);
    if ((await git.tryRun(['cat-file', '-e', `${commit}^{commit}`])) === null) {
      throw new TroupeError('REMOTE_UNAVAILABLE', `the shared remote ${redactedUrl(this.url)} has no commit ${commit.slice(0, 12)} on ${refs.branch}`, {
        details: { setting: this.#setting, branch: refs.branch, commit },
        hint: 'the worker that ran the child pushes its branch after every step: check that every worker uses the same remote',
      });
    }
  }

  /** Whether the remote answers (`git ls-remote` of one ref), run from `repoRoot`. */
  async reachable(repoRoot: string): Promise<boolean> {
    return this.#git(repoRoot, ['ls-remote', '--quiet', this.url, 'HEAD']).then(
      () => true,
      () => false,
    );
  }

  /** Forget a merged child's branch and refs here (housekeeping of the parent's repository). */
  async forget(repoRoot: string, planId: string): Promise<void> {
    await gitCommand(repoRoot).tryRun(['update-ref', '-d', `${FETCHED}/${planId}`]);
  }

  async #git(repoRoot: string, args: string[]): Promise<string> {
    try {
      return await gitCommand(repoRoot).plumb(args);
    } catch (error) {
      if (!(error instanceof GitCommandError)) throw error;
      throw new TroupeError('REMOTE_UNAVAILABLE', `git ${args[0]} with the shared remote ${redactedUrl(this.url)} failed: ${firstLine(error.stderr)}`, {
        details: { setting: this.#setting, stderr: error.stderr },
        hint: `check ${this.#setting}: every worker and the parent's machine must be able to push to and fetch from it`,
      });
    }
  }
}

/** A URL as messages show it: without its password. */
export function redactedUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@]*):[^@/]*@/i, '$1:***@');
}

function firstLine(text: string): string {
  return text.trim().split('\n').find((line) => line.trim() !== '') ?? 'no message';
}
