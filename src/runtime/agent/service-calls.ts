// The service calls of an agent-driven plan: start, stop, list and logs, each
// checked before anything runs, and the step that keeps what services wrote into the worktree.
import { TroupeError, ValidationError } from '../../domain/index.js';
import type { AgentHost } from './agent-host.js';
import type {
  ServiceLogOptions,
  ServiceLogsResult,
  ServiceStartRequest,
  ServiceStartResult,
  ServiceStopResult,
  ServiceView,
} from './service-api.js';
import type { RunningService, ServiceBook } from './service-book.js';
import { checkLogOptions } from './service-checks.js';
import { openablePlan } from './open-plans.js';
import { stepCall } from './tool-calls.js';

const LAST_LINES = 20;
const DEFAULT_LOG_LINES = 100;
// the most an offset read answers at once
const MAX_LOG_READ = 256 * 1024;

/** Start a service on the open plan `id` (the request is checked already). */
export async function startService(
  host: AgentHost,
  book: ServiceBook,
  id: string,
  request: ServiceStartRequest,
): Promise<ServiceStartResult> {
  const live = await openablePlan(host, id, 'start a service on');
  const { context } = live.snapshot();
  if (!live.can({ type: 'plan.step' }))
    throw new TroupeError(
      'PHASE_GUARD',
      `cannot start a service on ${context.name}: it is busy (a step or its subplans run)`,
      { hint: 'wait for the call under way, then start it' },
    );
  const running = book.get(id, request.name);
  if (running?.status === 'running') {
    throw new ValidationError(
      [{ path: 'name', message: `service ${request.name} is already running in ${context.name}` }],
      {
        subject: 'service_start',
        hint: `stop it first (service_stop {plan, name: "${request.name}"}) or give the new one another name; service_list shows what runs`,
      },
    );
  }
  const root = host.services.sandboxes.pathOf(context.sandbox!);
  const { service, readyAfterMs } = await book.start(
    id,
    { root, decisionRootId: context.decisionRootId },
    request,
    request.actor ?? 'agent',
  );
  await live.untilRest();
  return { planId: id, service: viewOf(service), readyAfterMs, lines: service.output.lastLines(LAST_LINES) };
}

/** Stop a running service of plan `id` and keep what it wrote as a step (when the plan still takes steps). */
export async function stopService(
  host: AgentHost,
  book: ServiceBook,
  id: string,
  name: string,
  actor: string,
): Promise<ServiceStopResult> {
  const service = book.get(id, name);
  if (service?.status !== 'running') throw notRunning(book, id, name, await nameOf(host, id));
  await book.stop(id, name, 'stopped', actor);
  const captured = await captureServiceWrites(host, id, name, actor);
  return { planId: id, service: viewOf(service), captured, lines: service.output.lastLines(LAST_LINES) };
}

/**
 * Keep what services wrote into the plan's worktree since its last step:
 * a `service/capture` step when something changed and the plan takes
 * steps; null when nothing changed (or it cannot take one: it is busy or
 * not open). A capture the scopes refuse fails like any step.
 */
export async function captureServiceWrites(
  host: AgentHost,
  id: string,
  name: string,
  actor: string,
): Promise<{ step: number; commit: string | null } | null> {
  const live = await host.live(id);
  if (!live || !live.can({ type: 'plan.step' })) return null;
  const { context } = live.snapshot();
  if (!context.open || !context.sandbox) return null;
  const pending = await host.services.sandboxes.pendingPaths(context.sandbox);
  if (pending.length === 0) return null;
  const result = await stepCall(host, id, live, {
    tool: 'service/capture',
    input: { name },
    actor,
    rationale: `keep what service ${name} wrote: ${pending.slice(0, 5).join(', ')}${pending.length > 5 ? '…' : ''}`,
  });
  if (!result.ok) {
    throw new TroupeError(result.error.code, `what service ${name} wrote could not be kept: ${result.error.message}`, {
      hint: result.error.hint ?? 'see plan_status; the step that tried is in plan_explain',
      details: { service: name },
    });
  }
  return { step: result.step!, commit: result.commit };
}

/** The plan's services, as views. */
export function listServices(book: ServiceBook, id: string): { planId: string; services: ServiceView[] } {
  return { planId: id, services: book.list(id).map(viewOf) };
}

/** A service's output: from this process while it knows it, else from the plan's command logs. */
export async function serviceLogs(
  host: AgentHost,
  book: ServiceBook,
  id: string,
  name: string,
  options: ServiceLogOptions,
): Promise<ServiceLogsResult> {
  checkLogOptions(options);
  const service = book.get(id, name);
  if (service) {
    const { output } = service;
    const read =
      options.offset !== undefined
        ? output.from(options.offset, MAX_LOG_READ)
        : output.tail(options.lines ?? DEFAULT_LOG_LINES);
    return {
      planId: id,
      name,
      running: service.status === 'running',
      text: read.text,
      offset: read.start,
      nextOffset: read.end,
      totalBytes: output.total,
      truncated: options.offset !== undefined && read.start > options.offset,
    };
  }
  // an ended service of an earlier process: its command log
  const logs = (await host.store.readLogs(id)).filter((log) => log.kind === 'service' && log.tool === name);
  const last = logs.at(-1);
  if (!last) throw notRunning(book, id, name, await nameOf(host, id), 'has no service');
  const text = last.stdout.text + last.stderr.text;
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const shown =
    options.offset !== undefined
      ? Buffer.from(text)
          .subarray(options.offset, options.offset + MAX_LOG_READ)
          .toString('utf8')
      : `${lines.slice(-(options.lines ?? DEFAULT_LOG_LINES)).join('\n')}\n`;
  const total = Buffer.byteLength(text);
  const start = options.offset !== undefined ? Math.min(options.offset, total) : total - Buffer.byteLength(shown);
  return {
    planId: id,
    name,
    running: false,
    text: shown,
    offset: Math.max(0, start),
    nextOffset: Math.max(0, start) + Buffer.byteLength(shown),
    totalBytes: total,
    truncated: last.stdout.cut + last.stderr.cut > 0,
  };
}

/** What a caller sees of a service. */
export function viewOf(service: RunningService): ServiceView {
  return {
    name: service.name,
    command: service.command,
    status: service.status,
    readyPort: service.readyPort,
    readyLine: service.readyLine,
    startedAt: service.startedAt,
    stoppedAt: service.stoppedAt,
    exitCode: service.result?.exitCode ?? null,
    signal: service.result?.signal ?? null,
    outputBytes: service.output.total,
  };
}

async function nameOf(host: AgentHost, id: string): Promise<string> {
  return (await host.readPlan(id)).name;
}

function notRunning(book: ServiceBook, id: string, name: string, plan: string, what = 'runs no service'): TroupeError {
  const running = book
    .list(id)
    .filter((service) => service.status === 'running')
    .map((service) => service.name);
  return new TroupeError('NOT_FOUND', `${plan} ${what} named ${name}`, {
    hint:
      running.length > 0
        ? `its running services: ${running.join(', ')} (service_list)`
        : `it runs no service now; start one with service_start {plan, name, command}`,
    details: { service: name },
  });
}
