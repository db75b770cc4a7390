// The services part of the Runtime interface (docs/reference/mcp.md#services): background
// processes of an agent-driven plan, contained like its commands and sharing its network.

/**
 * A background service to start on an open agent-driven plan: a command
 * that keeps running (a dev server, a database) while the agent's commands
 * talk to it on 127.0.0.1. At most one of `readyPort` and `readyLine`.
 *
 * @example
 * const request: ServiceStartRequest = { name: 'web', command: 'node server.js', readyPort: 8765 };
 * const { service } = await runtime.startService('demo/agent', request);
 */
export interface ServiceStartRequest {
  /** Its name in the plan: 1–64 characters, a letter first, then letters, digits, `-` or `_`. */
  name: string;
  /** Shell text, run as `sh -c command` in the plan's sandbox. */
  command: string;
  /** Ready once something listens on this TCP port inside the plan's network (1–65535). */
  readyPort?: number;
  /** Ready once its output holds this text (`/regex/flags` for a regular expression, in RE2 syntax: see ready-line.ts). */
  readyLine?: string;
  /** How long it may take to get ready (default {@link DEFAULT_SERVICE_READY_MS}); then it is stopped and the call fails with `TIMEOUT`. */
  readyTimeoutMs?: number;
  /** More environment for the service only, over the plan's `env` (no loader variables such as `LD_PRELOAD`). */
  env?: Record<string, string>;
  rationale?: string;
  actor?: string;
}

/** How long a service may take to become ready when the request does not say: 30 s. */
export const DEFAULT_SERVICE_READY_MS = 30_000;
/** The longest `readyTimeoutMs` a request may ask for: 10 minutes. */
export const MAX_SERVICE_READY_MS = 600_000;

/**
 * A service as it stands: `running`, or ended — `stopped` by a call or the
 * plan leaving execute, `exited` on its own — with how it ended.
 *
 * @example
 * const { services } = await runtime.listServices('demo/agent');
 * for (const service of services) console.log(service.name, service.status, service.exitCode);
 */
export interface ServiceView {
  name: string;
  command: string;
  status: 'running' | 'stopped' | 'exited';
  readyPort: number | null;
  readyLine: string | null;
  startedAt: string;
  stoppedAt: string | null;
  exitCode: number | null;
  signal: string | null;
  /** How many bytes of output it wrote so far. */
  outputBytes: number;
}

/**
 * A service that started and became ready, with the last lines it wrote.
 *
 * @example
 * const started: ServiceStartResult = await runtime.startService('demo/agent', { name: 'web', command: 'node server.js', readyLine: 'listening' });
 * console.log(started.readyAfterMs, started.lines.join('\n'));
 */
export interface ServiceStartResult {
  planId: string;
  service: ServiceView;
  /** How long it took to become ready. */
  readyAfterMs: number;
  /** Its last lines of output (at most 20). */
  lines: string[];
}

/**
 * A service stopped: how it ended, and the step that kept what it wrote
 * into the worktree (null when it wrote nothing since the last step).
 *
 * @example
 * const stopped: ServiceStopResult = await runtime.stopService('demo/agent', 'web');
 * if (stopped.captured) console.log('kept in step', stopped.captured.step, stopped.captured.commit);
 */
export interface ServiceStopResult {
  planId: string;
  service: ServiceView;
  captured: { step: number; commit: string | null } | null;
  lines: string[];
}

/**
 * Output of a service: its last `lines` lines, or the bytes from `offset`
 * on. `nextOffset` is where to read on (`offset` of the next call).
 *
 * @example
 * let offset = 0;
 * const page: ServiceLogsResult = await runtime.serviceLogs('demo/agent', 'web', { offset });
 * offset = page.nextOffset;
 */
export interface ServiceLogsResult {
  planId: string;
  name: string;
  running: boolean;
  text: string;
  /** The offset `text` starts at (bytes of the service's whole output). */
  offset: number;
  nextOffset: number;
  /** Bytes written in all. */
  totalBytes: number;
  /** Whether older output was not kept (the first bytes kept are past the requested ones). */
  truncated: boolean;
}

/** What {@link ServiceMethods.serviceLogs} reads: the last `lines` (default 100, at most 2000) or from `offset`. */
export interface ServiceLogOptions {
  lines?: number;
  offset?: number;
}

/**
 * Background services of agent-driven plans: started on
 * a plan open in execute, contained like any of its commands and sharing
 * the plan's network, stopped by a call or when the plan leaves execute;
 * what they write into the worktree is kept by a step.
 *
 * @example
 * await runtime.startService('demo/agent', { name: 'web', command: 'node server.js', readyPort: 8765 });
 * await runtime.callTool('demo/agent', { tool: 'shell/exec', input: { command: 'curl -s 127.0.0.1:8765' } });
 * await runtime.stopService('demo/agent', 'web');
 */
export interface ServiceMethods {
  /**
   * Start a service and wait until it is ready. `PHASE_GUARD` when the plan
   * is not open in execute, `VALIDATION_ERROR` for a bad request or a name
   * already running, `TIMEOUT` (not ready in time) and `TOOL_FAILED` (it
   * ended first) with its last lines — it is stopped then.
   */
  startService(ref: string, request: ServiceStartRequest): Promise<ServiceStartResult>;
  /** Stop a running service and keep what it wrote as a step; `NOT_FOUND` for a service that does not run. */
  stopService(ref: string, name: string, options?: { actor?: string }): Promise<ServiceStopResult>;
  /** The plan's services started by this process, running ones first. */
  listServices(ref: string): Promise<{ planId: string; services: ServiceView[] }>;
  /** A service's output, running or ended (an ended one's is kept with the plan's command logs). */
  serviceLogs(ref: string, name: string, options?: ServiceLogOptions): Promise<ServiceLogsResult>;
}
