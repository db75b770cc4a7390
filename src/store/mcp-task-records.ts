// The MCP tasks of a LevelBackedStore (docs/reference/mcp.md#tasks): one value per
// task under `!mcpt!<taskId>`, read back through its schema like any stored
// value. Kept apart from plans: a task names a plan only in its arguments.
import type { McpTaskRecord } from '../domain/index.js';
import type { Put } from './plan-batches.js';
import type { Sublevels } from './store-database.js';
import { AS_TEXT, loadedSchemas, storedSchemas } from './stored-decode.js';
import { decodeStoredValue } from './stored-value.js';

/** The task `taskId`, or null; a damaged one is `STORE_CORRUPT` naming its key. */
export async function readMcpTask(parts: Sublevels, taskId: string): Promise<McpTaskRecord | null> {
  const text = await parts.mcpTasks.get<string, string>(taskId, AS_TEXT);
  if (text === undefined) return null;
  const { mcpTaskRecordSchema } = loadedSchemas() ?? (await storedSchemas());
  return decodeStoredValue(mcpTaskRecordSchema, text, {
    what: `MCP task ${taskId}`,
    key: parts.mcpTasks.prefix + taskId,
  });
}

/** Every task, by id. */
export async function readMcpTasks(parts: Sublevels): Promise<McpTaskRecord[]> {
  const { mcpTaskRecordSchema } = loadedSchemas() ?? (await storedSchemas());
  const tasks: McpTaskRecord[] = [];
  for await (const [key, text] of parts.mcpTasks.iterator<string, string>(AS_TEXT)) {
    tasks.push(
      decodeStoredValue(mcpTaskRecordSchema, text, { what: `MCP task ${key}`, key: parts.mcpTasks.prefix + key }),
    );
  }
  return tasks;
}

/** The write of a task, checked by its schema first (a bug in the caller writes nothing). */
export async function mcpTaskPut(parts: Sublevels, task: McpTaskRecord): Promise<Put> {
  const { mcpTaskRecordSchema } = loadedSchemas() ?? (await storedSchemas());
  return { type: 'put', sublevel: parts.mcpTasks, key: task.taskId, value: mcpTaskRecordSchema.parse(task) };
}
