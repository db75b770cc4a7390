import { connect, type Socket } from 'node:net';
import { TroupeError, isSerializedError } from '../../domain/errors.js';
import { subscriptionTarget } from '../../domain/subscription-target.js';
import type {
  PlanLog,
  CheckpointSummary,
  ProjectRecord,
  Changeset,
  JournalEvent,
  McpTaskRecord,
  Phase,
  PlanRecord,
} from '../../domain/index.js';
import { READ_METHODS, lineReader, type HostInfo, type HostMethod } from './host-protocol.js';
import type {
  ConflictList,
  CorrectionRequest,
  CorrectionResult,
  DecisionTree,
  PlanTree,
  LogOptions,
  PhaseOptions,
  ResolveChoice,
  ResolveResult,
  RollbackPreview,
  RollbackResult,
  RunOptions,
  Runtime,
  PlanPatch,
  PlanLiveness,
  PlanUpdateOptions,
  PlanUpdateResult,
  ApplyPreview,
  DeletePreview,
  DeleteResult,
  GcOptions,
  GcReport,
  SubplanSpawnRequest,
  SubplanSpawnResult,
  SubplanWaitResult,
  ToolCallRequest,
  ToolCallResult,
  McpTaskChange,
  ServiceLogOptions,
  ServiceLogsResult,
  ServiceStartRequest,
  ServiceStartResult,
  ServiceStopResult,
  ServiceView,
} from '../runtime.js';

// how long close() waits for the host to end its side of the connection
const CLOSE_GRACE_MS = 1_000;

interface Pending {
  method: HostMethod;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * The Runtime of another troupe process, reached over its host socket.
 * Same interface as the local one; errors arrive as the same coded
 * TroupeErrors. `onDisconnect` tells a follower the host went away.
 *
 * A call the host cannot have started — it said goodbye first, or it went
 * away during a call that only reads — fails with a {@link HostRetryError}:
 * ask it again of the next owner.
 */
export class RemoteRuntime implements Runtime {
  readonly dir: string;
  readonly #socket: Socket;
  readonly #pending = new Map<number, Pending>();
  readonly #listeners = new Map<number, (event: JournalEvent) => void>();
  readonly #disconnectHandlers = new Set<() => void>();
  #nextId = 1;
  #closed = false;
  // the host said it is closing having answered all it started (see #lost)
  #hostClosing = false;

  private constructor(dir: string, socket: Socket) {
    this.dir = dir;
    this.#socket = socket;
    socket.on(
      'data',
      lineReader(
        (message) => this.#receive(message),
        () => socket.destroy(),
      ),
    );
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.#lost());
  }

