import { randomBytes } from 'node:crypto';
import type { CreateTaskOptions, TaskStore } from '@modelcontextprotocol/sdk/experimental/tasks/interfaces.js';
import type { Request, RequestId, Result, Task } from '@modelcontextprotocol/sdk/types.js';
import { TroupeError, isFinalTaskStatus, type McpTaskRecord, type McpTaskStatus } from '../domain/index.js';
import type { McpBackend } from './mcp-backend.js';
import { THIS_PROCESS, holderGone } from './task-holder.js';

/** How long a task is kept when the client names no ttl: a day. */
export const DEFAULT_TASK_TTL_MS = 24 * 60 * 60 * 1000;
/** The longest a task is kept: a week (a longer ttl asked for is cut to it). */
export const MAX_TASK_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** How often a client is told to poll a task when it names no pollInterval. */
export const DEFAULT_TASK_POLL_MS = 1000;
// tasks/list answers this many a page
const PAGE_SIZE = 50;

/** Called for a task whose `troupe mcp` is gone: this process carries its work on. */
export type AdoptTask = (task: McpTaskRecord) => void;

/**
 * The SDK's `TaskStore` kept in troupe's store (docs/reference/mcp.md#tasks), through
 * the project's Runtime — this process's or the store owner's — so a task
 * outlives the `troupe mcp` that took it. A task id is 256 random bits and
 * is all it takes to read a task: a client that reconnects (a new session)
 * gets its task by id; `tasks/list` lists the asking session's own tasks
 * (over stdio, every task started over stdio). A task is gone once its ttl
 * passed, counted from its creation and again from its end (deleted when it
 * is next read or listed, or a task is created); reading a task
 * still working whose server is gone hands it to `adopt`.
 *
 * @example
 * const tasks = new McpTaskStore(backend, (task) => work.adopt(task));
 * const server = new Server(info, { capabilities, taskStore: tasks });
 */
export class McpTaskStore implements TaskStore {
  readonly #backend: McpBackend;
  readonly #adopt: AdoptTask;
  readonly #now: () => number;

  constructor(backend: McpBackend, adopt: AdoptTask, now: () => number = Date.now) {
    this.#backend = backend;
    this.#adopt = adopt;
    this.#now = now;
  }

