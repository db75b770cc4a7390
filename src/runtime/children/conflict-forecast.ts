import { planCalled, type ConflictKind, type PlanRecord, type PredictedConflict } from '../../domain/index.js';
import type { PlanCommand, PlanContext } from '../../../machines/index.js';
import { mergeTrees } from '../../merge/index.js';
import { GitTrees } from '../../sandbox/index.js';
import type { RemoteBranches } from '../../sandbox/remote-branches.js';
import type { Store } from '../../store/index.js';
import { forecastPairs, type ChildChanges, type ForecastPair } from './forecast-pairs.js';

/** A parent plan that runs here, as the forecast sees it: its context, and the way to tell it what was predicted. */
export interface ForecastParent {
  context(): PlanContext;
  predicted(step: number, predictions: PredictedConflict[]): void;
}

/** What the runtime lends {@link ConflictForecast}. */
export interface ForecastHost {
  store: Store;
  /** The project's repository, where every child of this project has its commits (fetched first for a child on a worker). */
  trees: GitTrees;
  /** The parent when it runs in this process, else null: only the process running a group predicts for it. */
  parent(planId: string): ForecastParent | null;
  /** Make a child's head readable here: a child on a worker pushed it to the shared remote (absent: every child runs here). */
  fetch?: (record: PlanRecord) => Promise<void>;
  report(message: string, error: unknown): void;
}

/** What the forecast did, for tests and `npm run bench`: heads looked at, pairs merged ahead of time, files merged. */
export interface ForecastCounts {
  moves: number;
  pairs: number;
  files: number;
}

/**
 * Conflicts predicted while children run (docs/reference/subplans.md): each time a
 * child's sandbox moves to a new step commit, its changes are compared with
 * those of its siblings under way or merged — first by path, from the
 * changesets the store already holds, so children that touch separate
 * files cost no git at all — and only the paths both changed are merged
 * with the engine (`mergeTrees`: base = where they meet, ours = the sibling
 * that merges first). A conflict found is sent to the parent, which records
 * and journals it once per pair and file (`conflict.predicted`). Runs in the
 * process that runs the parent's group; for a child on a worker its head is
 * fetched from the shared remote before a merge. Never throws: a forecast
 * that fails is reported and skipped — it is advice, not a step.
 */
export class ConflictForecast {
  readonly #host: ForecastHost;
  // each child's latest record seen, and what it changed as of that record, by child id
  readonly #records = new Map<string, PlanRecord>();
  readonly #changes = new Map<string, ChildChanges & { record: PlanRecord }>();
  // children moved since the parent's last forecast, and the forecast under way, by parent id
  readonly #moved = new Map<string, Set<string>>();
  readonly #running = new Map<string, Promise<void>>();
  readonly #counts: ForecastCounts = { moves: 0, pairs: 0, files: 0 };

  constructor(host: ForecastHost) {
    this.#host = host;
  }

