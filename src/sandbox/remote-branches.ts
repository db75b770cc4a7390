import { TroupeError } from '../domain/index.js';
import { CoalescedRuns } from './coalesced-runs.js';
import { gitCommand, GitCommandError, isObjectId } from './git-command.js';
import { ExpectedRequests, type ComingRequest } from './expected-requests.js';
import { commitsHere } from './object-checks.js';
import { sandboxBaseRef } from './sandbox-refs.js';

/** Where a child plan's commits travel between machines: the branch of its sandbox and its base ref. */
export interface RemoteSandboxRefs {
  planId: string;
  /** The sandbox branch, `troupe/<name>-<id6>`. */
  branch: string;
}

// how one request of a coalesced push or fetch went: `error` absent when it went through
type Outcome = { error?: unknown };

// where a fetched branch lands before it is taken (never a branch a worktree has checked out)
const FETCHED = 'refs/troupe/fetched';

// how long a push about to start waits for step commits under way in its clone (they are a few ms to tens of ms)
const PUSH_GATHER_MS = 150;

/**
 * The remote's ref that holds a spawn point: children spawned at one commit
 * (every child of a parallel group) share it, so it is pushed once.
 *
 * @example
 * spawnPointRef('0123…'); // 'refs/troupe/spawn/0123…'
 */
export function spawnPointRef(commit: string): string {
  return `refs/troupe/spawn/${commit}`;
}

