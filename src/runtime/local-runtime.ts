import {
  TroupeError,
  type Changeset,
  type JournalEvent,
  type Phase,
  type PlanLog,
  type PlanRecord,
  type ProjectRecord,
} from '../domain/index.js';
import type { RunChildOutput } from '../../machines/index.js';
import type { LocalRuntimeParts } from './local-runtime-parts.js';
import type {
  ApplyPreview,
  ConflictList,
  CorrectionRequest,
  CorrectionResult,
  DecisionTree,
  DeletePreview,
  DeleteResult,
  GcOptions,
  GcReport,
  LogOptions,
  PhaseOptions,
  PlanLiveness,
  PlanPatch,
} from './runtime.js';
import type {
  PlanTree,
  ResolveChoice,
  ResolveResult,
  RollbackPreview,
  RollbackResult,
  RunOptions,
  Runtime,
} from './runtime.js';
import { closeWings, wireLocalRuntime, type RuntimeWings } from './local-runtime-wiring.js';
import { RuntimeCheckpointCalls } from './checkpoint-calls.js';
import { PlanQueries } from './plan-queries.js';
import { readMcpTasks, writeMcpTasks } from './agent/index.js';
import { checkResolveRequest, checkStrategy, type ConflictForecast } from './children/index.js';
import type { Inspector } from './inspector/index.js';
import { checkHasCommits, updatePlan } from './plans/index.js';
import { projectsOf, registerProject } from './project/index.js';

// what createRuntime builds a LocalRuntime from
export type { LocalRuntimeParts };

/**
 * The runtime that owns the store: one root actor per plan in an address
 * book, every transition persisted (DESIGN §7). Created by `createRuntime`;
 * served to other processes by the host server. Besides the Runtime
 * interface it has `inspector` (the bridge `inspect` started), `restoreAll()`
 * and `livePlanIds()`.
 *
 * @example
 * const runtime: LocalRuntime = await createRuntime({ dir: '/path/to/repo', resume: false });
 * await runtime.restoreAll(); // later, when the app is ready to continue interrupted plans
 * console.log(runtime.livePlanIds(), runtime.inspector?.url);
 */
export class LocalRuntime implements Runtime {
  readonly dir: string;
  /** Where the inspector started by `createRuntime({ inspect: true | { port } })` listens; null without one. */
  readonly inspector: Pick<Inspector, 'port' | 'url' | 'eventsUrl'> | null;
  readonly #ownInspector: Inspector | null;
  /** The wings' parts, each lent what it needs of the others (local-runtime-wiring.ts). */
  readonly #wings: RuntimeWings;
  readonly #checkpointCalls: RuntimeCheckpointCalls;
  readonly #queries: PlanQueries;
  /** What conflict prediction between running children did in this process (tests, `npm run bench`); null when TROUPE_PREDICT_CONFLICTS=0. */
  readonly forecast: Pick<ConflictForecast, 'counts' | 'idle'> | null;
  // set by the first close; a second close waits for it
  #closing: Promise<void> | null = null;

