import { existsSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { isUlid, sandboxBranchName } from '../domain/index.js';
import type { FileChange, SandboxInfo } from '../domain/index.js';
import type { WorktreeStatus } from './file-changes.js';
import { GitCommandError, gitCommand, type GitCommand } from './git-command.js';
import { Gitlinks } from './gitlinks.js';
import type { PendingState, Sandboxes } from './types.js';
import { isIntact, WorktreeAdmin } from './worktree-admin.js';
import { isMissingObject, repositoryDamaged } from './repository-damage.js';
import { readsWhole } from './readable-commits.js';
import { checkPlan, planIdOf, WORKTREES_DIR } from './worktree-paths.js';
import { forgetPlanRefs, keepLines, planRefCounts, sandboxBaseRef } from './sandbox-refs.js';
import { revision } from './commit-lookup.js';
import { commitAll, commitStaged, resetWorktree, stageAll, worktreeStatus } from './step-commits.js';
import { changedPaths, CommitListings, diffFiles, patchOf } from './commit-listings.js';
import { baseCommitOf, ensureSandbox, type SandboxRepository } from './sandbox-creation.js';

/**
 * {@link Sandboxes} on git worktrees: one worktree per plan at
 * `.troupe/worktrees/<plan-id>` on branch `troupe/<name>-<id6>`, with every
 * commit made as `troupe <troupe@localhost>`, unsigned and without hooks.
 *
 * @example
 * const sandboxes = createGitSandboxes('/repo');
 * const sandbox = await sandboxes.ensure({ id: plan.id, name: 'demo/x' });
 * await writeFile(join(sandboxes.pathOf(sandbox), 'a.txt'), 'hi\n');
 * const head = await sandboxes.commit(sandbox, 'step 1: write a.txt');
 */
export class GitSandboxes implements Sandboxes {
  readonly projectRoot: string;
  /** The repository the worktrees belong to: the project's, or a registered project's. */
  readonly repoRoot: string;
  private readonly project: GitCommand;
  // concurrent ensure() calls for one plan share one creation
  private readonly ensuring = new Map<string, Promise<SandboxInfo>>();
  private readonly others = new Map<string, GitSandboxes>();
  // worktrees this process created or found healthy, by plan id: their branch (see reopen)
  private readonly ready = new Map<string, string>();
  private readonly listings = new CommitListings();
  private readonly gitlinks = new Gitlinks();
  private readonly worktrees: WorktreeAdmin;
  // what making a sandbox needs of this repository: src/sandbox/sandbox-creation.ts
  private readonly repository: SandboxRepository;

  /** `repoRoot`: the repository whose worktrees these are, when not the project's own (a registered project). */
  constructor(projectRoot: string, repoRoot: string = projectRoot) {
    this.projectRoot = resolve(projectRoot);
    this.repoRoot = resolve(repoRoot);
    this.project = gitCommand(this.repoRoot);
    this.worktrees = new WorktreeAdmin(this.project, this.repoRoot, this.projectRoot);
    this.repository = { project: this.project, worktrees: this.worktrees, projectRoot: this.projectRoot };
  }

  // `head` (reopen only): where the branch of a worktree made afresh is put, whatever it was
  ensure(
    plan: { id: string; name: string },
    options: { base?: string; head?: string; repo?: string; onCreated?: (head: string) => void } = {},
  ): Promise<SandboxInfo> {
    const other = this.forRepo(options.repo);
    if (other !== this) {
      const { repo: _repo, ...rest } = options;
      return other.ensure(plan, rest).then((sandbox) => ({ ...sandbox, repo: other.repoRoot }));
    }
    const running = this.ensuring.get(plan.id);
    if (running !== undefined) return running;
    const created = ensureSandbox(this.repository, plan, options)
      .then(({ sandbox, checkedOut }) => {
        this.ready.set(plan.id, sandbox.branch);
        if (checkedOut) options.onCreated?.(sandbox.headCommit);
        return sandbox;
      })
      .finally(() => this.ensuring.delete(plan.id));
    this.ensuring.set(plan.id, created);
    return created;
  }

  async reopen(
    plan: { id: string; name: string },
    sandbox: SandboxInfo,
    options: { onCreated?: (head: string) => void } = {},
  ): Promise<SandboxInfo> {
    const other = this.forRepo(sandbox.repo);
    if (other !== this) return { ...(await other.reopen(plan, withoutRepo(sandbox), options)), repo: other.repoRoot };
    checkPlan(plan);
    const branch = sandboxBranchName(plan.name, plan.id);
    // made or checked by this process and still there: no git command needed
    const known =
      this.ready.get(plan.id) === branch &&
      sandbox.branch === branch &&
      sandbox.worktree === `${WORKTREES_DIR}/${plan.id}`;
    if (known && existsSync(join(this.projectRoot, WORKTREES_DIR, plan.id, '.git'))) return sandbox;
    const ensured = await this.ensure(plan, { base: sandbox.baseCommit, head: sandbox.headCommit, ...options });
    return { ...ensured, baseCommit: sandbox.baseCommit, headCommit: sandbox.headCommit };
  }

  async startOver(sandbox: SandboxInfo): Promise<SandboxInfo> {
    const other = this.forRepo(sandbox.repo);
    if (other !== this) return { ...(await other.startOver(withoutRepo(sandbox))), repo: other.repoRoot };
    const planId = planIdOf(sandbox);
    // a sandbox with step commits keeps its history: only an untouched one moves
    if (sandbox.headCommit !== sandbox.baseCommit) return sandbox;
    const target = await baseCommitOf(this.repository, undefined);
    const moved = { ...sandbox, baseCommit: target, headCommit: target };
    // ref, then worktree and branch: a crash in between is repaired by
    // calling again with the same (old) sandbox, which redoes both
    if (target !== sandbox.baseCommit) await this.project.plumb(['update-ref', sandboxBaseRef(planId), target]);
    await this.reset(moved, target);
    return moved;
  }

  pathOf(sandbox: SandboxInfo): string {
    planIdOf(sandbox);
    return join(this.projectRoot, sandbox.worktree);
  }

  // a step's git: src/sandbox/step-commits.ts

  async reset(
    sandbox: SandboxInfo,
    commit: string,
    options: { cleanAt?: string; seen?: WorktreeStatus; keepUntracked?: boolean } = {},
  ): Promise<void> {
    const other = this.forRepo(sandbox.repo);
    if (other !== this) return other.reset(withoutRepo(sandbox), commit, options);
    // a worktree a power cut left without its `.git` file or registration (or one deleted) is made
    // again from its branch, where its step commits are, before it is put back at `commit`
    const rebuilt = !isIntact(this.pathOf(sandbox));
    if (rebuilt) await this.rebuild(sandbox, commit);
    try {
      await resetWorktree(
        this.worktreeGit(sandbox),
        commit,
        rebuilt ? { ...(options.keepUntracked ? { keepUntracked: true } : {}) } : options,
      );
    } catch (error) {
      if (!(error instanceof GitCommandError && isMissingObject(`${error.stderr}\n${error.stdout}`))) throw error;
      // a commit a record names that git cannot read (a power cut took it): said as such, never INTERNAL_ERROR
      if (!(await readsWhole(this.repoRoot, [commit], null)))
        throw repositoryDamaged(
          `the step commit ${commit} of plan ${planIdOf(sandbox)} cannot be read: ${firstLine(error.stderr)}`,
        );
      // what is gone is where the worktree stood (its HEAD), not where it goes: moved there without asking what it held
      await this.worktreeGit(sandbox).run(['reset', '--hard', revision(commit)]);
      await this.worktreeGit(sandbox).run(['clean', '-f', '-f', '-d']);
    }
  }

  async readsHead(sandbox: SandboxInfo): Promise<boolean> {
    const other = this.forRepo(sandbox.repo);
    if (other !== this) return other.readsHead(withoutRepo(sandbox));
    return readsWhole(this.repoRoot, [sandbox.headCommit], null);
  }

  // the worktree of `sandbox` made again, its branch at `commit` (where it is being put back);
  // REPOSITORY_DAMAGED when git cannot check that commit out
  private async rebuild(sandbox: SandboxInfo, commit: string): Promise<void> {
    const path = this.pathOf(sandbox);
    await this.worktrees.clear(await this.worktrees.find(path), path);
    await mkdir(dirname(path), { recursive: true });
    try {
      await this.worktrees.add(path, ['-B', sandbox.branch, path, revision(commit)]);
    } catch (error) {
      throw repositoryDamaged(
        `the sandbox of plan ${planIdOf(sandbox)} lost its worktree, and git cannot check its commit ${commit} out again on ${sandbox.branch} (${messageOf(error)})`,
      );
    }
  }

  async pendingPaths(sandbox: SandboxInfo): Promise<string[]> {
    return (await this.pendingState(sandbox)).paths;
  }

  async pendingState(sandbox: SandboxInfo): Promise<PendingState> {
    // a worktree that went missing has nothing pending: its commits are on its branch
    const root = this.pathOf(sandbox);
    if (!existsSync(root)) return { paths: [], status: null };
    // a submodule path of the base that a command made into a repository is one too (`sub/`)
    const [status, populated] = await Promise.all([
      worktreeStatus(this.worktreeGit(sandbox)),
      this.gitlinks.populated(this.forRepo(sandbox.repo).project, revision(sandbox.baseCommit), root),
    ]);
    return { paths: [...new Set([...status.tracked, ...status.untracked, ...populated])].sort(), status };
  }

  // --allow-empty: a caller that asks for a commit gets one, changes or not
  // (the executor itself only commits steps that changed the sandbox)
  commit(sandbox: SandboxInfo, message: string): Promise<string> {
    return commitAll(this.worktreeGit(sandbox), message);
  }

  stage(sandbox: SandboxInfo): Promise<string[]> {
    return stageAll(this.worktreeGit(sandbox));
  }

  commitStaged(
    sandbox: SandboxInfo,
    message: string,
    base: string,
  ): Promise<{ headCommit: string; files: FileChange[] }> {
    return commitStaged(this.worktreeGit(sandbox), message, base);
  }

  // what commits hold and how they differ: src/sandbox/commit-listings.ts

  files(sandbox: SandboxInfo, commit: string): Promise<string[]> {
    return this.listings.files(this.forRepo(sandbox.repo).project, `${sandbox.repo ?? ''}\0${commit}`, commit);
  }

  diff(sandbox: SandboxInfo, base: string, head: string): Promise<FileChange[]> {
    return diffFiles(this.forRepo(sandbox.repo).project, base, head);
  }

  changedPaths(sandbox: SandboxInfo, base: string, head: string): Promise<Pick<FileChange, 'path' | 'action'>[]> {
    return changedPaths(this.forRepo(sandbox.repo).project, base, head);
  }

  patch(sandbox: SandboxInfo, base: string, head: string): Promise<string> {
    return patchOf(this.forRepo(sandbox.repo).project, base, head);
  }

  async remove(sandbox: SandboxInfo): Promise<void> {
    const other = this.forRepo(sandbox.repo);
    if (other !== this) return other.remove(withoutRepo(sandbox));
    const planId = planIdOf(sandbox);
    const path = this.pathOf(sandbox);
    this.ready.delete(planId);
    await this.worktrees.clear(await this.worktrees.find(path), path);
    // only troupe's own branches: a corrupt record must not delete the user's
    if (sandbox.branch.startsWith('troupe/') && (await this.hasBranch(sandbox.branch))) {
      await this.worktrees.run(['branch', '--quiet', '-D', sandbox.branch]);
    }
    await this.project.tryRun(['update-ref', '-d', sandboxBaseRef(planId)]);
  }

  async keep(planId: string, commits: readonly string[], repo?: string): Promise<void> {
    const other = this.forRepo(repo);
    if (other !== this) return other.keep(planId, commits);
    const lines = keepLines(planId, commits);
    if (lines.length > 0) await this.project.plumb(['update-ref', '--stdin'], lines.join(''));
  }

  async release(sandboxes: readonly { sandbox: SandboxInfo; keep: readonly string[] }[]): Promise<void> {
    const byRepo = new Map<GitSandboxes, { sandbox: SandboxInfo; keep: readonly string[] }[]>();
    for (const entry of sandboxes) {
      const owner = this.forRepo(entry.sandbox.repo);
      byRepo.set(owner, [...(byRepo.get(owner) ?? []), { ...entry, sandbox: withoutRepo(entry.sandbox) }]);
    }
    for (const [owner, entries] of byRepo) await owner.releaseHere(entries);
  }

  private async releaseHere(entries: readonly { sandbox: SandboxInfo; keep: readonly string[] }[]): Promise<void> {
    const lines: string[] = [];
    for (const { sandbox, keep } of entries) {
      const planId = planIdOf(sandbox);
      this.ready.delete(planId);
      // the folder goes first: a crash then leaves a branch that ensure() re-attaches, never a worktree without one
      await rm(this.pathOf(sandbox), { recursive: true, force: true });
      lines.push(...keepLines(planId, keep));
      // only troupe's own branches: a corrupt record must not delete the user's
      if (sandbox.branch.startsWith('troupe/') && !/[\s]/.test(sandbox.branch))
        lines.push(`delete refs/heads/${sandbox.branch}\n`);
      lines.push(`delete ${sandboxBaseRef(planId)}\n`);
    }
    if (lines.length > 0) await this.project.plumb(['update-ref', '--stdin'], lines.join(''));
    // git forgets the worktrees whose folders are gone
    await this.worktrees.run(['worktree', 'prune']);
  }

  async forget(planIds: readonly string[], repo?: string): Promise<number> {
    return forgetPlanRefs(this.forRepo(repo).project, planIds);
  }

  async planRefs(repo?: string): Promise<Map<string, number>> {
    return planRefCounts(this.forRepo(repo).project);
  }

  async leftovers(
    repo?: string,
  ): Promise<{ worktrees: string[]; branches: { branch: string; checkedOutAt: string | null }[] }> {
    const other = this.forRepo(repo);
    if (other !== this) return other.leftovers();
    const folder = join(this.projectRoot, WORKTREES_DIR);
    const worktrees = (await readdir(folder).catch(() => [] as string[])).filter((name) => isUlid(name)).sort();
    const checkedOut = new Map(
      (await this.worktrees.list()).flatMap((entry) => (entry.branch ? [[entry.branch, entry.path] as const] : [])),
    );
    const names = (await this.project.plumb(['for-each-ref', '--format=%(refname)', 'refs/heads/troupe/']))
      .split('\n')
      .filter(Boolean);
    return {
      worktrees,
      branches: names.map((ref) => ({
        branch: ref.slice('refs/heads/'.length),
        checkedOutAt: checkedOut.get(ref) ?? null,
      })),
    };
  }

  // the sandboxes of another repository, with their worktrees under this project
  private forRepo(repo: string | undefined): GitSandboxes {
    if (repo === undefined || resolve(repo) === this.repoRoot) return this;
    let other = this.others.get(resolve(repo));
    if (!other) this.others.set(resolve(repo), (other = new GitSandboxes(this.projectRoot, repo)));
    return other;
  }

  private worktreeGit(sandbox: SandboxInfo): GitCommand {
    return gitCommand(this.pathOf(sandbox));
  }

  private async hasBranch(branch: string): Promise<boolean> {
    return (await this.project.tryRun(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`])) !== null;
  }
}

/**
 * A {@link GitSandboxes} for the git project at `projectRoot`.
 *
 * @example
 * const sandboxes = createGitSandboxes(await findProjectRoot(process.cwd()));
 */
export function createGitSandboxes(projectRoot: string): GitSandboxes {
  return new GitSandboxes(projectRoot);
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

function messageOf(error: unknown): string {
  return error instanceof GitCommandError
    ? firstLine(error.stderr) || error.message
    : error instanceof Error
      ? error.message
      : String(error);
}

function withoutRepo(sandbox: SandboxInfo): SandboxInfo {
  const { repo: _repo, ...rest } = sandbox;
  return rest;
}
