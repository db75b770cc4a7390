// The background services of agent-driven plans: each one a contained command
// that runs until it is stopped or its plan leaves execute, in the plan's shared network.
import { createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  TroupeError,
  newId,
  type CommandResult,
  type Decision,
  type JournalEntry,
  type PlanRecord,
  type ServicePayload,
} from '../../domain/index.js';
import type { PlanNetwork } from '../../sandbox/index.js';
import type { AgentHost } from './agent-host.js';
import { DEFAULT_SERVICE_READY_MS, type ServiceStartRequest, type ServiceView } from './service-api.js';
import { readyMatcher } from './ready-line.js';
import { ServiceOutput } from './service-output.js';

/** One service this process started. */
export interface RunningService {
  planId: string;
  /** The plan's decision root, under which the service's decisions hang. */
  decisionRootId: string | null;
  name: string;
  command: string;
  readyPort: number | null;
  readyLine: string | null;
  startedAt: string;
  stoppedAt: string | null;
  status: ServiceView['status'];
  output: ServiceOutput;
  result: CommandResult | null;
  /** Set when its end is being recorded (by a stop or on its own): recorded once. */
  ending: boolean;
  /** Resolves with how it ended (it never rejects: a sandbox that did not start is an exit 127). */
  done: Promise<CommandResult>;
  stop(): void;
}

// how often readiness is looked at
const READY_POLL_MS = 50;

/**
 * The services of this process's plans, by plan and name, ended ones
 * included (their views and output stay until one of the same name starts). It starts them through the plan's command runner —
 * contained, logged as the plan's `service` command logs when they end —
 * records `service` decisions and `service.started|stopped` events, and
 * keeps each plan's network open while a service of it runs.
 *
 * @example
 * const book = new ServiceBook(host);
 * const service = await book.start(planId, { root, decisionRootId }, { name: 'web', command: 'node server.js', readyPort: 8765 }, 'agent');
 * await book.stop(planId, 'web', 'stopped', 'agent');
 */
export class ServiceBook {
  readonly #host: AgentHost;
  readonly #plans = new Map<string, Map<string, RunningService>>();

  constructor(host: AgentHost) {
    this.#host = host;
  }