  constructor(parts: LocalRuntimeParts) {
    this.dir = parts.dir;
    this.#ownInspector = parts.inspector ?? null;
    this.inspector = parts.inspector
      ? { port: parts.inspector.port, url: parts.inspector.url, eventsUrl: parts.inspector.eventsUrl }
      : null;
    const wings = (this.#wings = wireLocalRuntime(parts, {
      closed: () => this.#closing !== null,
      assertOpen: () => this.#assertOpen(),
      run: (ref) => this.run(ref),
      cancel: (ref, options) => this.cancel(ref, options),
      conflicts: (ref) => this.conflicts(ref),
    }));
    this.forecast = wings.forecast;
    const assertOpen = () => this.#assertOpen();
    this.#checkpointCalls = new RuntimeCheckpointCalls(wings, assertOpen);
    this.#queries = new PlanQueries(wings, assertOpen);
  }

  // an agent's calls on its open plan, and its child plans (the agent wing)
  readonly callTool: Runtime['callTool'] = async (ref, call) => (
    this.#assertOpen(),
    this.#wings.agents.callTool(ref, call)
  );
  readonly finish: Runtime['finish'] = async (ref, options = {}) => (
    this.#assertOpen(),
    this.#wings.agents.finish(ref, options)
  );
  readonly spawnSubplans: Runtime['spawnSubplans'] = async (ref, request) => (
    this.#assertOpen(),
    this.#wings.agents.spawnSubplans(ref, request)
  );
  readonly waitSubplans: Runtime['waitSubplans'] = async (ref, options = {}) => (
    this.#assertOpen(),
    this.#wings.agents.waitSubplans(ref, options)
  );

  // background services of agent-driven plans (the agent wing's ServiceBook)
  readonly startService: Runtime['startService'] = async (ref, request) => (
    this.#assertOpen(),
    this.#wings.agents.startService(ref, request)
  );
  readonly stopService: Runtime['stopService'] = async (ref, name, options) => (
    this.#assertOpen(),
    this.#wings.agents.stopService(ref, name, options)
  );
  readonly listServices: Runtime['listServices'] = async (ref) => (
    this.#assertOpen(),
    this.#wings.agents.listServices(ref)
  );
  readonly serviceLogs: Runtime['serviceLogs'] = async (ref, name, options) => (
    this.#assertOpen(),
    this.#wings.agents.serviceLogs(ref, name, options)
  );

  async createPlan(source: unknown, options: { origin?: string; replace?: boolean } = {}): Promise<PlanRecord> {
    this.#assertOpen();
    const spec = await this.#wings.checkFile(source, options.origin ?? 'plan file');
    await checkHasCommits(this.#wings.services.project, this.dir);
    // the plan file is valid: only now may the plan that holds its name go
    if (options.replace === true) await this.#wings.housekeeping.replace(spec.name);
    return this.#wings.plans.create(spec);
  }

  // a live plan goes on with an edited plan file (the plans wing)
  readonly updatePlan: Runtime['updatePlan'] = async (ref, source, options = {}) => (
    this.#assertOpen(),
    updatePlan(this.#wings.updates, await this.#wings.resolveId(ref), source, options)
  );

  // what is answered about plans without changing them (plan-queries.ts)
  getPlan(ref: string): Promise<PlanRecord> {
    return this.#queries.getPlan(ref);
  }

  listPlans(options: { all?: boolean } = {}): Promise<PlanRecord[]> {
    return this.#queries.listPlans(options);
  }

  liveness(planIds: readonly string[]): Promise<PlanLiveness[]> {
    return this.#queries.liveness(planIds);
  }

  async run(ref: string, options: RunOptions = {}): Promise<PlanRecord> {
    this.#assertOpen();
    return this.#wings.runs.run(await this.#wings.resolveId(ref), options);
  }

  /** Run a root plan as a worker takes it from the queue (`plan run --remote`), then let it go. */
  async runRootJob(planId: string, until: Phase): Promise<PlanRecord> {
    this.#assertOpen();
    return this.#wings.runs.runRootJob(planId, until);
  }

  async runPhase(ref: string, phase: Phase, options: PhaseOptions = {}): Promise<PlanRecord> {
    this.#assertOpen();
    const strategy = checkStrategy(options.strategy);
    return this.#wings.runs.runPhase(await this.#wings.resolveId(ref), phase, strategy);
  }

  readonly addProject: Runtime['addProject'] = async (name, path): Promise<ProjectRecord> => (
    this.#assertOpen(),
    registerProject(this.#wings.store, this.dir, name, path, this.#wings.now())
  );
  readonly listProjects: Runtime['listProjects'] = async (): Promise<ProjectRecord[]> => (
    this.#assertOpen(),
    projectsOf(this.#wings.store, this.dir)
  );
  readonly tree: Runtime['tree'] = (ref): Promise<PlanTree> => this.#queries.tree(ref);

  conflicts(ref: string): Promise<ConflictList> {
    return this.#queries.conflicts(ref);
  }

  async resolve(ref: string, named: string, choice: ResolveChoice): Promise<ResolveResult> {
    this.#assertOpen();
    checkResolveRequest(named, choice);
    this.#wings.runs.forgetCleanSandboxes();
    return this.#wings.conflicts.resolve(await this.#wings.resolveId(ref), named, choice);
  }

  async cancel(ref: string, options: { reason?: string } = {}): Promise<PlanRecord> {
    this.#assertOpen();
    const { models, agents, runs } = this.#wings;
    const id = await this.#wings.resolveId(ref);
    // its model stops asking, and its services stop, recorded while the plan still takes records
    return models.stopFor(id, async () => {
      await agents.stopServices(id);
      return runs.cancel(id, options.reason);
    });
  }

  /**
   * A worker took the plan's branch from the remote: what this process knew
   * of its sandbox is stale, and a plan that ran on another machine gets
   * its worktree here (on its branch) before its actor runs again.
   */
  async adoptSandbox(record: PlanRecord): Promise<void> {
    return this.#wings.runs.adoptSandbox(record);
  }

  /**
   * Run a child plan's attempt here, as a worker takes it from the queue (docs/how-to/scale-out.md): drive it to `(validate, complete)`
   * or its end, then let it go (its parent merges it, wherever that runs). A child past that point, or on another attempt, is answered from its record.
   * `known`: its record as just read (not read again); `ready`: its sandbox being taken (a child at rest is restored meanwhile).
   */
  async runChildJob(
    planId: string,
    attempt: number,
    signal: AbortSignal,
    options: { known?: PlanRecord; ready?: Promise<unknown> } = {},
  ): Promise<RunChildOutput> {
    this.#assertOpen();
    return this.#wings.runs.runChildJob(planId, attempt, signal, options);
  }

  readonly explain: Runtime['explain'] = (ref): Promise<DecisionTree> => this.#queries.explain(ref);

  changes(ref: string): Promise<Changeset | null> {
    return this.#queries.changes(ref);
  }

  patch(ref: string, options: { maxBytes?: number } = {}): Promise<PlanPatch> {
    return this.#queries.patch(ref, options);
  }

  previewApply(
    ref: string,
    options: PhaseOptions & { patch?: boolean; maxBytes?: number } = {},
  ): Promise<ApplyPreview> {
    return this.#queries.previewApply(ref, options);
  }

  async gc(options: GcOptions = {}): Promise<GcReport> {
    this.#assertOpen();
    return this.#wings.housekeeping.gc(options);
  }

  previewDelete(ref: string): Promise<DeletePreview> {
    return this.#queries.previewDelete(ref);
  }

  async deletePlan(ref: string): Promise<DeleteResult> {
    this.#assertOpen();
    return this.#wings.housekeeping.delete(await this.#wings.readPlan(await this.#wings.resolveId(ref)));
  }

  // checkpoints, rollback and corrections (checkpoint-calls.ts, the checkpoints wing)
  readonly checkpoints: Runtime['checkpoints'] = (ref) => this.#checkpointCalls.checkpoints(ref);
  readonly checkpoint: Runtime['checkpoint'] = (ref, checkpoint) => this.#checkpointCalls.checkpoint(ref, checkpoint);
  readonly deleteCheckpoint: Runtime['deleteCheckpoint'] = (ref, checkpoint) =>
    this.#checkpointCalls.deleteCheckpoint(ref, checkpoint);
  readonly createCheckpoint: Runtime['createCheckpoint'] = (ref, options = {}) =>
    this.#checkpointCalls.createCheckpoint(ref, options);
  readonly pruneCheckpoints: Runtime['pruneCheckpoints'] = (ref, keep) =>
    this.#checkpointCalls.pruneCheckpoints(ref, keep);

  previewRollback(ref: string, options: { to?: string; clean?: boolean } = {}): Promise<RollbackPreview> {
    return this.#checkpointCalls.previewRollback(ref, options);
  }

  rollback(ref: string, options: { to?: string } = {}): Promise<RollbackResult> {
    return this.#checkpointCalls.rollback(ref, options);
  }

  correct(ref: string, request: CorrectionRequest): Promise<CorrectionResult> {
    return this.#checkpointCalls.correct(ref, request);
  }

  async resume(ref?: string): Promise<PlanRecord[]> {
    this.#assertOpen();
    this.#wings.runs.forgetCleanSandboxes();
    return this.#wings.runs.resume(ref === undefined ? undefined : await this.#wings.resolveId(ref));
  }

  events(ref: string, options: { afterSeq?: number; limit?: number } = {}): Promise<JournalEvent[]> {
    return this.#queries.events(ref, options);
  }

  logs(ref: string, options: LogOptions = {}): Promise<PlanLog[]> {
    return this.#queries.logs(ref, options);
  }

  // the MCP tasks `troupe mcp` keeps in the store (the agent wing)
  readonly mcpTasks: Runtime['mcpTasks'] = async (taskIds) => (
    this.#assertOpen(),
    readMcpTasks(this.#wings.store, taskIds)
  );
  readonly saveMcpTasks: Runtime['saveMcpTasks'] = async (change) => (
    this.#assertOpen(),
    writeMcpTasks(this.#wings.store, change)
  );

  subscribe(planIdOrAll: string, listener: (event: JournalEvent) => void): () => void {
    return this.#wings.events.subscribe(planIdOrAll, listener);
  }

  /**
   * Continue what was interrupted (SPEC §10): every plan that was running
   * when its process stopped gets its actor again and its work in flight
   * runs again; a plan at rest is restored when something acts on it.
   * Answers every plan that has not ended (but those another process runs,
   * or whose restore failed: reported).
   */
  async restoreAll(): Promise<PlanRecord[]> {
    return this.#wings.plans.restoreAll();
  }

  /** Ids of the plans with a live actor, for diagnostics and tests. */
  livePlanIds(): string[] {
    return this.#wings.plans.ids();
  }

  /** Close the plans, the store and the inspector; a second call waits for the first to finish. */
  close(): Promise<void> {
    // a caller that closes after another (Ctrl-C's close, then the command's own) must not
    // go on — exit, remove the project — while the store is still being closed
    // closed from here on, before any of the wings' closing runs (they ask `closed()`)
    this.#closing ??= Promise.resolve().then(() => closeWings(this.#wings, this.#ownInspector));
    return this.#closing;
  }

  #assertOpen(): void {
    if (this.#closing !== null)
      throw new TroupeError('INTERNAL_ERROR', 'this runtime is closed', {
        hint: 'create a new runtime with createRuntime()',
      });
  }
}
