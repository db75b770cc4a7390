// Making a plan's sandbox where it is asked for: a worktree found healthy,
// created fresh in two git processes, a branch that outlived its worktree
// re-attached, or a new branch made at its base. GitSandboxes keeps the
// sandboxes this process made; this is how one comes to be.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { sandboxBranchName, TroupeError } from '../domain/index.js';
import type { SandboxInfo } from '../domain/index.js';
import { isObjectId, type GitCommand } from './git-command.js';
import { isHealthy, type WorktreeAdmin } from './worktree-admin.js';
import { checkPlan, WORKTREES_DIR } from './worktree-paths.js';
import { recordedBase, sandboxBaseRef } from './sandbox-refs.js';
import { commitOf, commitsOf, revision } from './commit-lookup.js';

/** The repository a sandbox is made in, and the project its worktree goes under. */
export interface SandboxRepository {
  /** Troupe's git in the repository. */
  project: GitCommand;
  worktrees: WorktreeAdmin;
  /** The project whose `.troupe/worktrees/` holds the worktree. */
  projectRoot: string;
}

/**
 * The sandbox of `plan`, made if it is not there, and whether this call
 * checked its worktree out (so it is clean at its head). `base`: where a
 * new branch starts (HEAD by default); `head`: where the branch of a
 * worktree made afresh is put, whatever it was (a recorded sandbox
 * reopened). `VALIDATION_ERROR` when the base is not a commit.
 *
 * @example
 * const { sandbox, checkedOut } = await ensureSandbox(repository, { id: plan.id, name: 'demo/x' });
 */
export async function ensureSandbox(
  repository: SandboxRepository,
  plan: { id: string; name: string },
  options: { base?: string; head?: string } = {},
): Promise<{ sandbox: SandboxInfo; checkedOut: boolean }> {
  const { project, worktrees, projectRoot } = repository;
  checkPlan(plan);
  const worktree = `${WORKTREES_DIR}/${plan.id}`;
  const path = join(projectRoot, worktree);
  const branch = sandboxBranchName(plan.name, plan.id);

  const branchRef = `refs/heads/${branch}`;
  // the usual case of a child plan: nothing there yet and its spawn point given as an id
  // (a worker reopening a plan that ran elsewhere: also its recorded head)
  if (options.base !== undefined && isObjectId(options.base) && !existsSync(path)) {
    const head = options.head !== undefined && isObjectId(options.head) ? options.head : null;
    const made = await createFresh(repository, plan.id, path, branch, options.base, head);
    if (made)
      return {
        sandbox: { worktree, branch, baseCommit: options.base, headCommit: head ?? options.base },
        checkedOut: true,
      };
  }

  const entry = await worktrees.find(path);
  if (entry !== null && isHealthy(entry, path, branch)) {
    // already there: its recorded base (whatever `base` says now) and its branch's head
    const [recorded = null, head = null] = await commitsOf(project, [sandboxBaseRef(plan.id), branchRef]);
    const baseCommit = recorded ?? (await recordedBase(project, plan.id, branch));
    return {
      sandbox: { worktree, branch, baseCommit, headCommit: head ?? (await commitOf(project, branchRef)) },
      checkedOut: false,
    };
  }

  // a crash (or a user) can leave a directory git does not know, a
  // registration without its directory, or a worktree whose `add` never
  // finished (git keeps it locked). Commits live on the branch, not in
  // the directory, so clearing it loses nothing the plan recorded.
  await worktrees.clear(entry, path);
  await mkdir(dirname(path), { recursive: true });

  const [branchHead = null, base = null] = await commitsOf(project, [
    branchRef,
    options.base === undefined ? 'HEAD' : revision(options.base),
  ]);
  if (branchHead !== null) {
    // the branch outlived its worktree: keep its commits, re-attach it
    const baseCommit = await recordedBase(project, plan.id, branch);
    await worktrees.add(path, [path, branch]);
    return { sandbox: { worktree, branch, baseCommit, headCommit: branchHead }, checkedOut: true };
  }
  if (base === null) throw noBase(projectRoot, options.base);
  // recorded before the branch exists, so a branch never lacks its base
  await project.plumb(['update-ref', sandboxBaseRef(plan.id), base]);
  await worktrees.add(path, ['-b', branch, path, base]);
  // a new branch starts at its base
  return { sandbox: { worktree, branch, baseCommit: base, headCommit: base }, checkedOut: true };
}

/**
 * The commit `base` names (HEAD when it is undefined); `VALIDATION_ERROR`
 * when it names none.
 *
 * @example
 * const target = await baseCommitOf(repository, undefined); // where HEAD is
 */
export async function baseCommitOf(repository: SandboxRepository, base: string | undefined): Promise<string> {
  const [commit = null] = await commitsOf(repository.project, [base === undefined ? 'HEAD' : revision(base)]);
  if (commit === null) throw noBase(repository.projectRoot, base);
  return commit;
}

/**
 * Create a sandbox where nothing is yet, in two git processes: one ref
 * transaction that records the base — refused when the branch already
 * exists or the base is not a commit — and the `worktree add`. False when
 * either is refused: the caller then takes the long way, which finds out
 * why (a branch that outlived its worktree, a registration without its
 * directory, a bad base) and says so. With `head` (a recorded sandbox
 * reopened on another machine) the same transaction puts the branch
 * there, whether or not it existed: the record says where the sandbox is.
 */
async function createFresh(
  { project, worktrees }: SandboxRepository,
  planId: string,
  path: string,
  branch: string,
  base: string,
  head: string | null,
): Promise<boolean> {
  // `verify` with no value: the branch must not exist; the base ref is
  // still recorded before the branch exists, as on the long way
  const branchLine = head === null ? `verify refs/heads/${branch}\n` : `update refs/heads/${branch} ${head}^{commit}\n`;
  const transaction = `${branchLine}update ${sandboxBaseRef(planId)} ${base}^{commit}\n`;
  const recorded = await project.plumb(['update-ref', '--stdin'], transaction).then(
    () => true,
    () => false,
  );
  if (!recorded) return false;
  await mkdir(dirname(path), { recursive: true });
  return worktrees.add(path, head === null ? ['-b', branch, path, base] : [path, branch]).then(
    () => true,
    () => false,
  );
}

function noBase(projectRoot: string, base: string | undefined): TroupeError {
  if (base === undefined) {
    return new TroupeError(
      'VALIDATION_ERROR',
      `the project has no commits yet (${projectRoot}); a sandbox starts from a commit`,
      { hint: 'make a first commit' },
    );
  }
  return new TroupeError('VALIDATION_ERROR', `sandbox base "${base}" is not a commit in ${projectRoot}`);
}