  /**
   * Connect to the host listening on `socketPath`; rejects (ENOENT,
   * ECONNREFUSED…) if none answers, and with a {@link HostRetryError} if the
   * host went away or was closing before it answered `hostInfo`.
   */
  static async connect(dir: string, socketPath: string): Promise<RemoteRuntime> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const connecting = connect(socketPath);
      connecting.once('error', reject);
      connecting.once('connect', () => {
        connecting.off('error', reject);
        resolve(connecting);
      });
    });
    const remote = new RemoteRuntime(dir, socket);
    // a connection still in the listen queue when the host closes is dropped
    // without a goodbye: only an answer proves the host will say goodbye to us
    await remote.hostInfo().catch((error: unknown) => {
      socket.destroy();
      throw error;
    });
    return remote;
  }

  /** Whether calls still go to the host: it has not gone away, been closed, or said it is closing. */
  get connected(): boolean {
    return !this.#closed && !this.#hostClosing;
  }

  /** Who owns the store and serves this connection (`troupe doctor`). */
  hostInfo(): Promise<HostInfo> {
    return this.#call('hostInfo', []) as Promise<HostInfo>;
  }

  /** Called once when the connection to the host ends (at once if it has ended). */
  onDisconnect(handler: () => void): () => void {
    if (this.#closed) {
      queueMicrotask(handler);
      return () => {};
    }
    this.#disconnectHandlers.add(handler);
    return () => this.#disconnectHandlers.delete(handler);
  }

  createPlan(source: unknown, options: { origin?: string; replace?: boolean } = {}): Promise<PlanRecord> {
    return this.#call('createPlan', [source, options]) as Promise<PlanRecord>;
  }
  updatePlan(ref: string, source: unknown, options: PlanUpdateOptions = {}): Promise<PlanUpdateResult> {
    return this.#call('updatePlan', [ref, source, options]) as Promise<PlanUpdateResult>;
  }
  gc(options: GcOptions = {}): Promise<GcReport> {
    return this.#call('gc', [options]) as Promise<GcReport>;
  }
  previewDelete(ref: string): Promise<DeletePreview> {
    return this.#call('previewDelete', [ref]) as Promise<DeletePreview>;
  }
  deletePlan(ref: string): Promise<DeleteResult> {
    return this.#call('deletePlan', [ref]) as Promise<DeleteResult>;
  }
  patch(ref: string, options: { maxBytes?: number } = {}): Promise<PlanPatch> {
    return this.#call('patch', [ref, options]) as Promise<PlanPatch>;
  }

  previewApply(
    ref: string,
    options: PhaseOptions & { patch?: boolean; maxBytes?: number } = {},
  ): Promise<ApplyPreview> {
    return this.#call('previewApply', [ref, options]) as Promise<ApplyPreview>;
  }
  callTool(ref: string, call: ToolCallRequest): Promise<ToolCallResult> {
    return this.#call('callTool', [ref, call]) as Promise<ToolCallResult>;
  }
  finish(ref: string, options: RunOptions = {}): Promise<PlanRecord> {
    return this.#call('finish', [ref, options]) as Promise<PlanRecord>;
  }
  spawnSubplans(ref: string, request: SubplanSpawnRequest): Promise<SubplanSpawnResult> {
    return this.#call('spawnSubplans', [ref, request]) as Promise<SubplanSpawnResult>;
  }
  waitSubplans(ref: string, options: { timeoutMs?: number } = {}): Promise<SubplanWaitResult> {
    return this.#call('waitSubplans', [ref, options]) as Promise<SubplanWaitResult>;
  }
  mcpTasks(taskIds?: readonly string[]): Promise<McpTaskRecord[]> {
    return this.#call('mcpTasks', taskIds === undefined ? [] : [taskIds]) as Promise<McpTaskRecord[]>;
  }
  async saveMcpTasks(change: McpTaskChange): Promise<void> {
    await this.#call('saveMcpTasks', [change]);
  }
  startService(ref: string, request: ServiceStartRequest): Promise<ServiceStartResult> {
    return this.#call('startService', [ref, request]) as Promise<ServiceStartResult>;
  }
  stopService(ref: string, name: string, options: { actor?: string } = {}): Promise<ServiceStopResult> {
    return this.#call('stopService', [ref, name, options]) as Promise<ServiceStopResult>;
  }
  listServices(ref: string): Promise<{ planId: string; services: ServiceView[] }> {
    return this.#call('listServices', [ref]) as Promise<{ planId: string; services: ServiceView[] }>;
  }
  serviceLogs(ref: string, name: string, options: ServiceLogOptions = {}): Promise<ServiceLogsResult> {
    return this.#call('serviceLogs', [ref, name, options]) as Promise<ServiceLogsResult>;
  }
  getPlan(ref: string): Promise<PlanRecord> {
    return this.#call('getPlan', [ref]) as Promise<PlanRecord>;
  }
  listPlans(options: { all?: boolean } = {}): Promise<PlanRecord[]> {
    return this.#call('listPlans', [options]) as Promise<PlanRecord[]>;
  }

  liveness(planIds: readonly string[]): Promise<PlanLiveness[]> {
    return this.#call('liveness', [planIds]) as Promise<PlanLiveness[]>;
  }
  run(ref: string, options: RunOptions = {}): Promise<PlanRecord> {
    return this.#call('run', [ref, options]) as Promise<PlanRecord>;
  }
  runPhase(ref: string, phase: Phase, options: PhaseOptions = {}): Promise<PlanRecord> {
    return this.#call('runPhase', [ref, phase, options]) as Promise<PlanRecord>;
  }
  addProject(name: string, path: string): Promise<ProjectRecord> {
    return this.#call('addProject', [name, path]) as Promise<ProjectRecord>;
  }
  listProjects(): Promise<ProjectRecord[]> {
    return this.#call('listProjects', []) as Promise<ProjectRecord[]>;
  }
  tree(ref: string): Promise<PlanTree> {
    return this.#call('tree', [ref]) as Promise<PlanTree>;
  }
  conflicts(ref: string): Promise<ConflictList> {
    return this.#call('conflicts', [ref]) as Promise<ConflictList>;
  }
  resolve(ref: string, file: string, choice: ResolveChoice): Promise<ResolveResult> {
    return this.#call('resolve', [ref, file, choice]) as Promise<ResolveResult>;
  }
  cancel(ref: string, options: { reason?: string } = {}): Promise<PlanRecord> {
    return this.#call('cancel', [ref, options]) as Promise<PlanRecord>;
  }
  explain(ref: string): Promise<DecisionTree> {
    return this.#call('explain', [ref]) as Promise<DecisionTree>;
  }
  changes(ref: string): Promise<Changeset | null> {
    return this.#call('changes', [ref]) as Promise<Changeset | null>;
  }
  events(ref: string, options: { afterSeq?: number; limit?: number } = {}): Promise<JournalEvent[]> {
    return this.#call('events', [ref, options]) as Promise<JournalEvent[]>;
  }
  /**
   * Asked one log at a time: a log is up to 2 MiB of output, and a host's
   * answer is one line, which must stay under the protocol's line limit.
   */
  async logs(ref: string, options: LogOptions = {}): Promise<PlanLog[]> {
    // a limit the host refuses is refused as the host says
    if (options.limit !== undefined && !(options.limit > 0))
      return this.#call('logs', [ref, options]) as Promise<PlanLog[]>;
    const logs: PlanLog[] = [];
    let afterSeq = options.afterSeq;
    while (options.limit === undefined || logs.length < options.limit) {
      const page = (await this.#call('logs', [
        ref,
        { ...options, ...(afterSeq === undefined ? {} : { afterSeq }), limit: 1 },
      ])) as PlanLog[];
      const [log] = page;
      if (!log) break;
      logs.push(log);
      afterSeq = log.seq;
    }
    return logs;
  }
  checkpoints(ref: string): Promise<CheckpointSummary[]> {
    return this.#call('checkpoints', [ref]) as Promise<CheckpointSummary[]>;
  }
  checkpoint(ref: string, checkpoint: string): Promise<CheckpointSummary> {
    return this.#call('checkpoint', [ref, checkpoint]) as Promise<CheckpointSummary>;
  }
  createCheckpoint(ref: string, options: { label?: string } = {}): Promise<CheckpointSummary> {
    return this.#call('createCheckpoint', [ref, options]) as Promise<CheckpointSummary>;
  }
  deleteCheckpoint(ref: string, checkpoint: string): Promise<CheckpointSummary> {
    return this.#call('deleteCheckpoint', [ref, checkpoint]) as Promise<CheckpointSummary>;
  }
  pruneCheckpoints(ref: string, keep: number): Promise<{ deleted: string[]; kept: string[] }> {
    return this.#call('pruneCheckpoints', [ref, keep]) as Promise<{ deleted: string[]; kept: string[] }>;
  }
  previewRollback(ref: string, options: { to?: string; clean?: boolean } = {}): Promise<RollbackPreview> {
    return this.#call('previewRollback', [ref, options]) as Promise<RollbackPreview>;
  }
  rollback(ref: string, options: { to?: string } = {}): Promise<RollbackResult> {
    return this.#call('rollback', [ref, options]) as Promise<RollbackResult>;
  }
  correct(ref: string, request: CorrectionRequest): Promise<CorrectionResult> {
    return this.#call('correct', [ref, request]) as Promise<CorrectionResult>;
  }
  resume(ref?: string): Promise<PlanRecord[]> {
    return this.#call('resume', ref === undefined ? [] : [ref]) as Promise<PlanRecord[]>;
  }

  subscribe(planIdOrAll: string, listener: (event: JournalEvent) => void): () => void {
    const target = subscriptionTarget(planIdOrAll);
    const id = this.#nextId++;
    this.#listeners.set(id, listener);
    this.#send(id, 'subscribe', [target]);
    return () => {
      if (!this.#listeners.delete(id) || this.#closed) return;
      this.#send(this.#nextId++, 'unsubscribe', [id]);
    };
  }

  /**
   * Say goodbye and wait for the host's; a host that never ends its side
   * (stopped, or its event loop stuck) is let go of after a short while,
   * so a command never hangs on its way out.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await new Promise<void>((resolve) => {
      const letGo = setTimeout(() => this.#socket.destroy(), CLOSE_GRACE_MS);
      this.#socket.once('close', () => {
        clearTimeout(letGo);
        resolve();
      });
      this.#socket.end();
    });
  }

  #call(method: HostMethod, params: unknown[]): Promise<unknown> {
    // nothing new goes to a host that is leaving: the next owner is asked
    if (this.#closed || this.#hostClosing) return Promise.reject(this.#lostError(method));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { method, resolve, reject });
      this.#send(id, method, params);
    });
  }

  // why a call cannot be answered here: may it be asked of the next owner?
  #lostError(method: HostMethod): TroupeError {
    if (this.#hostClosing) return hostClosing();
    return READ_METHODS.has(method) ? hostGone(HostRetryError) : hostGone(TroupeError);
  }

  #send(id: number, method: HostMethod, params: unknown[]): void {
    this.#socket.write(`${JSON.stringify({ id, method, params })}\n`);
  }

  #receive(message: unknown): void {
    const reply = message as {
      id?: number;
      result?: unknown;
      error?: unknown;
      event?: JournalEvent;
      closing?: unknown;
    };
    if (typeof reply?.id !== 'number') return;
    if (reply.closing === true) {
      this.#hostClosing = true;
      return;
    }
    if (reply.event) {
      this.#listeners.get(reply.id)?.(reply.event);
      return;
    }
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    if (reply.error === undefined) return pending.resolve(reply.result);
    const error = toError(reply.error);
    // a host refuses with retry only once it is closing: so will it every call after
    if (error instanceof HostRetryError) this.#hostClosing = true;
    pending.reject(error);
  }

  #lost(): void {
    this.#closed = true;
    // after the host's goodbye nothing pending was started, and a read may be
    // asked twice: those go to the next owner; anything else may have been done
    for (const pending of this.#pending.values()) pending.reject(this.#lostError(pending.method));
    this.#pending.clear();
    this.#listeners.clear();
    for (const handler of this.#disconnectHandlers) handler();
    this.#disconnectHandlers.clear();
  }
}

/** An error from the host: `retry` marks a host that was shutting down (ask the next owner). */
export class HostRetryError extends TroupeError {}

function toError(error: unknown): TroupeError {
  if (!isSerializedError(error))
    return new TroupeError('INTERNAL_ERROR', 'the troupe host answered with a malformed error');
  const options = {
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    ...(error.details === undefined ? {} : { details: error.details }),
  };
  return (error as { retry?: boolean }).retry
    ? new HostRetryError(error.code, error.message, options)
    : new TroupeError(error.code, error.message, options);
}

function hostClosing(): HostRetryError {
  return new HostRetryError('STORE_LOCKED', 'the troupe host is shutting down');
}

// a HostRetryError only for a read: the host may have done anything else before it went
function hostGone(kind: typeof TroupeError): TroupeError {
  return new kind('INTERNAL_ERROR', 'the troupe process that owns the store went away', {
    hint: 'run the command again; a plan it was running resumes where it stopped',
  });
}
