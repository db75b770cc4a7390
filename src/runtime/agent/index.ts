// The agent wing (SPEC §16): what an agent driving a plan over MCP or the API calls —
// tool calls as steps, reads, subplan spawn and wait.
export { RuntimeAgentCalls } from './agent-calls.js';