/**
 * A shared git remote that carries child plans' sandboxes between the
 * machines of a scale-out (docs/how-to/scale-out.md): the parent pushes a child's
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
  // per repository: the pushes and fetches asked for while one ran go together in the next
  readonly #pushes = new Map<string, CoalescedRuns<RemoteSandboxRefs, Outcome>>();
  // per repository: the step commits under way, each about to ask for a push
  readonly #coming = new Map<string, ExpectedRequests>();
  readonly #fetches = new Map<string, CoalescedRuns<{ refspec: string; commit: string }, Outcome>>();
  readonly #heldHere: ((planIds: readonly string[]) => Promise<readonly string[]>) | null;

  /**
   * `setting`: how messages name where the URL came from. `heldHere`: of
   * some plans, those this process still holds (a worker's store,
   * {@link Store.heldHere}); a step commit of a plan it no longer holds is
   * not pushed ({@link publish}).
   */
  constructor(
    url: string,
    setting: string,
    options: { heldHere?: (planIds: readonly string[]) => Promise<readonly string[]> } = {},
  ) {
    this.url = url;
    this.#setting = setting;
    this.#heldHere = options.heldHere ?? null;
  }

  /** Push `commit` as the plan's branch and base ref (a new child, or a new attempt starting over). */
  async publishStart(repoRoot: string, refs: RemoteSandboxRefs, commit: string): Promise<void> {
    if (!isObjectId(commit))
      throw new TroupeError('INTERNAL_ERROR', `a child's spawn point must be a commit id, got "${commit}"`);
    await this.#git(repoRoot, [
      'push',
      '--quiet',
      '--force',
      '--no-verify',
      this.url,
      `${commit}:refs/heads/${refs.branch}`,
      `${commit}:${sandboxBaseRef(refs.planId)}`,
    ]);
  }

  /**
   * Push `commit` as a spawn point ({@link spawnPointRef}): what a worker
   * fetches to start a child there. Pushing it again changes nothing.
   */
  async publishSpawnPoint(repoRoot: string, commit: string): Promise<void> {
    if (!isObjectId(commit))
      throw new TroupeError('INTERNAL_ERROR', `a child's spawn point must be a commit id, got "${commit}"`);
    await this.#git(repoRoot, ['push', '--quiet', '--no-verify', this.url, `${commit}:${spawnPointRef(commit)}`]);
  }

  /** Push the sandbox's branch and its base ref as they are in `repoRoot` (a plan strategized here, then run on a worker). */
  async publishBranch(repoRoot: string, refs: RemoteSandboxRefs): Promise<void> {
    const base = sandboxBaseRef(refs.planId);
    await this.#git(repoRoot, [
      'push',
      '--quiet',
      '--force',
      '--no-verify',
      this.url,
      `refs/heads/${refs.branch}:refs/heads/${refs.branch}`,
      `${base}:${base}`,
    ]);
  }

  /** The commit `repoRoot`'s HEAD is at. */
  async headOf(repoRoot: string): Promise<string> {
    return (await gitCommand(repoRoot).plumb(['rev-parse', '--verify', 'HEAD^{commit}'])).trim();
  }

  /**
   * Push the sandbox's branch as it is in `repoRoot` (after a step commit, a
   * reset): forced, since a rollback or a new attempt moves it back. The
   * push completes before the step's transition is stored, so the remote is
   * never behind what the store says. `coming`, from {@link expectPublish}
   * before the commit, is the announcement this request fulfils.
   *
   * With `heldHere`, a branch goes only while this process still holds its
   * plan: a worker cut off from the database, whose plan another worker
   * took meanwhile, must not force its stale commit over the other's
   * (`STORE_UNAVAILABLE`: the job goes back, as when a write fails).
   */
  async publish(repoRoot: string, refs: RemoteSandboxRefs, coming?: ComingRequest): Promise<void> {
    let pushes = this.#pushes.get(repoRoot);
    if (!pushes) {
      const expected = this.#expected(repoRoot);
      pushes = new CoalescedRuns(
        (requests) => this.#pushHeld(repoRoot, requests),
        () => expected.settled(),
      );
      this.#pushes.set(repoRoot, pushes);
    }
    const answer = pushes.request(refs);
    coming?.arrived();
    const { error } = await answer;
    if (error !== undefined) throw error;
  }

  // one push of the branches whose plans this process still holds; the others fail, pushed by no one here
  async #pushHeld(repoRoot: string, requests: readonly RemoteSandboxRefs[]): Promise<Outcome[]> {
    const held = this.#heldHere
      ? new Set(await this.#heldHere(requests.map((each) => each.planId)).catch(() => []))
      : null;
    const going = held ? requests.filter((each) => held.has(each.planId)) : requests;
    const pushed =
      going.length === 0
        ? []
        : await this.#together(
            going.map((each) => each.branch),
            (some) =>
              this.#git(repoRoot, [
                'push',
                '--quiet',
                '--force',
                '--no-verify',
                this.url,
                ...some.map((branch) => `refs/heads/${branch}:refs/heads/${branch}`),
              ]),
          );
    const outcomes = new Map(going.map((each, index) => [each, pushed[index]!]));
    return requests.map((each) => outcomes.get(each) ?? { error: notHeld(each) });
  }

  /**
   * Say a step commit is under way in `repoRoot` and will ask for a push
   * ({@link publish} with the answer): a push about to start waits for it,
   * up to 150 ms, so that a worker's children finishing a step together
   * reach the remote in one push. `cancel` it when no push follows.
   */
  expectPublish(repoRoot: string): ComingRequest {
    return this.#expected(repoRoot).coming();
  }

  #expected(repoRoot: string): ExpectedRequests {
    let expected = this.#coming.get(repoRoot);
    if (!expected) {
      expected = new ExpectedRequests(PUSH_GATHER_MS);
      this.#coming.set(repoRoot, expected);
    }
    return expected;
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
      await this.#git(repoRoot, [
        'fetch',
        '--quiet',
        '--no-tags',
        '--no-write-fetch-head',
        this.url,
        `+refs/heads/${refs.branch}:${fetched}`,
        `+${base}:${base}`,
      ]);
    } catch (error) {
      if (error instanceof TroupeError && /couldn't find remote ref/i.test(String(error.details?.['stderr'] ?? '')))
        return null;
      throw error;
    }
    const head = (await git.plumb(['rev-parse', '--verify', `${fetched}^{commit}`])).trim();
    // `update-ref` moves a branch a worktree has checked out too; the worktree's files are reset by its caller
    await git.plumb(['update-ref', `refs/heads/${refs.branch}`, head]);
    return head;
  }

  /**
   * Make sure `repoRoot` has the sandbox's recorded head and base commits,
   * fetching only when it lacks one: from the spawn point when the sandbox
   * has no commits of its own (head = base), else from its branch, then the
   * other. False when the remote has neither (a sandbox whose commits were
   * never pushed: the caller takes the branch as the remote has it).
   */
  async bring(repoRoot: string, refs: RemoteSandboxRefs, commits: { head: string; base: string }): Promise<boolean> {
    const git = gitCommand(repoRoot);
    const wanted = [commits.head, commits.base];
    if (!wanted.every(isObjectId)) return false;
    const present = async () => (await commitsHere(git, wanted)).every((found) => found !== null);
    if (await present()) return true;
    const fetched = `${FETCHED}/${refs.planId}`;
    const sources = [`+${spawnPointRef(commits.base)}:${fetched}`, `+refs/heads/${refs.branch}:${fetched}`];
    if (commits.head !== commits.base) sources.reverse();
    for (const source of sources) {
      try {
        await this.#git(repoRoot, ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', this.url, source]);
      } catch (error) {
        if (error instanceof TroupeError && /couldn't find remote ref/i.test(String(error.details?.['stderr'] ?? '')))
          continue;
        throw error;
      }
      if (await present()) return true;
    }
    return false;
  }

  /**
   * Fetch the plan's branch so `commit` (its head) is in `repoRoot` for the
   * merge: children that came back while a fetch ran are fetched together
   * in the next. A commit already here (a merge run again) needs no branch.
   */
  async fetch(repoRoot: string, refs: RemoteSandboxRefs, commit: string): Promise<void> {
    let fetches = this.#fetches.get(repoRoot);
    if (!fetches) {
      fetches = new CoalescedRuns((wanted) => this.#fetchAll(repoRoot, wanted));
      this.#fetches.set(repoRoot, fetches);
    }
    const { error } = await fetches.request({
      refspec: `+refs/heads/${refs.branch}:${FETCHED}/${refs.planId}`,
      commit,
    });
    if (error === undefined) return;
    if (error !== null) throw error;
    throw new TroupeError(
      'REMOTE_UNAVAILABLE',
      `the shared remote ${redactedUrl(this.url)} has no commit ${commit.slice(0, 12)} on ${refs.branch}`,
      {
        details: { setting: this.#setting, branch: refs.branch, commit },
        hint: 'the worker that ran the child pushes its branch after every step: check that every worker uses the same remote',
      },
    );
  }

  // one fetch for every branch whose commit is not here yet, then which are (error null: fetched, and still not there)
  async #fetchAll(repoRoot: string, wanted: readonly { refspec: string; commit: string }[]): Promise<Outcome[]> {
    const git = gitCommand(repoRoot);
    const here = await commitsHere(
      git,
      wanted.map((each) => each.commit),
    );
    const missing = wanted.filter((_, index) => here[index] === null);
    if (missing.length === 0) return wanted.map(() => ({}));
    const fetched = await this.#together(
      missing.map((each) => each.refspec),
      (some) => this.#git(repoRoot, ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', this.url, ...some]),
    );
    const found = await commitsHere(
      git,
      missing.map((each) => each.commit),
    );
    const outcomes = new Map(
      missing.map((each, index) => [each, found[index] !== null ? {} : { error: fetched[index]?.error ?? null }]),
    );
    return wanted.map((each) => outcomes.get(each) ?? {});
  }

  // run `git` for all `items` at once; when that fails, for each alone, so that one bad item fails only its own request
  async #together(items: readonly string[], git: (some: readonly string[]) => Promise<unknown>): Promise<Outcome[]> {
    const unique = [...new Set(items)];
    const outcome = (run: Promise<unknown>) =>
      run.then(
        (): Outcome => ({}),
        (error: unknown): Outcome => ({ error }),
      );
    const all = await outcome(git(unique));
    if (all.error === undefined || unique.length === 1) return items.map(() => all);
    const each = new Map(await Promise.all(unique.map(async (item) => [item, await outcome(git([item]))] as const)));
    return items.map((item) => each.get(item)!);
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
      throw new TroupeError(
        'REMOTE_UNAVAILABLE',
        `git ${args[0]} with the shared remote ${redactedUrl(this.url)} failed: ${firstLine(error.stderr)}`,
        {
          details: { setting: this.#setting, stderr: error.stderr },
          hint: `check ${this.#setting}: every worker and the parent's machine must be able to push to and fetch from it`,
        },
      );
    }
  }
}

// a step commit not pushed: this process cannot confirm it still holds the plan (its database session ended or does not answer)
function notHeld(refs: RemoteSandboxRefs): TroupeError {
  return new TroupeError(
    'STORE_UNAVAILABLE',
    `this process no longer holds plan ${refs.planId} (its database session ended or does not answer): its step commit on ${refs.branch} is not pushed`,
    {
      details: { planId: refs.planId, branch: refs.branch },
      hint: 'the job goes back to the queue: the worker that holds the plan now (or this one, once the database answers) runs the step from its last stored transition',
    },
  );
}

/** A URL as messages show it: without its password. */
export function redactedUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@]*):[^@/]*@/i, '$1:***@');
}

function firstLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .find((line) => line.trim() !== '') ?? 'no message'
  );
}
