import { parseArguments, type McpTool, type McpToolContext } from './mcp-tool.js';
import { RefusedCall, stepNumber } from './sandbox-tools.js';
import { errorResult, errorResultOf, toolResult, type CallToolResult, type McpToolAnswer } from './tool-result.js';

/** How a call runs the tool's handler (through the backend, which asks the next store owner again). */
export type RunTool = (args: Record<string, unknown>, context: McpToolContext) => Promise<McpToolAnswer>;

/**
 * One call of a tool as an MCP result: its arguments checked by its schema,
 * its handler run by `run`, and any troupe error — bad input, a refused
 * tool call with its step and plan — a result with `isError`, never a
 * protocol error. The same whether the call answers at once or as a task.
 *
 * @example
 * const result = await answerCall(tool, request.params.arguments, context, (args, ctx) => backend.call(() => tool.run(args, ctx)));
 */
export async function answerCall(
  tool: McpTool,
  args: unknown,
  context: McpToolContext,
  run: RunTool,
): Promise<CallToolResult> {
  try {
    return toolResult(await run(parseArguments(tool, args), context));
  } catch (error) {
    if (error instanceof RefusedCall)
      return errorResultOf(error.result.error, { step: stepNumber(error.result.step), plan: error.result.plan });
    return errorResult(error);
  }
}