  /** A child plan's record was written (here, or by a worker): when its head moved, forecast for its parent. */
  childMoved(record: PlanRecord): void {
    if (record.parentId === null || record.sandbox === null || record.sandbox.repo !== undefined) return;
    const known = this.#records.get(record.id)?.sandbox;
    if (known?.headCommit === record.sandbox.headCommit && known.baseCommit === record.sandbox.baseCommit) return;
    // only a group running here is forecast (a worker runs children, not their parents): nothing is kept for others
    const parent = this.#host.parent(record.parentId);
    if (parent === null || parent.context().group === null) return;
    this.#records.set(record.id, record);
    // before its first step commit a child has nothing to compare
    if (record.sandbox.headCommit === record.sandbox.baseCommit && known === undefined) return;
    this.#counts.moves += 1;
    const moved = this.#moved.get(record.parentId) ?? new Set<string>();
    this.#moved.set(record.parentId, moved.add(record.id));
    if (!this.#running.has(record.parentId)) this.#start(record.parentId);
  }

  /** What the forecast did so far in this process. */
  counts(): ForecastCounts {
    return { ...this.#counts };
  }

  /** Resolves once no forecast is under way (the runtime closes). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running.values());
  }

  #start(parentId: string): void {
    const run = (async () => {
      // a child that moved again meanwhile is forecast again, from its newer head
      while ((this.#moved.get(parentId)?.size ?? 0) > 0) {
        const moved = this.#moved.get(parentId)!;
        this.#moved.delete(parentId);
        await this.#forecast(parentId, moved).catch((error: unknown) =>
          this.#host.report(
            `could not predict conflicts between the child plans of ${planCalled(parentId, this.#host.parent(parentId)?.context().name)}`,
            error,
          ),
        );
      }
    })().finally(() => this.#running.delete(parentId));
    this.#running.set(parentId, run);
  }

  async #forecast(parentId: string, moved: Set<string>): Promise<void> {
    const parent = this.#host.parent(parentId);
    const group = parent?.context().group;
    if (!parent || !group) return;
    const changes = new Map<string, ChildChanges>();
    for (const child of group.children) {
      // a child not started has no changes; one that failed or was cancelled will not merge
      const status = group.statuses[child.childId];
      if (
        !status ||
        !(status.merged || status.status === 'running' || status.status === 'retrying' || status.status === 'complete')
      )
        continue;
      // most are known as of their latest record: no await for them
      const cached = this.#changes.get(child.childId);
      const known =
        cached && cached.record === this.#records.get(child.childId) ? cached : await this.#changesOf(child.childId);
      if (known) changes.set(child.childId, known);
    }
    // children of this parent's earlier groups, and of parents whose group ended or left this process, are done with
    const current = new Set(group.children.map((child) => child.childId));
    for (const [childId, record] of this.#records) {
      const over =
        record.parentId === parentId
          ? !current.has(childId)
          : this.#host.parent(record.parentId!)?.context().group == null;
      if (over) {
        this.#records.delete(childId);
        this.#changes.delete(childId);
      }
    }
    const pairs = forecastPairs(group, moved, changes, parent.context().predictedConflicts ?? []);
    const predictions: PredictedConflict[] = [];
    const nameOf = (childId: string) => group.children.find((child) => child.childId === childId)?.name ?? childId;
    for (const pair of pairs) {
      const conflicts = await this.#merge(pair);
      if (conflicts.length === 0) continue;
      predictions.push({
        step: group.stepIndex,
        children: [pair.first, pair.second],
        names: [nameOf(pair.first), nameOf(pair.second)],
        files: conflicts.map((c) => c.file),
        kinds: conflicts.map((c) => c.kind),
      });
    }
    if (predictions.length > 0) parent.predicted(group.stepIndex, predictions);
  }

  // the child's changes as of its latest record (read from the store when this process has not seen it move)
  async #changesOf(childId: string): Promise<(ChildChanges & { record: PlanRecord }) | null> {
    let record = this.#records.get(childId) ?? null;
    const cached = this.#changes.get(childId);
    if (cached && cached.record === record) return cached;
    if (record === null) {
      record = await this.#host.store.getPlan(childId);
      if (record) this.#records.set(childId, record);
    }
    if (!record?.sandbox) return null;
    const changeset = record.changesetId === null ? null : await this.#host.store.getChangeset(record.changesetId);
    // a changeset is written with the head it describes; another one is not this head's
    const files =
      changeset !== null && changeset.headCommit === record.sandbox.headCommit
        ? changeset.files.map((file) => file.path)
        : [];
    const changes = { head: record.sandbox.headCommit, base: record.sandbox.baseCommit, files, record };
    this.#changes.set(childId, changes);
    return changes;
  }

  // the engine's merge of the paths both changed, over where the two meet
  async #merge(pair: ForecastPair): Promise<{ file: string; kind: ConflictKind }[]> {
    const [first, second] = [this.#changes.get(pair.first)!, this.#changes.get(pair.second)!];
    if (this.#host.fetch) await Promise.all([this.#host.fetch(first.record), this.#host.fetch(second.record)]);
    const { trees } = this.#host;
    const base = first.base === second.base ? first.base : await trees.mergeBase(first.head, second.head);
    // one side already holds the other's work (it branched after that one merged): nothing to meet
    if (base === null || base === first.head || base === second.head) return [];
    this.#counts.pairs += 1;
    this.#counts.files += new Set([...pair.paths.first, ...pair.paths.second]).size;
    const result = await mergeTrees({
      base,
      ours: first.head,
      theirs: second.head,
      reader: trees,
      changed: { ours: pair.paths.first, theirs: pair.paths.second },
    });
    return result.conflicts.map(({ file, kind }) => ({ file, kind }));
  }
}

/**
 * The runtime's forecast: plans' actors found in this process by `actor`,
 * heads of children on workers fetched through `remote`. Null when
 * `TROUPE_PREDICT_CONFLICTS=0` turns prediction off.
 */
export function conflictForecastOf(options: {
  store: Store;
  repoRoot: string;
  report: (message: string, error: unknown) => void;
  actor: (planId: string) => { getSnapshot(): { context: PlanContext }; send(event: PlanCommand): void } | undefined;
  remote: RemoteBranches | null;
  env?: NodeJS.ProcessEnv;
}): ConflictForecast | null {
  if ((options.env ?? process.env).TROUPE_PREDICT_CONFLICTS === '0') return null;
  const { remote, repoRoot } = options;
  return new ConflictForecast({
    store: options.store,
    trees: new GitTrees(repoRoot),
    report: options.report,
    parent: (planId) => {
      const actor = options.actor(planId);
      return actor
        ? {
            context: () => actor.getSnapshot().context,
            predicted: (step, predictions) => actor.send({ type: 'subplans.predicted', step, predictions }),
          }
        : null;
    },
    ...(remote
      ? {
          fetch: (record: PlanRecord) =>
            remote.fetch(repoRoot, { planId: record.id, branch: record.sandbox!.branch }, record.sandbox!.headCommit),
        }
      : {}),
  });
}
