import { lstat, readdir, realpath, rm, rmdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  isTerminalStatus,
  PhaseGuardError,
  ValidationError,
  type PlanRecord,
  type SandboxInfo,
} from '../../domain/index.js';
import { CONFLICTS_DIR, RUN_DIR, WORKTREES_DIR, type Sandboxes } from '../../sandbox/index.js';
import type { Store } from '../../store/index.js';
import { readStoredPlan } from '../persistence/index.js';
import type { DeletePreview, DeleteResult, GcOptions, GcReport } from './housekeeping-api.js';
import { prunablePlanIds, prunableRefs, releaseAppliedTree } from './plan-refs.js';

/** What the runtime lends {@link RuntimeHousekeeping}. */
export interface HousekeepingHost {
  dir: string;
  store: Store;
  sandboxes: Sandboxes;
  /** Cancel a plan that has not ended (its commands killed, its children cancelled). */
  cancel(planId: string, reason: string): Promise<void>;
  /** Stop and forget a plan's live actor, if any (its pending writes landed first). */
  stop(planId: string): Promise<void>;
}

/**
 * Housekeeping (SPEC §18): the sandboxes of plans that are over go, the
 * commits their checkpoints point at stay. A merged child lets its sandbox
 * go at once; `gc` frees those of ended plans and what no plan owns any
 * more; `delete` removes a plan for good, with its children. Nothing a plan
 * that has not ended uses is touched; every step is safe to repeat.
 */
export class RuntimeHousekeeping {
  readonly #host: HousekeepingHost;

  constructor(host: HousekeepingHost) {
    this.#host = host;
  }

