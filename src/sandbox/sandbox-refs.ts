// The refs troupe keeps in a project's repository for each plan: the commit
// its sandbox was branched from, and the commits it must keep reachable
// after its branch moved or went.
import { TroupeError } from '../domain/index.js';
import { isObjectId, type GitCommand } from './git-command.js';

/**
 * The ref that records the commit a plan's sandbox was branched from. A ref
 * (not a file in the worktree, not the reflog) because it lives in the
 * shared repository, survives a lost worktree, is written atomically, is
 * never expired like reflog entries, and keeps the base commit from being
 * garbage-collected while the sandbox exists.
 *
 * @example
 * sandboxBaseRef('01J0000000000000000000000A'); // 'refs/troupe/base/01J0000000000000000000000A'
 */
export function sandboxBaseRef(planId: string): string {
  return `refs/troupe/base/${planId}`;
}

/** The ref that keeps a plan's commit reachable after its branch moved or went. */
export function keptCommitRef(planId: string, commit: string): string {
  return `refs/troupe/keep/${planId}/${commit}`;
}

/**
 * The `update-ref --stdin` lines that keep each commit with a {@link keptCommitRef}
 * (commit ids only: nothing a caller could turn into another ref).
 */
export function keepLines(planId: string, commits: readonly string[]): string[] {
  return [...new Set(commits)]
    .filter((commit) => isObjectId(commit))
    .map((commit) => `update ${keptCommitRef(planId, commit)} ${commit}\n`);
}

/**
 * The commit a sandbox was branched from: the base ref; failing that (a
 * sandbox made before the ref existed, or a deleted ref) the branch's
 * creation entry in its reflog; failing that its merge base with the
 * project's HEAD, right whenever the sandbox started from HEAD. A
 * recovered base is written back to the ref.
 *
 * @example
 * const base = await recordedBase(gitCommand(repoRoot), planId, 'troupe/demo-01abcd');
 */
export async function recordedBase(project: GitCommand, planId: string, branch: string): Promise<string> {
  const recorded = await project.tryRun(['rev-parse', '--verify', '--quiet', `${sandboxBaseRef(planId)}^{commit}`]);
  if (recorded !== null) return recorded.trim();

  let base: string | null = null;
  const reflog = await project.tryRun(['reflog', 'show', '--format=%H %gs', `refs/heads/${branch}`, '--']);
  const oldest = reflog?.trim().split('\n').at(-1);
  if (oldest?.includes(' branch: Created from ')) base = oldest.slice(0, oldest.indexOf(' '));
  base ??= (await project.tryRun(['merge-base', `refs/heads/${branch}`, 'HEAD']))?.trim() || null;
  if (base === null) {
    throw new TroupeError('INTERNAL_ERROR', `cannot tell which commit sandbox branch ${branch} started from`, {
      hint: `remove the branch (git branch -D ${branch}) and run the plan again`,
    });
  }
  await project.plumb(['update-ref', sandboxBaseRef(planId), base]);
  return base;
}

// every namespace troupe writes a plan's refs in: kept commits, the base, a resolved merge
// (refs/troupe/merge/<id>, see merge-workspace.ts); refs/troupe/fetched is the remote's, no plan's
const PLAN_REF_ROOTS = ['refs/troupe/keep/', 'refs/troupe/base/', 'refs/troupe/merge/'] as const;

/**
 * The plan a ref of troupe's belongs to (`refs/troupe/keep/<id>/<commit>`,
 * `refs/troupe/base/<id>`, `refs/troupe/merge/<id>`), or null for any other ref.
 *
 * @example
 * planIdOfRef('refs/troupe/keep/01J0000000000000000000000A/1a2b…'); // '01J0000000000000000000000A'
 */
export function planIdOfRef(ref: string): string | null {
  const root = PLAN_REF_ROOTS.find((prefix) => ref.startsWith(prefix));
  const planId = root === undefined ? '' : (ref.slice(root.length).split('/')[0] ?? '');
  return planId === '' ? null : planId;
}

/**
 * How many refs troupe holds for each plan in a repository (kept commits,
 * base, merge): what `gc` may prune.
 *
 * @example
 * const counts = await planRefCounts(gitCommand(repoRoot)); // Map { '01J…' => 4 }
 */
export async function planRefCounts(project: GitCommand): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const ref of (await project.plumb(['for-each-ref', '--format=%(refname)', ...PLAN_REF_ROOTS])).split('\n')) {
    const planId = planIdOfRef(ref);
    if (planId !== null) counts.set(planId, (counts.get(planId) ?? 0) + 1);
  }
  return counts;
}

/**
 * Delete every ref troupe holds for these plans, in one `update-ref`
 * transaction, and answer how many went. Only for plans nothing can roll
 * back any more: their commits become unreachable (git's own gc prunes them
 * after `gc.pruneExpire`).
 *
 * @example
 * await forgetPlanRefs(gitCommand(repoRoot), [planId]); // 5
 */
export async function forgetPlanRefs(project: GitCommand, planIds: readonly string[]): Promise<number> {
  const wanted = new Set(planIds);
  if (wanted.size === 0) return 0;
  const refs = (await project.plumb(['for-each-ref', '--format=%(refname)', ...PLAN_REF_ROOTS]))
    .split('\n')
    .filter((ref) => wanted.has(planIdOfRef(ref) ?? ''));
  if (refs.length > 0) await project.plumb(['update-ref', '--stdin'], refs.map((ref) => `delete ${ref}\n`).join(''));
  return refs.length;
}