  /** The plan's services, running ones first, then by start. */
  list(planId: string): RunningService[] {
    const services = [...(this.#plans.get(planId)?.values() ?? [])];
    return services.sort(
      (a, b) =>
        Number(b.status === 'running') - Number(a.status === 'running') || a.startedAt.localeCompare(b.startedAt),
    );
  }

  /** One service of the plan, running or ended, or undefined. */
  get(planId: string, name: string): RunningService | undefined {
    return this.#plans.get(planId)?.get(name);
  }

  /** Whether the plan has a service running now. */
  running(planId: string): boolean {
    return this.list(planId).some((service) => service.status === 'running');
  }

  /**
   * Start a service in the plan's sandbox at `root` and wait until it is
   * ready; a service that is not ready in time (`TIMEOUT`) or ends first
   * (`TOOL_FAILED`) is stopped, recorded as such, and the call rejects with
   * its last lines in `details.lines`.
   */
  async start(
    planId: string,
    where: { root: string; decisionRootId: string | null },
    request: ServiceStartRequest,
    actor: string,
  ): Promise<{ service: RunningService; readyAfterMs: number }> {
    const { services } = this.#host;
    const plan = this.#plans.get(planId) ?? new Map<string, RunningService>();
    this.#plans.set(planId, plan);
    // an ended service of the same name gives way (and moves to the end of the list)
    plan.delete(request.name);
    const policy = await services.sandboxPolicy(planId);
    // the plan's network, shared with its commands (not for a plan with the host's network); with an allow-list, its proxy the one way out
    const network = policy.network
      ? null
      : await services.networks.open(planId, policy.allow ? { allow: policy.allow } : undefined);
    const runner = await services.commandRunner(planId, where.root);
    const output = new ServiceOutput();
    const abort = new AbortController();
    const service: RunningService = {
      planId,
      decisionRootId: where.decisionRootId,
      name: request.name,
      command: request.command,
      readyPort: request.readyPort ?? null,
      readyLine: request.readyLine ?? null,
      startedAt: this.#host.now(),
      stoppedAt: null,
      status: 'running',
      output,
      result: null,
      ending: false,
      done: null as unknown as Promise<CommandResult>,
      stop: () => abort.abort(),
    };
    const matched = request.readyLine === undefined ? null : waitForLine(output, request.readyLine);
    service.done = runner(request.command, {
      signal: abort.signal,
      lasting: true,
      log: { kind: 'service', tool: request.name },
      onOutput: (chunk) => output.push(chunk),
      ...(request.env ? { env: request.env } : {}),
    }).catch((error: unknown) => notStarted(error));
    plan.set(request.name, service);
    this.#record(planId, service, 'start', actor);
    const started = performance.now();
    const ready = await untilReady(service, network, request, matched?.promise ?? null);
    matched?.cancel();
    if (ready !== 'ready') {
      await this.stop(planId, request.name, ready === 'ended' ? 'exited' : 'not-ready', actor);
      const lines = output.lastLines(20);
      const why =
        ready === 'ended'
          ? `ended before it was ready (${endedHow(service.result)})`
          : `was not ready within ${request.readyTimeoutMs ?? DEFAULT_SERVICE_READY_MS} ms (${readiness(request)})`;
      throw new TroupeError(
        ready === 'ended' ? 'TOOL_FAILED' : 'TIMEOUT',
        `service ${request.name} ${why}; it was stopped`,
        {
          hint:
            ready === 'ended'
              ? 'its last lines are in details.lines (service_logs has them all); fix the command and start it again'
              : 'check that it listens on 127.0.0.1 (or prints the ready line), give it more readyTimeoutMs, or see service_logs',
          details: { service: request.name, lines },
        },
      );
    }
    // what it does when it ends on its own (it crashed): recorded as `exited`, its network closed with the last one
    void service.done.then(() => {
      if (!service.ending) void this.#ended(service, 'exited', actor);
    });
    return { service, readyAfterMs: Math.round(performance.now() - started) };
  }

  /** Stop a running service (safe if it already ended); resolves once it is gone and recorded. */
  async stop(
    planId: string,
    name: string,
    reason: NonNullable<ServicePayload['reason']>,
    actor: string,
  ): Promise<RunningService> {
    const service = this.get(planId, name)!;
    if (!service.ending) {
      // marked before the kill: its end is this stop's, not an exit of its own
      service.ending = true;
      service.stop();
      await this.#ended(service, reason, actor);
    }
    return service;
  }

  /** Stop every running service of the plan (it leaves execute, the runtime closes); resolves when all are gone. */
  async stopAll(planId: string, reason: 'plan' | 'stopped', actor = 'runtime'): Promise<string[]> {
    const running = this.list(planId).filter((service) => service.status === 'running');
    await Promise.all(running.map((service) => this.stop(planId, service.name, reason, actor)));
    await this.#host.services.networks.close(planId);
    return running.map((service) => service.name);
  }

  /** A plan moved: one that left execute (or fails there, or ended) loses its services. */
  planMoved(record: PlanRecord): void {
    if (!this.running(record.id)) return;
    const stays =
      record.phase === 'execute' &&
      (record.status === 'queued' || record.status === 'processing' || record.status === 'waiting');
    if (!stays) void this.stopAll(record.id, 'plan');
  }

  /** Stop every service of every plan (the runtime closes). */
  async close(): Promise<void> {
    await Promise.all([...this.#plans.keys()].map((planId) => this.stopAll(planId, 'plan')));
  }

  async #ended(service: RunningService, reason: NonNullable<ServicePayload['reason']>, actor: string): Promise<void> {
    service.ending = true;
    service.result = await service.done;
    service.status = reason === 'exited' ? 'exited' : 'stopped';
    service.stoppedAt = this.#host.now();
    this.#record(service.planId, service, 'stop', actor, reason);
    if (!this.running(service.planId)) await this.#host.services.networks.close(service.planId);
  }

  // a `service` decision and its journal event, in the plan's next batch
  #record(
    planId: string,
    service: RunningService,
    action: 'start' | 'stop',
    actor: string,
    reason?: ServicePayload['reason'],
  ): void {
    const host = this.#host;
    const result = service.result;
    const payload: ServicePayload = {
      name: service.name,
      command: service.command,
      action,
      ...(service.readyPort === null ? {} : { readyPort: service.readyPort }),
      ...(service.readyLine === null ? {} : { readyLine: service.readyLine }),
      ...(action === 'stop'
        ? { exitCode: result?.exitCode ?? null, signal: result?.signal ?? null, reason: reason! }
        : {}),
    };
    const decision: Decision = {
      id: newId(),
      planId,
      parentId: service.decisionRootId,
      type: 'service',
      title:
        action === 'start'
          ? `service ${service.name} started: ${oneLine(service.command)}`
          : `service ${service.name} ${reason === 'exited' ? 'exited' : 'stopped'} (${endedHow(result)})`,
      rationale:
        action === 'start' ? `run ${service.name} in the background (${readinessOf(service)})` : reasonText(reason),
      payload,
      actor,
      createdAt: host.now(),
      status: 'active',
    };
    const entry: JournalEntry = {
      type: action === 'start' ? 'service.started' : 'service.stopped',
      phase: 'execute',
      data:
        action === 'start'
          ? { name: service.name, command: service.command, readyPort: service.readyPort, readyLine: service.readyLine }
          : { name: service.name, exitCode: payload.exitCode, signal: payload.signal, reason },
    };
    host.memory.remember(planId, [decision]);
    host.persistence.record(planId, { decisions: [decision], entries: [entry] });
  }
}

// ready (port listening or line seen), ended first, or the deadline passed
async function untilReady(
  service: RunningService,
  network: PlanNetwork | null,
  request: ServiceStartRequest,
  line: Promise<void> | null,
): Promise<'ready' | 'ended' | 'timeout'> {
  const deadline = performance.now() + (request.readyTimeoutMs ?? DEFAULT_SERVICE_READY_MS);
  let ended = false;
  void service.done.then(() => (ended = true));
  let seen = false;
  void line?.then(() => (seen = true));
  for (;;) {
    if (request.readyPort === undefined && request.readyLine === undefined) return ended ? 'ended' : 'ready';
    if (seen) return 'ready';
    if (request.readyPort !== undefined && (await listens(network, request.readyPort))) return 'ready';
    if (ended) return 'ended';
    if (performance.now() >= deadline) return 'timeout';
    await Promise.race([sleep(READY_POLL_MS), service.done, ...(line ? [line] : [])]);
  }
}

// inside the plan's network: its own TCP table; with the host's network (or unconfined): a connect from here
async function listens(network: PlanNetwork | null, port: number): Promise<boolean> {
  if (network) return network.listening(port);
  return new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function waitForLine(output: ServiceOutput, readyLine: string): { promise: Promise<void>; cancel: () => void } {
  const matches = readyMatcher(readyLine);
  let cancel = (): void => {};
  const promise = new Promise<void>((resolve) => {
    cancel = output.onLine((line) => {
      if (matches(line)) resolve();
    });
  });
  return { promise, cancel: () => cancel() };
}

function notStarted(error: unknown): CommandResult {
  const message = error instanceof Error ? error.message : String(error);
  return {
    exitCode: 127,
    signal: null,
    timedOut: false,
    cancelled: false,
    stdoutTail: '',
    stderrTail: `troupe: could not start the service: ${message}\n`,
    durationMs: 0,
  };
}

function endedHow(result: CommandResult | null): string {
  if (!result) return 'running';
  if (result.exitCode !== null) return `exit ${result.exitCode}`;
  if (result.signal) return result.signal;
  return result.cancelled ? 'stopped' : 'ended';
}

function readiness(request: ServiceStartRequest): string {
  return request.readyPort !== undefined
    ? `nothing listened on 127.0.0.1:${request.readyPort}`
    : `no line matched ${JSON.stringify(request.readyLine)}`;
}

function readinessOf(service: RunningService): string {
  if (service.readyPort !== null) return `ready when 127.0.0.1:${service.readyPort} listens`;
  if (service.readyLine !== null) return `ready when it prints ${JSON.stringify(service.readyLine)}`;
  return 'ready once started';
}

function reasonText(reason: ServicePayload['reason']): string {
  switch (reason) {
    case 'plan':
      return 'the plan left execute: its services stop';
    case 'not-ready':
      return 'it was not ready in time';
    case 'exited':
      return 'it ended on its own';
    default:
      return 'stopped by service_stop';
  }
}

function oneLine(text: string): string {
  const line = text.replace(/[\s\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}
