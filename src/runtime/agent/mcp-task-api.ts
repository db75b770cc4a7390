// The MCP task part of the Runtime interface (docs/reference/mcp.md#tasks): `troupe mcp` keeps the tasks
// its clients start in the project's store, through whichever process owns it.
import type { McpTaskRecord } from '../../domain/index.js';
import type { Store } from '../../store/index.js';

/**
 * What one write of MCP tasks changes: tasks written whole (created or
 * changed) and tasks deleted (unknown ids are ignored).
 *
 * @example
 * const change: McpTaskChange = { put: [{ ...task, status: 'completed', result }], delete: [expired.taskId] };
 */
export interface McpTaskChange {
  put?: readonly McpTaskRecord[];
  delete?: readonly string[];
}

/**
 * The Runtime's MCP tasks (docs/reference/mcp.md#tasks): records of long tool calls a
 * client asked to run as tasks, kept in the store so a restarted `troupe
 * mcp` answers for them. The runtime keeps them as they are; when a task
 * expires and who does its work is `troupe mcp`'s to judge.
 *
 * @example
 * await runtime.saveMcpTasks({ put: [task] });
 * const [again] = await runtime.mcpTasks([task.taskId]);
 */
export interface McpTaskMethods {
  /** The tasks named (those the store holds, in the order asked), or every task, by id. */
  mcpTasks(taskIds?: readonly string[]): Promise<McpTaskRecord[]>;
  /** Write and delete tasks, each flushed to disk before it resolves. */
  saveMcpTasks(change: McpTaskChange): Promise<void>;
}

/** The MCP tasks the store holds: those named (the ones that exist), or all of them. */
export async function readMcpTasks(store: Store, taskIds?: readonly string[]): Promise<McpTaskRecord[]> {
  return taskIds === undefined
    ? store.listMcpTasks()
    : (await Promise.all(taskIds.map((id) => store.getMcpTask(id)))).filter((task) => task !== null);
}

/** Write tasks whole and delete others by id, each flushed to disk. */
export async function writeMcpTasks(store: Store, change: McpTaskChange): Promise<void> {
  for (const task of change.put ?? []) await store.putMcpTask(task);
  await store.deleteMcpTasks(change.delete ?? []);
}
