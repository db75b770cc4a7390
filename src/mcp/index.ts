export { McpBackend, type RuntimeAccess } from './mcp-backend.js';
export { createMcpServer, MCP_TOOLS, type McpServerInfo } from './server.js';
export { DEFAULT_MCP_PORT, serveMcpHttp, type McpHttpEndpoint, type McpHttpOptions } from './http-server.js';
export type { McpTool, McpToolAnnotations, McpToolContext, Confirm } from './mcp-tool.js';
