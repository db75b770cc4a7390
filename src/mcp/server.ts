import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { JournalEvent } from '../domain/index.js';
import { CHECKPOINT_TOOLS } from './checkpoint-tools.js';
import { CONFLICT_TOOLS } from './conflict-tools.js';
import type { McpBackend } from './mcp-backend.js';
import { inputJsonSchema, outputJsonSchema, type Confirm, type McpTool, type McpToolContext } from './mcp-tool.js';
import { LOG_TOOLS } from './log-tools.js';
import { PLAN_TOOLS } from './plan-tools.js';
import { PLAN_URI_TEMPLATES, planResources, readPlanResource, urisOfPlan } from './plan-resources.js';
import { completions, promptList, promptMessages } from './prompts.js';
import { SANDBOX_TOOLS } from './sandbox-tools.js';
import { SUBPLAN_TOOLS } from './subplan-tools.js';
import { SERVICE_TOOLS } from './service-tools.js';
import { mcpTaskWork } from './task-work.js';
import { answerCall } from './tool-call.js';
import type { CallToolResult } from './tool-result.js';

/** Every tool `troupe mcp` offers (SPEC §16), in the order `tools/list` gives them. */
export const MCP_TOOLS: readonly McpTool[] = [
  ...PLAN_TOOLS,
  ...LOG_TOOLS,
  ...SANDBOX_TOOLS,
  ...SERVICE_TOOLS,
  ...SUBPLAN_TOOLS,
  ...CHECKPOINT_TOOLS,
  ...CONFLICT_TOOLS,
];

// how often a long call tells a client that asked for progress that it is still running
const PROGRESS_EVERY_MS = 10_000;

const INSTRUCTIONS = `troupe runs your work on a git project as a plan: every change in its own git worktree, contained, checkpointed and undoable.
1. plan_create {spec: {name: "team/task", goal: "…", resourceScopes: ["src/**"]}} creates an agent-driven plan and opens it.
2. Work in its sandbox with read_file, list_files, write_file, delete_file and run_command (each takes plan: the id or name). Every write or command is a step: committed, checkpointed, checked against the plan's invariants.
3. checkpoint_create and plan_rollback undo; subplan_spawn splits work into child plans merged back with subplan_wait.
4. plan_finish validates the plan; plan_apply brings its changes into the project as one commit.
Errors come back as results with isError and a hint that says what to do.`;

/** The identity a session reports in `initialize`, and how often a long call reports progress. */
export interface McpServerInfo {
  name: string;
  version: string;
  /** Milliseconds between progress notifications of a call the client asked progress for (default 10,000). */
  progressEveryMs?: number;
}

/**
 * One MCP session of `troupe mcp` (SPEC §16): a low-level SDK `Server`
 * whose tools list their arguments as JSON Schema and check them
 * themselves, so bad input is a tool result with `isError` naming the
 * field (never a protocol error); a troupe error is such a result too, with
 * its code, message and hint. Resources `troupe://plans/{id}` (+
 * `/decisions`, `/events`) notify subscribers when the plan's journal grows.
 * Two prompts (work in a plan, review one) and completion of plan ids and
 * names in their arguments and in the resource templates. Long calls
 * (`plan_run`, `subplan_wait`, `run_command`) run as MCP tasks when the
 * client asks, kept in troupe's store (docs/reference/mcp.md#tasks).
 *
 * @example
 * const server = createMcpServer(backend, { name: 'troupe', version: '0.1.0' });
 * await server.connect(new StdioServerTransport());
 */
