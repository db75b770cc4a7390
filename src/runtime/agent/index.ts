// The agent wing (SPEC §16): what an agent driving a plan over MCP or the API calls —
// tool calls as steps, reads, subplan spawn and wait; and the agent part of the Runtime interface.
export { RuntimeAgentCalls } from './agent-calls.js';
export { readMcpTasks, writeMcpTasks, type McpTaskMethods, type McpTaskChange } from './mcp-task-api.js';
export type {
  AgentMethods,
  ToolCallRequest,
  ToolCallResult,
  SubplanSpawnRequest,
  SubplanSpawnResult,
  SubplanWaitResult,
} from './agent-api.js';
export type {
  ServiceMethods,
  ServiceStartRequest,
  ServiceStartResult,
  ServiceStopResult,
  ServiceLogsResult,
  ServiceLogOptions,
  ServiceView,
} from './service-api.js';
export { DEFAULT_SERVICE_READY_MS, MAX_SERVICE_READY_MS } from './service-api.js';