  async createTask(
    params: CreateTaskOptions,
    _requestId: RequestId,
    request: Request,
    sessionId?: string,
  ): Promise<Task> {
    const now = this.#now();
    const ttl = Math.min(Math.max(Math.trunc(params.ttl ?? DEFAULT_TASK_TTL_MS), 1), MAX_TASK_TTL_MS);
    const call = (request.params ?? {}) as { name?: unknown; arguments?: unknown };
    const client = params.context?.['client'];
    const task: McpTaskRecord = {
      taskId: randomBytes(32).toString('base64url'),
      status: 'working',
      ttl,
      createdAt: new Date(now).toISOString(),
      lastUpdatedAt: new Date(now).toISOString(),
      pollInterval: Math.max(Math.trunc(params.pollInterval ?? DEFAULT_TASK_POLL_MS), 100),
      expiresAt: new Date(now + ttl).toISOString(),
      session: sessionOf(sessionId),
      tool: typeof call.name === 'string' ? call.name : '',
      arguments: isFields(call.arguments) ? call.arguments : {},
      client: typeof client === 'string' ? client : 'mcp:client',
      holder: THIS_PROCESS,
    };
    // tasks nobody reads again are deleted here once their ttl passed
    const expired = (await this.#backend.call((runtime) => runtime.mcpTasks()))
      .filter((each) => this.#expired(each))
      .map((each) => each.taskId);
    await this.#save({ put: [task], delete: expired });
    return taskOf(task);
  }

  async getTask(taskId: string): Promise<Task | null> {
    const task = await this.read(taskId);
    return task ? taskOf(task) : null;
  }

  async storeTaskResult(taskId: string, status: 'completed' | 'failed', result: Result): Promise<void> {
    await this.#change(taskId, status, { result: result as Record<string, unknown> });
  }

  async getTaskResult(taskId: string): Promise<Result> {
    const task = await this.#found(taskId);
    if (!task.result)
      throw new TroupeError(
        'NOT_FOUND',
        `task ${taskId} has no result${task.status === 'cancelled' ? ': it was cancelled' : ' yet'}`,
      );
    return task.result as Result;
  }

  async updateTaskStatus(taskId: string, status: Task['status'], statusMessage?: string): Promise<void> {
    await this.#change(taskId, status, statusMessage === undefined ? {} : { statusMessage });
  }

  async listTasks(cursor?: string, sessionId?: string): Promise<{ tasks: Task[]; nextCursor?: string }> {
    const session = sessionOf(sessionId);
    const all = await this.#backend.call((runtime) => runtime.mcpTasks());
    const expired = all.filter((task) => this.#expired(task)).map((task) => task.taskId);
    if (expired.length > 0) await this.#save({ delete: expired });
    const mine = all
      .filter((task) => task.session === session && !expired.includes(task.taskId))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.taskId.localeCompare(b.taskId));
    let start = 0;
    if (cursor !== undefined) {
      start = mine.findIndex((task) => task.taskId === cursor) + 1;
      if (start === 0)
        throw new TroupeError('VALIDATION_ERROR', `no page starts after cursor ${JSON.stringify(cursor)}`, {
          hint: 'list again without a cursor',
        });
    }
    const page = mine.slice(start, start + PAGE_SIZE);
    const more = start + PAGE_SIZE < mine.length;
    return { tasks: page.map(taskOf), ...(more ? { nextCursor: page.at(-1)!.taskId } : {}) };
  }

  /**
   * The task as stored, or null when there is none or its ttl passed (it is
   * deleted then). A task still working whose server is gone is handed to
   * the adopter first.
   */
  async read(taskId: string): Promise<McpTaskRecord | null> {
    const [task] = await this.#backend.call((runtime) => runtime.mcpTasks([taskId]));
    if (!task) return null;
    if (this.#expired(task)) {
      await this.#save({ delete: [taskId] });
      return null;
    }
    if (!isFinalTaskStatus(task.status) && holderGone(task.holder)) this.#adopt(task);
    return task;
  }

  /** Write a task as given (taking one over, say). */
  async write(task: McpTaskRecord): Promise<void> {
    await this.#save({ put: [task] });
  }

  // a new status (and what comes with it); a task that ended stays as it ended
  async #change(taskId: string, status: McpTaskStatus, fields: Partial<McpTaskRecord>): Promise<void> {
    const task = await this.#found(taskId);
    if (isFinalTaskStatus(task.status))
      throw new TroupeError(
        'PHASE_GUARD',
        `task ${taskId} has ended (${task.status}): its status and result stay as they are`,
      );
    const now = this.#now();
    const ended = isFinalTaskStatus(status);
    const expiresAt = ended && task.ttl !== null ? new Date(now + task.ttl).toISOString() : task.expiresAt;
    await this.#save({ put: [{ ...task, ...fields, status, lastUpdatedAt: new Date(now).toISOString(), expiresAt }] });
  }

  async #found(taskId: string): Promise<McpTaskRecord> {
    const task = await this.read(taskId);
    if (!task) throw new TroupeError('NOT_FOUND', `no task ${taskId}: it never existed, or its ttl passed`);
    return task;
  }

  #expired(task: McpTaskRecord): boolean {
    return task.expiresAt !== null && Date.parse(task.expiresAt) <= this.#now();
  }

  #save(change: { put?: McpTaskRecord[]; delete?: string[] }): Promise<void> {
    return this.#backend.call((runtime) => runtime.saveMcpTasks(change));
  }
}

// the session a task belongs to for tasks/list: over stdio there is none
function sessionOf(sessionId: string | undefined): string {
  return sessionId === undefined ? 'stdio' : `http:${sessionId}`;
}

function taskOf(task: McpTaskRecord): Task {
  const { taskId, status, ttl, createdAt, lastUpdatedAt, pollInterval, statusMessage } = task;
  return {
    taskId,
    status,
    ttl,
    createdAt,
    lastUpdatedAt,
    ...(pollInterval === undefined ? {} : { pollInterval }),
    ...(statusMessage === undefined ? {} : { statusMessage }),
  };
}

function isFields(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
