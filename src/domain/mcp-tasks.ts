import { z } from 'zod';

/** The states of an MCP task (the MCP tasks spec, 2025-11-25): the last three are final. */
export const MCP_TASK_STATUSES = ['working', 'input_required', 'completed', 'failed', 'cancelled'] as const;

/**
 * Where an MCP task stands.
 *
 * @example
 * const done = (status: McpTaskStatus) => status === 'completed' || status === 'failed' || status === 'cancelled';
 */
export type McpTaskStatus = (typeof MCP_TASK_STATUSES)[number];

/**
 * Which process does a task's work: its host name, process id, and an id of its own (a pid is reused).
 *
 * @example
 * const holder: McpTaskHolder = { host: os.hostname(), pid: process.pid, id: randomUUID() };
 */
export interface McpTaskHolder {
  host: string;
  pid: number;
  id: string;
}

/**
 * An MCP task as troupe's store keeps it (docs/reference/mcp.md#tasks): what
 * `tasks/get` answers, the call it runs (so a restarted `troupe mcp` can
 * carry the work on), who does the work, and its result once it ended. It
 * outlives the server process until `expiresAt`.
 *
 * @example
 * const task: McpTaskRecord = { taskId: 'k3…', status: 'working', ttl: 3_600_000, createdAt: now, lastUpdatedAt: now, pollInterval: 1000, expiresAt: later, session: 's1', tool: 'plan_run', arguments: { plan: 'demo/x' }, client: 'mcp:claude', holder: { host: 'dev1', pid: process.pid, id: 'Zk2…' } };
 */
export interface McpTaskRecord {
  /** 256 random bits (base64url): whoever knows it may read the task, so it is not guessable. */
  taskId: string;
  status: McpTaskStatus;
  /** Milliseconds the task is kept, counted from its creation and again from its end; null: until deleted. */
  ttl: number | null;
  createdAt: string;
  lastUpdatedAt: string;
  pollInterval?: number;
  statusMessage?: string;
  /** When the task is gone (ISO time); null never. */
  expiresAt: string | null;
  /** The MCP session that created it: `tasks/list` lists a session its own tasks. */
  session: string;
  /** The tool the task calls, and its arguments as the client sent them. */
  tool: string;
  arguments: Record<string, unknown>;
  /** The client's name, the actor of the decisions the call makes. */
  client: string;
  /** The `troupe mcp` process doing the work: another on the same host takes it over once that process is gone. */
  holder: McpTaskHolder;
  /** The `tools/call` result, once the task ended (completed or failed). */
  result?: Record<string, unknown>;
}

/** The stored shape of an MCP task, checked when it is read back. */
export const mcpTaskRecordSchema = z.strictObject({
  taskId: z.string().min(1),
  status: z.enum(MCP_TASK_STATUSES),
  ttl: z.number().int().nonnegative().nullable(),
  createdAt: z.string(),
  lastUpdatedAt: z.string(),
  pollInterval: z.number().int().positive().optional(),
  statusMessage: z.string().optional(),
  expiresAt: z.string().nullable(),
  session: z.string(),
  tool: z.string(),
  arguments: z.record(z.string(), z.unknown()),
  client: z.string(),
  holder: z.strictObject({ host: z.string(), pid: z.number().int(), id: z.string() }),
  result: z.record(z.string(), z.unknown()).optional(),
});

/** Whether a task in `status` has ended: its status and result no longer change. */
export function isFinalTaskStatus(status: McpTaskStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}
