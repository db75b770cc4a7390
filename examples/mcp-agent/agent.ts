// A scripted coding agent that works through `troupe mcp`, as Claude Code or
// Codex would, but with its moves written down: it fixes a failing test in
// an agent-driven plan — searches for the function, reads its lines, tries a
// wrong fix first, rolls it back, fixes it with one exact edit — then
// starts the project's HTTP server as a background service and tests its API
// against it (run_command reaches it on 127.0.0.1 inside the plan's own
// network), then finishes the plan and applies it. From the clone, with troupe built, on a git
// repository holding a copy of ./project:
//   node --import tsx examples/mcp-agent/agent.ts <repo>
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';

/** How to start `troupe mcp` for a project: a command and its arguments. */
export interface ServerCommand {
  command: string;
  args: string[];
}

/** What the agent saw, move by move, for whoever runs it to check. */
export interface AgentLog {
  planId: string;
  /** `run_command node test.js` exit codes, in order. */
  testRuns: number[];
  /** The statuses the last test run went through as an MCP task (docs/reference/mcp.md#tasks), ending `completed`. */
  taskStatuses: string[];
  /** `run_command node api-test.js` exit codes, against the running service. */
  apiRuns: number[];
  /** What the service printed while the API test ran (service_logs). */
  serviceLog: string;
  /** The diff plan_changes showed before finishing. */
  patch: string;
  phaseAfterFinish: string;
  appliedCommit: string | null;
  /** Every text the server answered, in order. */
  transcript: string[];
}

interface ToolAnswer {
  isError?: boolean;
  content: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
}

/** The server command that runs this checkout's built CLI (bin/troupe.js) on `dir`. */
export function builtTroupe(dir: string): ServerCommand {
  return {
    command: process.execPath,
    args: [fileURLToPath(new URL('../../bin/troupe.js', import.meta.url)), '-C', dir, 'mcp'],
  };
}

/** Connect to `troupe mcp` and do the task; resolves with what happened. */
export async function runAgent(server: ServerCommand): Promise<AgentLog> {
  const client = new Client({ name: 'example-agent', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: server.command, args: server.args, stderr: 'inherit' }));
  const transcript: string[] = [];
  // every call: the text is kept; an error ends the agent (a real one would read the hint and adapt)
  const call = async <T = Record<string, unknown>>(name: string, args: Record<string, unknown>): Promise<T> => {
    const answer = (await client.callTool({ name, arguments: args }, undefined, { timeout: 120_000 })) as ToolAnswer;
    const text = answer.content.map((part) => part.text ?? '').join('\n');
    transcript.push(`${name}: ${text}`);
    if (answer.isError) throw new Error(`${name} failed: ${text}`);
    return answer.structuredContent as T;
  };
  const test = async (plan: string, why: string) =>
    (await call<{ exitCode: number; stderr: string }>('run_command', { plan, command: 'node test.js', rationale: why }))
      .exitCode;
  // the same, as an MCP task: the call answers at once with a task, its result is read once it ended
  // (a long test suite need not hold the request open, and a restarted troupe mcp still answers it)
  const taskStatuses: string[] = [];
  const testAsTask = async (plan: string, why: string) => {
    const stream = client.experimental.tasks.callToolStream(
      { name: 'run_command', arguments: { plan, command: 'node test.js', rationale: why } },
      CallToolResultSchema,
      { task: { ttl: 600_000 }, timeout: 120_000 },
    );
    for await (const message of stream) {
      if (message.type === 'taskCreated' || message.type === 'taskStatus') taskStatuses.push(message.task.status);
      if (message.type === 'error') throw message.error;
      if (message.type === 'result') {
        transcript.push(
          `run_command (as a task): ${message.result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n')}`,
        );
        taskStatuses.push('completed');
        return (message.result.structuredContent as { exitCode: number }).exitCode;
      }
    }
    throw new Error('the task ended without a result');
  };

  try {
    const { plan } = await call<{ plan: { id: string } }>('plan_create', {
      spec: {
        name: 'agent/fix-sum',
        goal: 'Make node test.js pass',
        resourceScopes: ['src/**'],
        validate: [{ run: 'node test.js' }],
      },
    });
    const testRuns = [await test(plan.id, 'see what fails first')];
    // find where sum is defined, then read just those lines
    const found = await call<{ matches: { path: string; line: number }[] }>('search_files', {
      plan: plan.id,
      pattern: 'exports\\.sum\\s*=',
      glob: 'src/**',
      rationale: 'where sum is defined',
    });
    const [definition] = found.matches;
    if (!definition) throw new Error('sum is not defined anywhere');
    await call('read_file', {
      plan: plan.id,
      path: definition.path,
      offset: Math.max(1, definition.line - 1),
      limit: 3,
      rationale: 'the function under test',
    });
    await call('checkpoint_create', { plan: plan.id, label: 'before-fix' });

    // a first guess that is wrong: the test says so, and the agent goes back
    await call('write_file', {
      plan: plan.id,
      path: 'src/sum.js',
      content: '// Adds two numbers.\nexports.sum = (a, b) => a * b;\n',
      rationale: 'maybe it multiplies',
    });
    testRuns.push(await test(plan.id, 'check the guess'));
    await call('plan_rollback', { plan: plan.id, to: 'before-fix', confirm: true });

    // the fix is one exact edit, not the whole file again
    await call('edit_file', {
      plan: plan.id,
      path: definition.path,
      edits: [
        { oldText: '(a, b) => a - b', newText: '(a, b) => a + b' },
        { oldText: ' (it does not yet)', newText: '' },
      ],
      rationale: 'sum adds',
    });
    testRuns.push(await testAsTask(plan.id, 'check the fix'));

    // the API over the fixed function: a dev server as a background service, tested while it runs
    await call('service_start', {
      plan: plan.id,
      name: 'api',
      command: 'node server.js 8765',
      readyPort: 8765,
      rationale: 'serve the API to test it',
    });
    const apiRuns = [
      (
        await call<{ exitCode: number }>('run_command', {
          plan: plan.id,
          command: 'node api-test.js 8765',
          rationale: 'test the API against the running server',
        })
      ).exitCode,
    ];
    const { text: serviceLog } = await call<{ text: string }>('service_logs', {
      plan: plan.id,
      name: 'api',
      lines: 20,
    });
    await call('service_stop', { plan: plan.id, name: 'api' });

    const { patch } = await call<{ patch: string }>('plan_changes', { plan: plan.id, patch: true });
    const finished = await call<{ plan: { phase: string; status: string } }>('plan_finish', { plan: plan.id });
    const applied = await call<{ plan: { appliedCommit: string | null } }>('plan_apply', { plan: plan.id });
    return {
      planId: plan.id,
      testRuns,
      taskStatuses,
      apiRuns,
      serviceLog,
      patch,
      phaseAfterFinish: `${finished.plan.phase}/${finished.plan.status}`,
      appliedCommit: applied.plan.appliedCommit,
      transcript,
    };
  } finally {
    await client.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const log = await runAgent(builtTroupe(resolve(process.argv[2] ?? '.')));
  console.log(log.transcript.join('\n\n'));
  console.log(
    `\ntest runs: ${log.testRuns.join(', ')}; ${log.phaseAfterFinish}; applied as ${log.appliedCommit?.slice(0, 7)}`,
  );
}