export function createMcpServer(backend: McpBackend, info: McpServerInfo): Server {
  const byName = new Map(MCP_TOOLS.map((tool) => [tool.name, tool]));
  const tasks = mcpTaskWork(backend, (name) => byName.get(name));
  const server = new Server(
    { name: info.name, version: info.version, title: 'troupe' },
    {
      capabilities: {
        tools: {},
        resources: { subscribe: true, listChanged: true },
        prompts: {},
        completions: {},
        logging: {},
        tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } },
      },
      instructions: INSTRUCTIONS,
      taskStore: tasks.store,
    },
  );
  const subscribed = new Set<string>();

  const confirm: Confirm = async (message) => {
    if (!server.getClientCapabilities()?.elicitation) return null;
    try {
      const answer = await server.elicitInput({
        message,
        requestedSchema: {
          type: 'object',
          properties: {
            confirm: { type: 'boolean', title: 'Roll back', description: 'Yes rolls the plan back as shown' },
          },
          required: ['confirm'],
        },
      });
      return answer.action === 'accept' && answer.content?.['confirm'] === true;
    } catch {
      // a client that cannot answer after all: the caller falls back to the preview
      return null;
    }
  };
  const context = (): McpToolContext => ({
    runtime: () => backend.runtime(),
    client: `mcp:${(server.getClientVersion()?.name ?? 'client').slice(0, 120)}`,
    confirm,
  });

  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: MCP_TOOLS.map((tool) => ({
      name: tool.name,
      title: tool.title,
      description: tool.description,
      inputSchema: inputJsonSchema(tool) as { type: 'object' },
      outputSchema: outputJsonSchema(tool) as { type: 'object' },
      annotations: { title: tool.title, ...tool.annotations },
      ...(tool.task ? { execution: { taskSupport: 'optional' as const } } : {}),
    })),
  }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const tool = byName.get(request.params.name);
    if (!tool)
      throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.params.name} (tools/list lists them)`);
    const asTask = request.params.task;
    if (asTask) {
      // the spec: a tool whose taskSupport is forbidden (the default) answers -32601 to a task request
      if (!tool.task || !extra.taskStore)
        throw new McpError(
          ErrorCode.MethodNotFound,
          `${tool.name} does not run as a task (execution.taskSupport in tools/list): call it without task`,
        );
      const taskStore = extra.taskStore;
      const task = await taskStore.createTask({
        ...(asTask.ttl === undefined ? {} : { ttl: asTask.ttl }),
        context: { client: context().client },
      });
      tasks.start(task.taskId, tool, request.params.arguments, context(), (status, result) =>
        taskStore.storeTaskResult(task.taskId, status, result),
      );
      return { task } as unknown as CallToolResult;
    }
    const token = request.params._meta?.progressToken;
    let ticks = 0;
    const progress =
      token === undefined
        ? undefined
        : setInterval(() => {
            ticks += 1;
            void extra
              .sendNotification({
                method: 'notifications/progress',
                params: { progressToken: token, progress: ticks, message: `${tool.name} still running` },
              })
              .catch(() => {});
          }, info.progressEveryMs ?? PROGRESS_EVERY_MS);
    try {
      return await answerCall(tool, request.params.arguments, context(), (args, ctx) =>
        backend.call(() => tool.run(args, ctx)),
      );
    } finally {
      clearInterval(progress);
    }
  });

  server.setRequestHandler(ListPromptsRequestSchema, () => ({ prompts: promptList() }));
  server.setRequestHandler(GetPromptRequestSchema, (request) =>
    promptMessages(request.params.name, request.params.arguments),
  );
  server.setRequestHandler(CompleteRequestSchema, (request) =>
    backend.call((runtime) => completions(runtime, request.params.ref, request.params.argument)),
  );

  server.setRequestHandler(ListResourcesRequestSchema, async () => ({ resources: await backend.call(planResources) }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({ resourceTemplates: PLAN_URI_TEMPLATES }));
  server.setRequestHandler(ReadResourceRequestSchema, async (request) => ({
    contents: [await backend.call((runtime) => readPlanResource(runtime, request.params.uri))],
  }));
  // any URI may be watched: one that names no plan of troupe's simply never changes
  server.setRequestHandler(SubscribeRequestSchema, (request) => {
    subscribed.add(request.params.uri);
    return {};
  });
  server.setRequestHandler(UnsubscribeRequestSchema, (request) => {
    subscribed.delete(request.params.uri);
    return {};
  });

  const stop = backend.onEvent((event: JournalEvent) => {
    if (event.type === 'plan.created') void server.sendResourceListChanged().catch(() => {});
    for (const uri of urisOfPlan(event.planId)) {
      if (subscribed.has(uri)) void server.sendResourceUpdated({ uri }).catch(() => {});
    }
  });
  const closed = server.onclose;
  server.onclose = () => {
    stop();
    closed?.();
  };
  return server;
}
