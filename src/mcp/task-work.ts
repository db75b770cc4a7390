import { TroupeError, type McpTaskRecord } from '../domain/index.js';
import type { McpBackend } from './mcp-backend.js';
import type { McpTool, McpToolContext } from './mcp-tool.js';
import { THIS_PROCESS } from './task-holder.js';
import { McpTaskStore } from './task-store.js';
import { answerCall } from './tool-call.js';
import { errorResult, type CallToolResult } from './tool-result.js';

/** Stores a task's result and final status (and tells the client that started it, while it is connected). */
export type FinishTask = (status: 'completed' | 'failed', result: CallToolResult) => Promise<void>;

/**
 * The MCP task work of one `troupe mcp` process (docs/reference/mcp.md#tasks): the
 * tool calls its sessions started as tasks, and those it took over from a
 * server that stopped mid-call. A task's work runs through the backend, so
 * a client that hangs up still gets it done and recorded before the process
 * ends; a result with `isError` fails the task, any other completes it. A
 * task cancelled meanwhile keeps its `cancelled`: the result is dropped.
 *
 * @example
 * const work = mcpTaskWork(backend, (name) => byName.get(name));
 * const server = new Server(info, { capabilities, taskStore: work.store });
 */
export class McpTaskWork {
  /** The tasks, kept in troupe's store. */
  readonly store: McpTaskStore;
  readonly #backend: McpBackend;
  readonly #tools: (name: string) => McpTool | undefined;
  readonly #running = new Set<string>();

  constructor(backend: McpBackend, tools: (name: string) => McpTool | undefined) {
    this.#backend = backend;
    this.#tools = tools;
    this.store = new McpTaskStore(backend, (task) => this.adopt(task));
  }

  /** Run a task's call in this process, started by a session of it. */
  start(taskId: string, tool: McpTool, args: unknown, context: McpToolContext, finish: FinishTask): void {
    this.#run(taskId, () => answerCall(tool, args, context, (parsed, ctx) => tool.run(parsed, ctx)), finish);
  }

  /**
   * Carry on a task whose server stopped mid-call: take it (this process is
   * its holder now), then do what the tool says a restarted call does — by
   * default run it again, which for a durable plan picks up where it was.
   */
  adopt(task: McpTaskRecord): void {
    if (this.#running.has(task.taskId)) return;
    const tool = this.#tools(task.tool);
    const context: McpToolContext = {
      runtime: () => this.#backend.runtime(),
      client: task.client,
      confirm: async () => null,
    };
    const finish: FinishTask = (status, result) => this.store.storeTaskResult(task.taskId, status, result);
    this.#run(
      task.taskId,
      async () => {
        const now = new Date().toISOString();
        await this.store.write({
          ...task,
          holder: THIS_PROCESS,
          lastUpdatedAt: now,
          statusMessage: `carried on by troupe mcp (pid ${process.pid}) after the server that started it stopped`,
        });
        if (!tool?.task)
          return errorResult(
            new TroupeError('INTERNAL_ERROR', `task ${task.taskId} calls ${task.tool}, which does not run as a task`),
          );
        const resume = tool.task.resume ?? tool.run;
        return answerCall(tool, task.arguments, context, (parsed, ctx) => resume(parsed, ctx));
      },
      finish,
    );
  }

  #run(taskId: string, work: () => Promise<CallToolResult>, finish: FinishTask): void {
    this.#running.add(taskId);
    // one backend call: a stdio client that hangs up waits for the result to be stored (drain)
    void this.#backend
      .call(async () => {
        const result = await work();
        await finish(result.isError === true ? 'failed' : 'completed', result);
      })
      // cancelled or expired meanwhile, or the store went away: the task stays as it is
      .catch(() => {})
      .finally(() => this.#running.delete(taskId));
  }
}

const works = new WeakMap<McpBackend, McpTaskWork>();

/** The task work of the process behind `backend`: one for all its sessions, made on first use. */
export function mcpTaskWork(backend: McpBackend, tools: (name: string) => McpTool | undefined): McpTaskWork {
  let work = works.get(backend);
  if (!work) works.set(backend, (work = new McpTaskWork(backend, tools)));
  return work;
}
