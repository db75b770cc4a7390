import { PhaseGuardError, type JournalEvent, type Phase, type PlanRecord, type PlanSpec } from '../domain/index.js';
import { llmStrategist, type ActorServices } from '../../actors/index.js';
import type { Store } from '../store/index.js';
import { resolvePlanRef } from '../store/plan-ref.js';
import { namedPlan, reportLine } from './report-line.js';
import type { LocalRuntimeParts } from './local-runtime-parts.js';
import type { ConflictList } from './runtime.js';
import { RuntimeAgentCalls } from './agent/index.js';
import { ModelDrives, checkPlanModel } from './llm/index.js';
import { RuntimeCheckpoints, RuntimeCorrections } from './checkpoints/index.js';
import {
  RuntimeChildPlans,
  RuntimeConflicts,
  conflictForecastOf,
  storedAttempt,
  type ConflictForecast,
} from './children/index.js';
import { EmittedRecorder, EventFeed } from './events/index.js';
import { CommandLogBook, RuntimeHousekeeping } from './housekeeping/index.js';
import { PlanPersistence, StoreOutage, readStoredPlan, readStoredSpec } from './persistence/index.js';
import {
  LivePlans,
  PlanRuns,
  checkPlanFile,
  planServices,
  providePlanMachine,
  type PlanUpdateHost,
} from './plans/index.js';
import { RemoteChildren, type PlanQueue } from './workers/index.js';
import type { Inspector } from './inspector/index.js';

/** What the wings call back on the LocalRuntime they are wired into: its state and the commands they go through. */
export interface RuntimeSelf {
  /** Whether the runtime closed. */
  closed(): boolean;
  /** Throws when the runtime closed. */
  assertOpen(): void;
  run(ref: string): Promise<PlanRecord>;
  cancel(ref: string, options: { reason?: string }): Promise<PlanRecord>;
  conflicts(ref: string): Promise<ConflictList>;
}

/**
 * The parts a LocalRuntime is made of, one per wing, each lent what it needs
 * of the others; and how a plan reference, record or file is read and
 * checked, as every part does it.
 */
export interface RuntimeWings {
  store: Store;
  now: () => string;
  report: (message: string, error: unknown) => void;
  services: ActorServices;
  events: EventFeed;
  persistence: PlanPersistence;
  checkpoints: RuntimeCheckpoints;
  corrections: RuntimeCorrections;
  agents: RuntimeAgentCalls;
  models: ModelDrives;
  housekeeping: RuntimeHousekeeping;
  logs: CommandLogBook;
  /** The address book: planId → live plan actor. */
  plans: LivePlans;
  runs: PlanRuns;
  updates: PlanUpdateHost;
  conflicts: RuntimeConflicts;
  queue: PlanQueue | null;
  /** What conflict prediction between running children did in this process; null when TROUPE_PREDICT_CONFLICTS=0. */
  forecast: Pick<ConflictForecast, 'counts' | 'idle'> | null;
  /** The plan a name, id or id prefix names, in this project. */
  resolveId(ref: string): Promise<string>;
  readPlan(id: string): Promise<PlanRecord>;
  /** A plan file as createPlan and updatePlan check it: the file, then its model. */
  checkFile(source: unknown, subject: string): Promise<PlanSpec>;
}

/**
 * Build the wings' parts of a LocalRuntime and lend each what it needs of
 * the others. Parts built later (the live plans need the machine, the
 * machine the child plans) are reached through closures, called only once
 * the wiring returned; what goes through the runtime itself (its commands,
 * whether it is open) through `self`.
 *
 * @example
 * const wings = wireLocalRuntime(parts, { closed: () => closed, assertOpen, run, cancel, conflicts });
 * await wings.plans.restoreAll();
 */
