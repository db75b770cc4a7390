import {
  PhaseGuardError,
  TroupeError,
  isTerminalStatus,
  type Changeset,
  type JournalEvent,
  type Phase,
  type PlanLog,
  type PlanRecord,
  type PlanSpec,
  type ProjectRecord,
} from '../domain/index.js';
import type { RunChildOutput } from '../../machines/index.js';
import { llmStrategist, type ActorServices } from '../../actors/index.js';
import type { Store } from '../store/index.js';
import { resolvePlanRef } from '../store/plan-ref.js';
import { namedPlan, reportLine } from './report-line.js';
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
import { RuntimeAgentCalls, readMcpTasks, writeMcpTasks } from './agent/index.js';
import { ModelDrives, checkPlanModel } from './llm/index.js';
import {
  RuntimeCheckpoints,
  RuntimeCorrections,
  checkKeep,
  reopeningPreview,
  rollbackReopening,
} from './checkpoints/index.js';
import {
  RuntimeChildPlans,
  RuntimeConflicts,
  checkResolveRequest,
  checkStrategy,
  conflictForecastOf,
  planTreeOf,
  storedAttempt,
  type ConflictForecast,
} from './children/index.js';
import { EmittedRecorder, EventFeed } from './events/index.js';
import { CommandLogBook, RuntimeHousekeeping, planPatch, previewApplyOf, readPlanLogs } from './housekeeping/index.js';
import type { Inspector } from './inspector/index.js';
import { PlanPersistence, StoreOutage, readStoredPlan, readStoredSpec } from './persistence/index.js';
import {
  LivePlans,
  PlanRuns,
  checkHasCommits,
  checkPlanFile,
  decisionTreeOf,
  planLiveness,
  planServices,
  providePlanMachine,
  updatePlan,
  type PlanFileCheckers,
  type PlanUpdateHost,
} from './plans/index.js';
import { projectsOf, registerProject } from './project/index.js';
import { RemoteChildren, type PlanQueue } from './workers/index.js';

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
  readonly #store: Store;
  /** What a plan file is checked against, besides the projects registered when it is checked. */
  readonly #fileCheckers: Omit<PlanFileCheckers, 'hasProject'> & { strategistIsModel: boolean; unconfined: boolean };
  readonly #services: ActorServices;
  readonly #now: () => string;
  readonly #report: (message: string, error: unknown) => void;
  readonly #events: EventFeed;
  readonly #persistence: PlanPersistence;
  readonly #checkpoints: RuntimeCheckpoints;
  readonly #corrections: RuntimeCorrections;
  readonly #agents: RuntimeAgentCalls;
  readonly #models: ModelDrives;
  readonly #housekeeping: RuntimeHousekeeping;
  readonly #logs: CommandLogBook;
  /** The address book: planId → live plan actor. */
  readonly #plans: LivePlans;
  readonly #runs: PlanRuns;
  readonly #updates: PlanUpdateHost;
  readonly #conflicts: RuntimeConflicts;
  readonly #queue: PlanQueue | null;
  /** What conflict prediction between running children did in this process (tests, `npm run bench`); null when TROUPE_PREDICT_CONFLICTS=0. */
  readonly forecast: Pick<ConflictForecast, 'counts' | 'idle'> | null;
  #closed = false;

  // Builds the parts and lends each what it needs of the others. Parts built later (the live plans need the machine,
  // the machine the child plans) are reached through arrows, called only once the constructor returned.
  constructor(parts: LocalRuntimeParts) {
    const { store, tools, memory, services: given } = parts;
    this.dir = parts.dir;
    this.#store = store;
    const strategistIsModel = parts.actors.strategist === llmStrategist;
    this.#fileCheckers = {
      tools,
      checks: parts.checks,
      allowLoaderEnv: parts.allowLoaderEnv === true,
      strategistIsModel,
      unconfined: parts.commands?.kind === 'unconfined',
      ...(parts.limits ? { limits: parts.limits } : {}),
      ...(parts.network !== undefined ? { network: parts.network } : {}),
    };
    this.#ownInspector = parts.inspector ?? null;
    this.inspector = parts.inspector
      ? { port: parts.inspector.port, url: parts.inspector.url, eventsUrl: parts.inspector.eventsUrl }
      : null;
    const now = (this.#now = parts.now ?? (() => new Date().toISOString()));
    const report = (this.#report =
      parts.report ?? ((message, error) => process.stderr.write(reportLine(message, error))));
    const plans = () => this.#plans;
    const named = (id: string) => namedPlan(id, plans().get(id)?.identity.name, store);
    // every published record is heard by the agent wing (a plan that left execute loses its services) and the forecast (a child's new step commit)
    const forecast = (this.forecast = conflictForecastOf({
      store,
      report,
      repoRoot: given.sandboxes.projectRoot,
      remote: parts.scaleOut?.remote ?? null,
      actor: (id) => plans().get(id)?.actor,
    }));
    const published = {
      publish: (written: readonly JournalEvent[], record: PlanRecord) => (
        plans().published(written, record),
        this.#agents?.planMoved(record),
        forecast?.childMoved(record)
      ),
    };
    const events = (this.#events = new EventFeed({
      store,
      report,
      named,
      runsHere: (id) => plans().has(id),
      heard: (id) => remote?.notify(id),
    }));
    const outage = parts.outage ? { outage: new StoreOutage(parts.outage) } : {};
    const persistence = (this.#persistence = new PlanPersistence({
      store,
      now,
      ...published,
      ...outage,
      onError: (id, error) => plans().failedWrite(id, error),
      onLateLogs: (id, logs) => this.#logs.late(id, logs),
    }));
    const lent = {
      store,
      now,
      report,
      named,
      memory,
      persistence,
      phaseOf: (id: string) => plans().phaseOf(id),
      live: (id: string) => plans().live(id),
      stop: (id: string) => plans().stop(id),
    };
    const logs = (this.#logs = new CommandLogBook(lent));
    this.#queue = parts.scaleOut?.queue ?? null;
    const cancelHere = (id: string, reason: string) => this.#cancelHere(id, reason);
    const remote = parts.scaleOut
      ? new RemoteChildren({
          store,
          ...parts.scaleOut,
          repoRoot: given.sandboxes.projectRoot,
          cancelHere,
          attemptOf: (id) => storedAttempt(store, id),
          seen: (record) => forecast?.childMoved(record),
        })
      : null;
    const children = new RuntimeChildPlans({
      ...lent,
      models: { start: (id, options) => this.#models.start(id, options) },
      services: given,
      remote,
      cancel: cancelHere,
      ensure: (id, known) => plans().watched(id, known),
      create: (...child) => plans().createChild(...child),
      restart: (...child) => plans().restart(...child),
      settled: (id) => persistence.settled(id),
      release: (childIds) => this.#housekeeping.releaseMerged(childIds),
      releaseApplied: (rootId) => this.#housekeeping.releaseApplied(rootId),
    });
    // other processes' commits reach subscribers, and a parent its children on workers, by the
    // store's feed: listening from the start, before anyone subscribes (createRuntime waits for it)
    events.start();
    // the checkpoints a plan's step or model takes wait an outage of the store out, like the plan's other reads
    const checkpoints = {
      create: async (id: string, label: string) =>
        this.#checkpoints.create(await persistence.reads(id)(() => this.#readPlan(id)), label, persistence.reads(id)),
    };
    // a model's text goes out as it comes to whoever follows the plan here (never stored)
    const liveText = (planId: string, phase: Phase) => events.textSink(planId, phase, now);
    const services = (this.#services = planServices(given, {
      ...lent,
      logs,
      commands: parts.commands,
      warn: parts.warn,
      children,
      checkpoints,
      liveText,
    }));
    const machine = providePlanMachine(services, parts.actors, parts.checks);
    this.#checkpoints = new RuntimeCheckpoints({
      ...lent,
      ...published,
      services: given,
      machine,
      start: (...from) => plans().startFrom(...from),
    });
    const emitted = new EmittedRecorder({
      ...lent,
      checkpoints: this.#checkpoints,
      reconcilerName: parts.actors.reconciler.name,
      decisionRootId: (id) => plans().decisionRootId(id),
    });
    const inspect = [parts.inspect, parts.inspector?.inspect];
    this.#plans = new LivePlans({
      ...lent,
      machine,
      services,
      logs,
      emitted,
      events,
      inspect,
      closed: () => this.#closed,
      assertOpen: () => this.#assertOpen(),
    });
    const cancelMerged = (child: PlanRecord, reason: string) => this.#checkpoints.cancelMerged(child, reason);
    this.#runs = new PlanRuns({
      store,
      plans: this.#plans,
      services,
      remote,
      children,
      cancelHere,
      cancelMerged,
      report,
      models: { drive: (id, options) => this.#models.drive(id, options) },
    });
    this.#updates = {
      ...lent,
      readPlan: (id) => this.#readPlan(id),
      check: (source, subject) => this.#checkFile(source, subject),
      live: (id) => this.#plans.live(id),
      settled: (id) => this.#plans.settled(id),
      invariantsOf: (id) => services.invariantsOf(id),
    };
    this.#conflicts = new RuntimeConflicts({ ...lent, services: given, reopen: (id) => this.#agents.reopen(id) });
    this.#corrections = new RuntimeCorrections({
      ...lent,
      checkpoints: this.#checkpoints,
      tools,
      plan: (ref) => this.#planAndSpec(ref),
      run: (id) => this.run(id),
    });
    this.#housekeeping = new RuntimeHousekeeping({
      ...lent,
      dir: this.dir,
      sandboxes: given.sandboxes,
      cancel: async (id, reason) => void (await this.cancel(id, { reason })),
    });
    // the wrapped runner: an agent's reads are logged (and warned about unconfined) like any command
    this.#agents = new RuntimeAgentCalls({
      ...lent,
      tools,
      services,
      resolve: (ref) => this.#resolveId(ref),
      readPlan: (id) => this.#readPlan(id),
      conflicts: (id) => this.conflicts(id),
    });
    // a plan's own model is one more agent: its calls go through the same agent calls (issue 40)
    this.#models = new ModelDrives({
      ...lent,
      agents: this.#agents,
      services,
      readPlan: (id) => this.#readPlan(id),
      createCheckpoint: checkpoints.create,
    });
  }

  // an agent's calls on its open plan, and its child plans (the agent wing)
  readonly callTool: Runtime['callTool'] = async (ref, call) => (this.#assertOpen(), this.#agents.callTool(ref, call));
  readonly finish: Runtime['finish'] = async (ref, options = {}) => (
    this.#assertOpen(),
    this.#agents.finish(ref, options)
  );
  readonly spawnSubplans: Runtime['spawnSubplans'] = async (ref, request) => (
    this.#assertOpen(),
    this.#agents.spawnSubplans(ref, request)
  );
  readonly waitSubplans: Runtime['waitSubplans'] = async (ref, options = {}) => (
    this.#assertOpen(),
    this.#agents.waitSubplans(ref, options)
  );

  // background services of agent-driven plans (the agent wing's ServiceBook)
  readonly startService: Runtime['startService'] = async (ref, request) => (
    this.#assertOpen(),
    this.#agents.startService(ref, request)
  );
  readonly stopService: Runtime['stopService'] = async (ref, name, options) => (
    this.#assertOpen(),
    this.#agents.stopService(ref, name, options)
  );
  readonly listServices: Runtime['listServices'] = async (ref) => (this.#assertOpen(), this.#agents.listServices(ref));
  readonly serviceLogs: Runtime['serviceLogs'] = async (ref, name, options) => (
    this.#assertOpen(),
    this.#agents.serviceLogs(ref, name, options)
  );

  async createPlan(source: unknown, options: { origin?: string; replace?: boolean } = {}): Promise<PlanRecord> {
    this.#assertOpen();
    const spec = await this.#checkFile(source, options.origin ?? 'plan file');
    await checkHasCommits(this.#services.project, this.dir);
    // the plan file is valid: only now may the plan that holds its name go
    if (options.replace === true) await this.#housekeeping.replace(spec.name);
    return this.#plans.create(spec);
  }

  // a live plan goes on with an edited plan file (the plans wing)
  readonly updatePlan: Runtime['updatePlan'] = async (ref, source, options = {}) => (
    this.#assertOpen(),
    updatePlan(this.#updates, await this.#resolveId(ref), source, options)
  );

  async getPlan(ref: string): Promise<PlanRecord> {
    this.#assertOpen();
    return this.#readPlan(await this.#resolveId(ref));
  }

  async listPlans(options: { all?: boolean } = {}): Promise<PlanRecord[]> {
    this.#assertOpen();
    const plans = await this.#store.listPlans();
    return options.all ? plans : plans.filter((plan) => !isTerminalStatus(plan.status));
  }

  async liveness(planIds: readonly string[]): Promise<PlanLiveness[]> {
    this.#assertOpen();
    return planLiveness(this.#store, planIds, (planId) => this.#logs.lastLine(planId));
  }

  async run(ref: string, options: RunOptions = {}): Promise<PlanRecord> {
    this.#assertOpen();
    return this.#runs.run(await this.#resolveId(ref), options);
  }

  /** Run a root plan as a worker takes it from the queue (`plan run --remote`), then let it go. */
  async runRootJob(planId: string, until: Phase): Promise<PlanRecord> {
    this.#assertOpen();
    return this.#runs.runRootJob(planId, until);
  }

  async runPhase(ref: string, phase: Phase, options: PhaseOptions = {}): Promise<PlanRecord> {
    this.#assertOpen();
    const strategy = checkStrategy(options.strategy);
    return this.#runs.runPhase(await this.#resolveId(ref), phase, strategy);
  }

  readonly addProject: Runtime['addProject'] = async (name, path): Promise<ProjectRecord> => (
    this.#assertOpen(),
    registerProject(this.#store, this.dir, name, path, this.#now())
  );
  readonly listProjects: Runtime['listProjects'] = async (): Promise<ProjectRecord[]> => (
    this.#assertOpen(),
    projectsOf(this.#store, this.dir)
  );
  readonly tree: Runtime['tree'] = async (ref): Promise<PlanTree> => (
    this.#assertOpen(),
    planTreeOf(await this.#readPlan(await this.#resolveId(ref)), await this.#store.listPlans())
  );

  async conflicts(ref: string): Promise<ConflictList> {
    this.#assertOpen();
    return this.#conflicts.list(await this.#resolveId(ref));
  }

  async resolve(ref: string, named: string, choice: ResolveChoice): Promise<ResolveResult> {
    this.#assertOpen();
    checkResolveRequest(named, choice);
    this.#runs.forgetCleanSandboxes();
    return this.#conflicts.resolve(await this.#resolveId(ref), named, choice);
  }

  async cancel(ref: string, options: { reason?: string } = {}): Promise<PlanRecord> {
    this.#assertOpen();
    const id = await this.#resolveId(ref);
    // its model stops asking, and its services stop, recorded while the plan still takes records
    return this.#models.stopFor(id, async () => {
      await this.#agents.stopServices(id);
      return this.#runs.cancel(id, options.reason);
    });
  }

  // cancel a plan this process runs (or restores to cancel); one that already ended is left as it is
  async #cancelHere(planId: string, reason: string): Promise<void> {
    await this.cancel(planId, { reason }).catch((error: unknown) => {
      if (!(error instanceof PhaseGuardError)) throw error;
    });
  }

  /**
   * A worker took the plan's branch from the remote: what this process knew
   * of its sandbox is stale, and a plan that ran on another machine gets
   * its worktree here (on its branch) before its actor runs again.
   */
  async adoptSandbox(record: PlanRecord): Promise<void> {
    return this.#runs.adoptSandbox(record);
  }

  /**
   * Run a child plan's attempt here, as a worker takes it from the queue (docs/scale-out.md): drive it to `(validate, complete)`
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
    return this.#runs.runChildJob(planId, attempt, signal, options);
  }

  readonly explain: Runtime['explain'] = async (ref): Promise<DecisionTree> => (
    this.#assertOpen(),
    decisionTreeOf(this.#store, await this.#resolveId(ref))
  );

  async changes(ref: string): Promise<Changeset | null> {
    this.#assertOpen();
    const record = await this.#readPlan(await this.#resolveId(ref));
    return record.changesetId ? this.#store.getChangeset(record.changesetId) : null;
  }

  async patch(ref: string, options: { maxBytes?: number } = {}): Promise<PlanPatch> {
    this.#assertOpen();
    return planPatch(this.#services.sandboxes, await this.#readPlan(await this.#resolveId(ref)), options.maxBytes);
  }

  async previewApply(
    ref: string,
    options: PhaseOptions & { patch?: boolean; maxBytes?: number } = {},
  ): Promise<ApplyPreview> {
    this.#assertOpen();
    const strategy = checkStrategy(options.strategy);
    const preview = {
      store: this.#store,
      persistence: this.#persistence,
      project: this.#services.project,
      live: (id: string) => this.#plans.get(id),
    };
    return previewApplyOf(preview, await this.#resolveId(ref), { ...options, strategy });
  }

  async gc(options: GcOptions = {}): Promise<GcReport> {
    this.#assertOpen();
    return this.#housekeeping.gc(options);
  }

  async previewDelete(ref: string): Promise<DeletePreview> {
    this.#assertOpen();
    return this.#housekeeping.preview(await this.#readPlan(await this.#resolveId(ref)));
  }

  async deletePlan(ref: string): Promise<DeleteResult> {
    this.#assertOpen();
    return this.#housekeeping.delete(await this.#readPlan(await this.#resolveId(ref)));
  }

  // checkpoints (the checkpoints wing)
  readonly checkpoints: Runtime['checkpoints'] = async (ref) => (
    this.#assertOpen(),
    this.#checkpoints.list(await this.#resolveId(ref))
  );
  readonly checkpoint: Runtime['checkpoint'] = async (ref, checkpoint) => (
    this.#assertOpen(),
    this.#checkpoints.show(await this.#readPlan(await this.#resolveId(ref)), checkpoint)
  );

  readonly deleteCheckpoint: Runtime['deleteCheckpoint'] = async (ref, checkpoint) => (
    this.#assertOpen(),
    this.#checkpoints.delete(await this.#readPlan(await this.#resolveId(ref)), checkpoint)
  );

  readonly createCheckpoint: Runtime['createCheckpoint'] = async (ref, options = {}) => (
    this.#assertOpen(),
    this.#checkpoints.create(await this.#readPlan(await this.#resolveId(ref)), options.label ?? null)
  );
  readonly pruneCheckpoints: Runtime['pruneCheckpoints'] = async (ref, keep) => (
    this.#assertOpen(),
    checkKeep(keep),
    this.#checkpoints.prune(await this.#readPlan(await this.#resolveId(ref)), keep)
  );

  async previewRollback(ref: string, options: { to?: string; clean?: boolean } = {}): Promise<RollbackPreview> {
    this.#assertOpen();
    const record = await this.#readPlan(await this.#resolveId(ref));
    return reopeningPreview(
      record,
      await this.#checkpoints.preview(record, options.to, { clean: options.clean === true }),
    );
  }

  async rollback(ref: string, options: { to?: string } = {}): Promise<RollbackResult> {
    this.#assertOpen();
    this.#runs.forgetCleanSandboxes();
    const id = await this.#resolveId(ref);
    // its model stops first: nothing it asks for lands on the plan going back
    return this.#models.stopFor(id, async () => {
      await this.#agents.stopServices(id);
      const [record, spec] = await Promise.all([this.#readPlan(id), readStoredSpec(this.#store, id)]);
      return rollbackReopening(
        { store: this.#store, checkpoints: this.#checkpoints, reopen: (planId) => this.#agents.reopen(planId) },
        record,
        spec,
        options.to,
      );
    });
  }

  async correct(ref: string, request: CorrectionRequest): Promise<CorrectionResult> {
    this.#assertOpen();
    this.#runs.forgetCleanSandboxes();
    return this.#corrections.correct(ref, request);
  }

  async resume(ref?: string): Promise<PlanRecord[]> {
    this.#assertOpen();
    this.#runs.forgetCleanSandboxes();
    return this.#runs.resume(ref === undefined ? undefined : await this.#resolveId(ref));
  }

  async events(ref: string, options: { afterSeq?: number; limit?: number } = {}): Promise<JournalEvent[]> {
    this.#assertOpen();
    return this.#store.readEvents(await this.#resolveId(ref), options);
  }

  async logs(ref: string, options: LogOptions = {}): Promise<PlanLog[]> {
    this.#assertOpen();
    const id = await this.#resolveId(ref);
    // what the plan's last transition recorded, and what ended after it, is part of the answer
    await this.#persistence.settled(id);
    await this.#logs.settled(id);
    return readPlanLogs(this.#store, await this.#readPlan(id), options);
  }

  // the MCP tasks `troupe mcp` keeps in the store (the agent wing)
  readonly mcpTasks: Runtime['mcpTasks'] = async (taskIds) => (this.#assertOpen(), readMcpTasks(this.#store, taskIds));
  readonly saveMcpTasks: Runtime['saveMcpTasks'] = async (change) => (
    this.#assertOpen(),
    writeMcpTasks(this.#store, change)
  );

  subscribe(planIdOrAll: string, listener: (event: JournalEvent) => void): () => void {
    return this.#events.subscribe(planIdOrAll, listener);
  }

  /**
   * Continue what was interrupted (SPEC §10): every plan that was running
   * when its process stopped gets its actor again and its work in flight
   * runs again; a plan at rest is restored when something acts on it.
   * Answers every plan that has not ended (but those another process runs,
   * or whose restore failed: reported).
   */
  async restoreAll(): Promise<PlanRecord[]> {
    return this.#plans.restoreAll();
  }

  /** Ids of the plans with a live actor, for diagnostics and tests. */
  livePlanIds(): string[] {
    return this.#plans.ids();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // models stop between calls: a plan picks its conversation up when it is next run
    await this.#models.close();
    await Promise.all([this.#agents.close(), this.forecast?.idle()]);
    this.#logs.close();
    this.#events.close();
    await this.#queue?.close();
    await this.#plans.close();
    // the plans' networks (a list's stays a while after its last command): none outlives the runtime
    await this.#services.networks.closeAll();
    // on the memory store the plans go with the runtime: so do their sandboxes (SPEC §18)
    if (this.#store.kind === 'memory')
      await this.#housekeeping
        .releaseAll()
        .catch((error: unknown) => this.#report('could not remove the sandboxes of the memory store', error));
    try {
      await this.#store.close();
    } finally {
      await this.#ownInspector?.close();
    }
  }

  #assertOpen(): void {
    if (this.#closed)
      throw new TroupeError('INTERNAL_ERROR', 'this runtime is closed', {
        hint: 'create a new runtime with createRuntime()',
      });
  }

  // a plan file as createPlan and updatePlan check it: the file, then its model
  async #checkFile(source: unknown, subject: string): Promise<PlanSpec> {
    const hasProject = async (name: string) => (await this.#store.getProject(name)) !== null;
    const spec = await checkPlanFile(source, { ...this.#fileCheckers, hasProject }, subject);
    checkPlanModel(spec, this.#services.models, this.#fileCheckers);
    return spec;
  }

  #resolveId(ref: string): Promise<string> {
    return resolvePlanRef(this.#store, ref, this.dir);
  }

  #readPlan(id: string): Promise<PlanRecord> {
    return readStoredPlan(this.#store, id);
  }

  // a plan's record and the plan file it goes on with (what a correction starts from)
  async #planAndSpec(ref: string): Promise<{ record: PlanRecord; spec: PlanSpec }> {
    const id = await this.#resolveId(ref);
    return { record: await this.#readPlan(id), spec: await readStoredSpec(this.#store, id) };
  }
}
