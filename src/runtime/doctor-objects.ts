import { existsSync } from 'node:fs';
import type { PlanRecord } from '../domain/index.js';
import { readsWhole } from '../sandbox/index.js';
import { LevelStore, defaultStorePath } from '../store/index.js';
import { postgresStore, storeChoice } from '../store/store-choice.js';
import type { DoctorCheck } from './doctor-check.js';
import { hostSocketPath, RemoteRuntime } from './host/index.js';
import type { ProjectConfig } from './project/index.js';
import type { Runtime } from './runtime.js';

/** What the git-objects check reads of the records: the plans, and each plan's checkpoints with their commits. */
export interface RecordedCommits {
  plans(): Promise<PlanRecord[]>;
  /** A plan's checkpoints, oldest first: id, label and the sandbox commit each names (null before the sandbox existed). */
  checkpoints(planId: string): Promise<{ id: string; label: string | null; sandboxCommit: string | null }[]>;
}

/** A plan whose recorded commits git cannot all read, and where it can go back to. */
export interface DamagedPlan {
  plan: PlanRecord;
  /** What is missing, in git's words or troupe's. */
  missing: string;
  /** The newest checkpoint whose commit git reads whole, if any. */
  readable: { id: string; label: string | null } | null;
  /** The checkpoints whose commits git cannot read: none can be gone back to. */
  lost: string[];
}

/**
 * The plans whose recorded git state cannot be read: for each plan with a
 * sandbox, its head and every checkpoint's commit, with every object
 * reachable from them since its base (`git rev-list --objects
 * --missing=print`), and an applied plan's commit in the project. A crash
 * or power cut takes what was not synced; troupe's own git now syncs what
 * it writes (`core.fsync`), so these come from older troupes or other
 * programs.
 *
 * @example
 * const damaged = await damagedPlans('/repo', records);
 */
export async function damagedPlans(root: string, records: RecordedCommits): Promise<DamagedPlan[]> {
  const damaged: DamagedPlan[] = [];
  for (const plan of await records.plans()) {
    if (plan.appliedCommit !== null && !(await readsWhole(root, [plan.appliedCommit], null))) {
      damaged.push({
        plan,
        missing: `its applied commit ${plan.appliedCommit} cannot be read in the project`,
        readable: null,
        lost: [],
      });
      continue;
    }
    const sandbox = plan.sandbox;
    // a plan that ended and was cleaned up has no sandbox left to read
    if (sandbox === null || sandbox === undefined || plan.status === 'done' || plan.status === 'cancelled') continue;
    const repo = sandbox.repo ?? root;
    const checkpoints = (await records.checkpoints(plan.id)).filter((checkpoint) => checkpoint.sandboxCommit !== null);
    const commits = [sandbox.headCommit, ...checkpoints.map((checkpoint) => checkpoint.sandboxCommit!)];
    if (await readsWhole(repo, commits, sandbox.baseCommit)) continue;
    let back: DamagedPlan['readable'] = null;
    const lost: string[] = [];
    for (const checkpoint of [...checkpoints].reverse()) {
      if (!(await readsWhole(repo, [checkpoint.sandboxCommit!], sandbox.baseCommit))) lost.unshift(checkpoint.id);
      else back ??= { id: checkpoint.id, label: checkpoint.label };
    }
    const headReadable = await readsWhole(repo, [sandbox.headCommit], sandbox.baseCommit);
    const missing = headReadable
      ? `${lost.length} of its checkpoints name commits git cannot read`
      : `its step commit ${sandbox.headCommit.slice(0, 12)} cannot be read whole`;
    damaged.push({ plan, missing, readable: headReadable ? null : back, lost });
  }
  return damaged;
}

/**
 * `troupe doctor`'s `git objects` line: ✓ when every plan's recorded git
 * state can be read, ✗ naming each plan that lost some (and where it can go
 * back to) otherwise, with the fix.
 *
 * @example
 * const check = objectsCheck(damaged, plans.length);
 */