export function wireLocalRuntime(parts: LocalRuntimeParts, self: RuntimeSelf): RuntimeWings {
  const { store, tools, memory, services: given } = parts;
  /** What a plan file is checked against, besides the projects registered when it is checked. */
  const fileCheckers = {
    tools,
    checks: parts.checks,
    allowLoaderEnv: parts.allowLoaderEnv === true,
    strategistIsModel: parts.actors.strategist === llmStrategist,
    unconfined: parts.commands?.kind === 'unconfined',
    ...(parts.limits ? { limits: parts.limits } : {}),
    ...(parts.network !== undefined ? { network: parts.network } : {}),
  };
  const now = parts.now ?? (() => new Date().toISOString());
  const report = parts.report ?? ((message, error) => process.stderr.write(reportLine(message, error)));
  const resolveId = (ref: string) => resolvePlanRef(store, ref, parts.dir);
  const readPlan = (id: string) => readStoredPlan(store, id);
  const checkFile = async (source: unknown, subject: string): Promise<PlanSpec> => {
    const hasProject = async (name: string) => (await store.getProject(name)) !== null;
    const spec = await checkPlanFile(source, { ...fileCheckers, hasProject }, subject);
    checkPlanModel(spec, services.models, fileCheckers);
    return spec;
  };
  // a plan's record and the plan file it goes on with (what a correction starts from)
  const planAndSpec = async (ref: string): Promise<{ record: PlanRecord; spec: PlanSpec }> => {
    const id = await resolveId(ref);
    return { record: await readPlan(id), spec: await readStoredSpec(store, id) };
  };
  // cancel a plan this process runs (or restores to cancel); one that already ended is left as it is
  const cancelHere = async (planId: string, reason: string): Promise<void> => {
    await self.cancel(planId, { reason }).catch((error: unknown) => {
      if (!(error instanceof PhaseGuardError)) throw error;
    });
  };
  const named = (id: string) => namedPlan(id, plans.get(id)?.identity.name, store);
  // every published record is heard by the agent wing (a plan that left execute loses its services) and the forecast (a child's new step commit)
  const forecast = conflictForecastOf({
    store,
    report,
    repoRoot: given.sandboxes.projectRoot,
    remote: parts.scaleOut?.remote ?? null,
    actor: (id) => plans.get(id)?.actor,
  });
  const published = {
    publish: (written: readonly JournalEvent[], record: PlanRecord) => (
      plans.published(written, record),
      agents.planMoved(record),
      forecast?.childMoved(record)
    ),
  };
  const events = new EventFeed({
    store,
    report,
    named,
    runsHere: (id) => plans.has(id),
    heard: (id) => remote?.notify(id),
  });
  const outage = parts.outage ? { outage: new StoreOutage(parts.outage) } : {};
  const persistence = new PlanPersistence({
    store,
    now,
    ...published,
    ...outage,
    onError: (id, error) => plans.failedWrite(id, error),
    onLateLogs: (id, late) => logs.late(id, late),
  });
  const lent = {
    store,
    now,
    report,
    named,
    memory,
    persistence,
    phaseOf: (id: string) => plans.phaseOf(id),
    live: (id: string) => plans.live(id),
    stop: (id: string) => plans.stop(id),
  };
  const logs = new CommandLogBook(lent);
  const queue = parts.scaleOut?.queue ?? null;
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
    models: { start: (id, options) => models.start(id, options) },
    services: given,
    remote,
    cancel: cancelHere,
    ensure: (id, known) => plans.watched(id, known),
    create: (...child) => plans.createChild(...child),
    restart: (...child) => plans.restart(...child),
    settled: (id) => persistence.settled(id),
    release: (childIds) => housekeeping.releaseMerged(childIds),
    releaseApplied: (rootId) => housekeeping.releaseApplied(rootId),
  });
  // other processes' commits reach subscribers, and a parent its children on workers, by the
  // store's feed: listening from the start, before anyone subscribes (createRuntime waits for it)
  events.start();
  // the checkpoints a plan's step or model takes wait an outage of the store out, like the plan's other reads
  const stepCheckpoints = {
    create: async (id: string, label: string) =>
      checkpoints.create(await persistence.reads(id)(() => readPlan(id)), label, persistence.reads(id)),
  };
  // a model's text goes out as it comes to whoever follows the plan here (never stored)
  const liveText = (planId: string, phase: Phase) => events.textSink(planId, phase, now);
  const services = planServices(given, {
    ...lent,
    logs,
    commands: parts.commands,
    warn: parts.warn,
    children,
    checkpoints: stepCheckpoints,
    liveText,
  });
  const machine = providePlanMachine(services, parts.actors, parts.checks);
  const checkpoints = new RuntimeCheckpoints({
    ...lent,
    ...published,
    services: given,
    machine,
    start: (...from) => plans.startFrom(...from),
  });
  const emitted = new EmittedRecorder({
    ...lent,
    checkpoints,
    reconcilerName: parts.actors.reconciler.name,
    decisionRootId: (id) => plans.decisionRootId(id),
  });
  const inspect = [parts.inspect, parts.inspector?.inspect];
  const plans: LivePlans = new LivePlans({
    ...lent,
    machine,
    services,
    logs,
    emitted,
    events,
    inspect,
    closed: () => self.closed(),
    assertOpen: () => self.assertOpen(),
  });
  const cancelMerged = (child: PlanRecord, reason: string) => checkpoints.cancelMerged(child, reason);
  const runs = new PlanRuns({
    store,
    plans,
    services,
    remote,
    children,
    cancelHere,
    cancelMerged,
    report,
    models: { drive: (id, options) => models.drive(id, options) },
  });
  const updates: PlanUpdateHost = {
    ...lent,
    readPlan: (id) => readPlan(id),
    check: (source, subject) => checkFile(source, subject),
    live: (id) => plans.live(id),
    settled: (id) => plans.settled(id),
    invariantsOf: (id) => services.invariantsOf(id),
  };
  const conflicts = new RuntimeConflicts({ ...lent, services: given, reopen: (id) => agents.reopen(id) });
  const corrections = new RuntimeCorrections({
    ...lent,
    checkpoints,
    tools,
    plan: (ref) => planAndSpec(ref),
    run: (id) => self.run(id),
  });
  const housekeeping: RuntimeHousekeeping = new RuntimeHousekeeping({
    ...lent,
    dir: parts.dir,
    sandboxes: given.sandboxes,
    cancel: async (id, reason) => void (await self.cancel(id, { reason })),
  });
  // the wrapped runner: an agent's reads are logged (and warned about unconfined) like any command
  const agents: RuntimeAgentCalls = new RuntimeAgentCalls({
    ...lent,
    tools,
    services,
    resolve: (ref) => resolveId(ref),
    readPlan: (id) => readPlan(id),
    conflicts: (id) => self.conflicts(id),
  });
  // a plan's own model is one more agent: its tool calls go through the same agent calls, recorded as an agent's are
  const models: ModelDrives = new ModelDrives({
    ...lent,
    agents,
    services,
    readPlan: (id) => readPlan(id),
    createCheckpoint: stepCheckpoints.create,
  });
  return {
    store,
    now,
    report,
    services,
    events,
    persistence,
    checkpoints,
    corrections,
    agents,
    models,
    housekeeping,
    logs,
    plans,
    runs,
    updates,
    conflicts,
    queue,
    forecast,
    resolveId,
    readPlan,
    checkFile,
  };
}

/**
 * Stop the wings of a closed runtime, in order: the plans' models and
 * agents first, then the feeds and the queue, the live plans once their
 * writes landed, their networks, and last the store (and the inspector the
 * runtime owns, whatever the store's close did).
 *
 * @example
 * await closeWings(wings, inspector);
 */
export async function closeWings(wings: RuntimeWings, inspector: Pick<Inspector, 'close'> | null): Promise<void> {
  const { models, agents, logs, events, queue, plans, services, store, housekeeping } = wings;
  // models stop between calls: a plan picks its conversation up when it is next run
  await models.close();
  await Promise.all([agents.close(), wings.forecast?.idle()]);
  logs.close();
  events.close();
  await queue?.close();
  await plans.close();
  // the plans' networks (a list's stays a while after its last command): none outlives the runtime
  await services.networks.closeAll();
  // on the memory store the plans go with the runtime: so do their sandboxes (SPEC §18)
  if (store.kind === 'memory')
    await housekeeping
      .releaseAll()
      .catch((error: unknown) => wings.report('could not remove the sandboxes of the memory store', error));
  try {
    await store.close();
  } finally {
    await inspector?.close();
  }
}