  /**
   * Let merged children's sandboxes go: their commits are in the parent's
   * (the merge commit's second parents) and kept by ref with their
   * checkpoints', so a rollback of the parent can merge them again.
   */
  async releaseMerged(childIds: readonly string[]): Promise<void> {
    const entries = [];
    for (const childId of childIds) {
      const record = await this.#host.store.getPlan(childId);
      if (record?.sandbox && isTerminalStatus(record.status))
        entries.push({ sandbox: record.sandbox, keep: await this.#keptCommits(record) });
    }
    if (entries.length > 0) await this.#host.sandboxes.release(entries);
  }

  /** An applied root plan and every plan under it leave no sandbox, branch or ref behind (see {@link releaseAppliedTree}). */
  async releaseApplied(rootId: string): Promise<void> {
    await releaseAppliedTree(this.#host, rootId);
  }

  /** Every sandbox of a runtime whose store goes with it (the memory store): nothing can use them after. */
  async releaseAll(): Promise<void> {
    const entries = (await this.#host.store.listPlans()).flatMap((record) =>
      record.sandbox ? [{ sandbox: record.sandbox, keep: [] }] : [],
    );
    if (entries.length > 0) await this.#host.sandboxes.release(entries);
    await this.#host.sandboxes.forget(entries.map((entry) => planIdOf(entry.sandbox)));
  }

  /** What `gc` frees — or, with `dryRun`, would free; `VALIDATION_ERROR` for an age that is not a number of milliseconds. */
  async gc(options: GcOptions = {}): Promise<GcReport> {
    if (options.olderThanMs !== undefined && !(Number.isFinite(options.olderThanMs) && options.olderThanMs >= 0)) {
      throw new ValidationError([{ path: 'olderThanMs', message: 'must be a number of milliseconds, 0 or more' }]);
    }
    const { store, sandboxes, dir } = this.#host;
    const now = Date.now();
    const plans = await store.listPlans();
    const known = new Set(plans.map((plan) => plan.id));
    const old = (plan: PlanRecord) =>
      options.olderThanMs === undefined || now - Date.parse(plan.updatedAt) >= options.olderThanMs;
    // registered projects' roots, by name (a child of another project has its branch there)
    const projects = new Map((await this.#host.store.listProjects()).map((project) => [project.name, project.path]));
    const leftovers = await this.#leftovers(projects);
    const folders = new Set(leftovers.worktrees);
    const branches = new Map(leftovers.branches.map((entry) => [entry.branch, entry]));

    // ended plans whose folder or branch is still there
    const ended = plans.filter(
      (plan) =>
        plan.sandbox &&
        isTerminalStatus(plan.status) &&
        old(plan) &&
        (folders.has(plan.id) || branches.has(plan.sandbox.branch)),
    );
    // folders no plan owns (a deleted plan, a runtime on the memory store), and troupe branches no plan names
    const owned = new Set(plans.flatMap((plan) => (plan.sandbox ? [plan.sandbox.branch] : [])));
    const orphanFolders = [...folders].filter((planId) => !known.has(planId));
    // only names troupe makes (troupe/<name>-<last 6 of an id>), checked out nowhere or in a sandbox
    // folder no plan owns: a branch of the user's — or one they checked out elsewhere — is never touched
    const sandboxFolders = new Set([
      join(dir, WORKTREES_DIR),
      await realpath(join(dir, WORKTREES_DIR)).catch(() => join(dir, WORKTREES_DIR)),
    ]);
    const orphanBranches = [...branches.values()].filter(
      (entry) =>
        SANDBOX_BRANCH.test(entry.branch) &&
        !owned.has(entry.branch) &&
        (entry.checkedOutAt === null ||
          (sandboxFolders.has(dirname(entry.checkedOutAt)) && !known.has(folderPlanId(entry.checkedOutAt)))),
    );

    const freed: GcReport['freed'] = [
      ...ended.map((plan) => ({
        planId: plan.id,
        name: plan.name,
        worktree: folders.has(plan.id) ? plan.sandbox!.worktree : null,
        branch: branches.has(plan.sandbox!.branch) ? plan.sandbox!.branch : null,
      })),
      ...orphanFolders.map((planId) => ({
        planId: null,
        name: null,
        worktree: `${WORKTREES_DIR}/${planId}`,
        branch: null,
      })),
      ...orphanBranches.map((entry) => ({ planId: null, name: null, worktree: null, branch: entry.branch })),
    ];
    // the refs of plans whose tree has ended, and of plans no record names
    const others = [...new Set([...projects.values()].map((path) => resolve(path)))].filter(
      (path) => path !== resolve(dir),
    );
    const refs = await prunableRefs(sandboxes, [undefined, ...others], (ids) => prunablePlanIds(plans, ids, old));
    const pruned = new Set([...refs.byRepo.values()].flat());
    let bytes = 0;
    for (const entry of freed) if (entry.worktree) bytes += await sizeOf(join(dir, entry.worktree));
    const report: GcReport = {
      dryRun: options.dryRun === true,
      worktrees: freed.filter((entry) => entry.worktree !== null).length,
      branches: freed.filter((entry) => entry.branch !== null).length,
      plans: ended.length,
      bytes,
      refs: refs.count,
      freed,
    };
    if (options.dryRun) return report;

    const releases = [];
    for (const plan of ended)
      releases.push({ sandbox: plan.sandbox!, keep: pruned.has(plan.id) ? [] : await this.#keptCommits(plan) });
    for (const planId of orphanFolders)
      releases.push({
        sandbox: { worktree: `${WORKTREES_DIR}/${planId}`, branch: '', baseCommit: '', headCommit: '' },
        keep: [],
      });
    // an orphan branch may belong to a registered project's repository: released where it lives
    for (const entry of orphanBranches) {
      const planId = entry.checkedOutAt ? folderPlanId(entry.checkedOutAt) : null;
      releases.push({
        sandbox: {
          worktree: `${WORKTREES_DIR}/${planId ?? '00000000000000000000000000'}`,
          branch: entry.branch,
          baseCommit: '',
          headCommit: '',
          ...(entry.repo ? { repo: entry.repo } : {}),
        },
        keep: [],
      });
    }
    if (releases.length > 0) await sandboxes.release(releases);
    for (const [repo, planIds] of refs.byRepo) await sandboxes.forget(planIds, repo);
    for (const planId of orphanFolders) await rm(join(dir, CONFLICTS_DIR, planId), { recursive: true, force: true });
    // the command ledgers of plans that ended or that no record names, when nothing is recorded in them
    const over = new Set(plans.filter((plan) => isTerminalStatus(plan.status) && old(plan)).map((plan) => plan.id));
    const ledgers = await readdir(join(dir, RUN_DIR)).catch(() => [] as string[]);
    await emptyLedgers(
      dir,
      ledgers.filter((planId) => over.has(planId) || !known.has(planId)),
    );
    return report;
  }

  /** What deleting `record` would remove, changing nothing; `PHASE_GUARD` for a child of a plan that has not ended. */
  async preview(record: PlanRecord): Promise<DeletePreview> {
    const plans = await this.#host.store.listPlans();
    const parent = record.parentId === null ? null : plans.find((plan) => plan.id === record.parentId);
    if (parent && !isTerminalStatus(parent.status)) {
      throw new PhaseGuardError(
        record.name,
        'delete',
        `it is a child plan of ${parent.name}, which has not ended`,
        `delete the plan it belongs to: troupe plan delete ${rootName(plans, record)}`,
      );
    }
    const family = descendants(plans, record.id);
    const withCheckpoints = await Promise.all(
      [record, ...family].map(async (plan) => ({
        plan,
        checkpoints: (await this.#host.store.listCheckpoints(plan.id)).length,
      })),
    );
    return {
      planId: record.id,
      name: record.name,
      plans: withCheckpoints.map(({ plan, checkpoints }) => ({
        id: plan.id,
        name: plan.name,
        phase: plan.phase,
        status: plan.status,
        checkpoints,
      })),
      cancels: [record, ...family].filter((plan) => !isTerminalStatus(plan.status)).map((plan) => plan.name),
    };
  }

  /**
   * Delete a plan and its children for good: a plan that has not ended is
   * cancelled first; then their sandboxes, branches and kept commits go,
   * then every stored record of them — children before the plan, so a crash
   * half-way leaves a plan that can be deleted again.
   */
  async delete(record: PlanRecord): Promise<DeleteResult> {
    const preview = await this.preview(record);
    if (!isTerminalStatus(record.status)) await this.#host.cancel(record.id, 'deleted (troupe plan delete)');
    const plans = await this.#host.store.listPlans();
    const family = [record.id, ...descendants(plans, record.id).map((plan) => plan.id)];
    const records = family.flatMap((id) => plans.filter((plan) => plan.id === id));
    for (const plan of records) await this.#host.stop(plan.id);
    const withSandbox = records.filter((plan) => plan.sandbox);
    if (withSandbox.length > 0)
      await this.#host.sandboxes.release(withSandbox.map((plan) => ({ sandbox: plan.sandbox!, keep: [] })));
    for (const plan of withSandbox) await this.#host.sandboxes.forget([plan.id], plan.sandbox!.repo);
    await emptyLedgers(
      this.#host.dir,
      records.map((plan) => plan.id),
    );
    for (const plan of [...records].reverse()) {
      await rm(join(this.#host.dir, CONFLICTS_DIR, plan.id), { recursive: true, force: true });
      await this.#host.store.deletePlan(plan.id);
    }
    return { ...preview, deleted: records.map((plan) => plan.id) };
  }

  /**
   * `--replace`: the plan that holds `name` goes if it has ended, with its
   * children; a child plan, or one that has not ended, is refused
   * (`PHASE_GUARD`) — the latter with `details.openPlanId`, which the CLI
   * cancels after asking and then replaces.
   */
  async replace(name: string): Promise<void> {
    const holder = await this.#host.store.getPlanIdByName(name);
    if (holder === null) return;
    const record = await readStoredPlan(this.#host.store, holder);
    // before "not ended": a child plan is never cancelled to replace it
    if (record.parentId !== null) {
      throw new PhaseGuardError(
        name,
        'replace',
        'it is a child plan',
        'a child plan is replaced with the plan it belongs to',
      );
    }
    if (!isTerminalStatus(record.status)) {
      throw new PhaseGuardError(
        name,
        'replace',
        `it has not ended: it is (${record.phase}, ${record.status})`,
        `cancel it first (troupe plan cancel ${name}); troupe plan run <file> --replace asks and does both`,
        { openPlanId: record.id },
      );
    }
    await this.delete(record);
  }

  // the commits a plan's checkpoints and head point at
  async #keptCommits(record: PlanRecord): Promise<string[]> {
    const checkpoints = await this.#host.store.listCheckpoints(record.id);
    const commits = checkpoints.flatMap((checkpoint) => (checkpoint.sandboxCommit ? [checkpoint.sandboxCommit] : []));
    if (record.sandbox) commits.push(record.sandbox.headCommit);
    return [...new Set(commits)];
  }

  // the sandbox folders of this project, and troupe's branches in it and in every registered project
  async #leftovers(projects: Map<string, string>) {
    const here = await this.#host.sandboxes.leftovers();
    const branches: { branch: string; checkedOutAt: string | null; repo?: string }[] = [...here.branches];
    for (const path of projects.values()) {
      const there = await this.#host.sandboxes.leftovers(path).catch(() => null);
      if (there) branches.push(...there.branches.map((entry) => ({ ...entry, repo: path })));
    }
    return { worktrees: here.worktrees, branches };
  }
}

// a sandbox branch as sandboxBranchName makes it
const SANDBOX_BRANCH = /^troupe\/[a-z][a-z0-9-]*-[a-z][a-z0-9-]*-[0-9a-hjkmnp-tv-z]{6}$/;

/** A plan's descendants, children before their own children (spawn order within a parent). */
function descendants(plans: readonly PlanRecord[], planId: string): PlanRecord[] {
  const children = plans.filter((plan) => plan.parentId === planId);
  return children.flatMap((child) => [child, ...descendants(plans, child.id)]);
}

function rootName(plans: readonly PlanRecord[], record: PlanRecord): string {
  return plans.find((plan) => plan.id === record.rootId)?.name ?? record.rootId;
}

// `.troupe/worktrees/<plan-id>` → the plan id
function folderPlanId(path: string): string {
  return path.split('/').at(-1) ?? '';
}

function planIdOf(sandbox: SandboxInfo): string {
  return folderPlanId(sandbox.worktree);
}

// bytes of the files under `path` (links and folders not followed), 0 when it is gone
async function sizeOf(path: string): Promise<number> {
  const stat = await lstat(path).catch(() => null);
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.size;
  let total = 0;
  for (const name of await readdir(path).catch(() => [] as string[])) total += await sizeOf(join(path, name));
  return total;
}

// a plan's ledger folder goes when it is empty; one that still holds a record (a command that a
// killed process left, which may still run) stays as it is: rmdir refuses it
async function emptyLedgers(dir: string, planIds: readonly string[]): Promise<void> {
  for (const planId of planIds) await rmdir(join(dir, RUN_DIR, planId)).catch(() => {});
}