export function objectsCheck(damaged: readonly DamagedPlan[], plans: number): DoctorCheck {
  if (damaged.length === 0)
    return {
      name: 'git objects',
      ok: true,
      detail: `every commit and checkpoint ${plans === 1 ? 'the plan' : `the ${plans} plans`} of the store name${plans === 1 ? 's' : ''} can be read`,
    };
  const shown = damaged
    .slice(0, 5)
    .map(
      ({ plan, missing, readable }) =>
        `${plan.name} (${plan.id}): ${missing}${readable ? `; newest readable checkpoint ${readable.id}${readable.label ? ` (${readable.label})` : ''}` : '; no checkpoint of it can be read'}`,
    );
  return {
    name: 'git objects',
    ok: false,
    detail: `${shown.join('; ')}${damaged.length > 5 ? `; and ${damaged.length - 5} more` : ''} — a crash or power cut took what was not on the disk`,
    fix: 'troupe doctor --repair rolls each plan back to its newest readable checkpoint, asking first (the steps after it run again); a plan with none: troupe plan cancel it — see docs/reference/errors.md#REPOSITORY_DAMAGED',
  };
}

/**
 * Read the plans and their checkpoints for {@link damagedPlans} from where
 * they are: the troupe process that owns the project's store (over its
 * socket), or the store itself, opened for the reading and closed (a
 * PostgreSQL store, or a LevelDB store nobody holds). Null when there is no
 * store yet.
 *
 * @example
 * const records = await openRecords('/repo', config);
 */
export async function withRecords<T>(
  root: string,
  config: ProjectConfig | null,
  read: (records: RecordedCommits) => Promise<T>,
): Promise<T | null> {
  const choice = config ? storeChoice(config) : null;
  if (choice?.kind !== 'postgres') {
    if (!existsSync(defaultStorePath(root))) return null;
    const remote = await RemoteRuntime.connect(root, hostSocketPath(root)).catch(() => null);
    if (remote) {
      try {
        return await read({
          plans: () => remote.listPlans({ all: true }),
          checkpoints: (planId) => remote.checkpoints(planId),
        });
      } finally {
        await remote.close();
      }
    }
  }
  const store =
    choice?.kind === 'postgres' ? await postgresStore(choice) : new LevelStore({ path: defaultStorePath(root) });
  await store.open();
  try {
    return await read({ plans: () => store.listPlans(), checkpoints: (planId) => store.listCheckpoints(planId) });
  } finally {
    await store.close();
  }
}

/**
 * The whole `git objects` line for the project at `root`: read the records
 * where they are ({@link withRecords}) and look for what git cannot read.
 * Never fails for a store it cannot open: the `store` line says why.
 *
 * @example
 * checks.push(await gitObjectsCheck(root, config));
 */
export async function gitObjectsCheck(root: string | null, config: ProjectConfig | null): Promise<DoctorCheck> {
  if (root === null) return { name: 'git objects', ok: true, detail: 'not in a git repository: nothing to check' };
  try {
    const found = await withRecords(root, config, async (records) =>
      objectsCheck(await damagedPlans(root, records), (await records.plans()).length),
    );
    return found ?? { name: 'git objects', ok: true, detail: 'no store yet: no plan names a commit' };
  } catch (error) {
    return {
      name: 'git objects',
      ok: true,
      detail: `not checked: the store could not be read (${error instanceof Error ? error.message : String(error)})`,
    };
  }
}

/**
 * The plans `troupe doctor --repair` acts on: those whose recorded git
 * state cannot be read ({@link damagedPlans}), read where the records are.
 *
 * @example
 * for (const { plan, readable } of await repairablePlans(root, config)) …
 */
export async function repairablePlans(
  root: string,
  config: ProjectConfig | null,
  runtime?: Pick<Runtime, 'listPlans' | 'checkpoints'>,
): Promise<DamagedPlan[]> {
  // a runtime already open here reads its own records (the store is its)
  if (runtime)
    return damagedPlans(root, {
      plans: () => runtime.listPlans({ all: true }),
      checkpoints: (planId) => runtime.checkpoints(planId),
    });
  return (await withRecords(root, config, (records) => damagedPlans(root, records))) ?? [];
}
