import { z } from 'zod';
import { READS, mcpTool, planRef, rationale, type McpTool } from './mcp-tool.js';
import { serviceListResult, serviceLogsResult, serviceStartResult, serviceStopResult } from './service-results.js';

// The background service tools of `troupe mcp` (docs/reference/mcp.md#services).

const name = z
  .string()
  .min(1)
  .max(64)
  .meta({ description: 'The service’s name in the plan: a letter, then letters, digits, - or _ (such as web)' });
const tail = (lines: readonly string[]) =>
  lines.length > 0 ? `\nlast lines:\n${lines.map((line) => `  ${line}`).join('\n')}` : '';

/** The service tools: start, stop, list and read the output of a plan's background services. */
export const SERVICE_TOOLS: McpTool[] = [
  mcpTool({
    name: 'service_start',
    title: 'Start a background service',
    description:
      'Start a long-running command (a dev server, a database) in the open plan’s sandbox, contained like run_command and sharing the plan’s network: run_command reaches it on 127.0.0.1, nothing outside the plan does. Waits until it is ready — readyPort: something listens on that port; readyLine: its output holds that text (/regex/flags for a regular expression, RE2 syntax); neither: once started — for readyTimeoutMs (default 30000), else it is stopped and the call fails with its last lines. It runs until service_stop or until the plan leaves execute; what it writes into the sandbox is kept by the next step.',
    output: serviceStartResult,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    input: z.strictObject({
      plan: planRef,
      name,
      command: z
        .string()
        .min(1)
        .max(16_384)
        .meta({ description: 'Shell text, run with sh -c in the sandbox, e.g. npm run dev -- --port 8765' }),
      readyPort: z
        .number()
        .int()
        .min(1)
        .max(65535)
        .meta({ description: 'Ready once something listens on this TCP port inside the plan’s network' })
        .optional(),
      readyLine: z
        .string()
        .min(1)
        .max(1000)
        .meta({
          description:
            'Ready once its output holds this text; /regex/flags for a regular expression (RE2 syntax: flags i, m, s; no backreferences or lookaround)',
        })
        .optional(),
      readyTimeoutMs: z
        .number()
        .int()
        .min(1)
        .max(600_000)
        .meta({ description: 'How long it may take to get ready (default 30000)' })
        .optional(),
      env: z
        .record(z.string(), z.string())
        .meta({ description: 'More environment for the service only, over the plan’s env' })
        .optional(),
      rationale,
    }),
    async run({ plan, rationale: why, ...request }, context) {
      const runtime = await context.runtime();
      const result = await runtime.startService(plan, {
        ...request,
        actor: context.client,
        ...(why === undefined ? {} : { rationale: why }),
      });
      const ready =
        result.service.readyPort !== null
          ? `listens on 127.0.0.1:${result.service.readyPort}`
          : result.service.readyLine !== null
            ? 'printed its ready line'
            : 'started';
      return {
        text: `service ${result.service.name} ${ready} after ${result.readyAfterMs} ms; service_stop ends it${tail(result.lines)}`,
        structured: { ...result },
      };
    },
  }),
  mcpTool({
    name: 'service_stop',
    title: 'Stop a background service',
    description:
      'Stop a running service of the plan. What it wrote into the sandbox since the last step is kept as a step of its own (captured).',
    output: serviceStopResult,
    // the step that keeps what it wrote may run the plan's command checks
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    input: z.strictObject({ plan: planRef, name }),
    async run({ plan, name: service }, context) {
      const runtime = await context.runtime();
      const result = await runtime.stopService(plan, service, { actor: context.client });
      const captured = result.captured ? { step: result.captured.step + 1, commit: result.captured.commit } : null;
      const ended =
        result.service.exitCode !== null ? `exit ${result.service.exitCode}` : (result.service.signal ?? 'stopped');
      const kept = captured ? `; what it wrote is step ${captured.step}` : '; it wrote nothing since the last step';
      return {
        text: `service ${result.service.name} stopped (${ended})${kept}${tail(result.lines)}`,
        structured: { ...result, captured },
      };
    },
  }),
  mcpTool({
    name: 'service_list',
    title: 'List background services',
    description:
      'The plan’s services started in this session: running ones first, then the ones that ended, with how they ended.',
    output: serviceListResult,
    annotations: READS,
    input: z.strictObject({ plan: planRef }),
    async run({ plan }, { runtime }) {
      const result = await (await runtime()).listServices(plan);
      const lines = result.services.map(
        (service) =>
          `${service.name}: ${service.status}${service.status === 'running' ? '' : ` (${service.exitCode !== null ? `exit ${service.exitCode}` : (service.signal ?? 'stopped')})`} — ${service.command}`,
      );
      return { text: lines.length > 0 ? lines.join('\n') : 'no services', structured: { ...result } };
    },
  }),
  mcpTool({
    name: 'service_logs',
    title: 'Read a service’s output',
    description:
      'A service’s stdout and stderr as they came: its last `lines` (default 100), or the bytes from `offset` on (nextOffset says where to read on). Works while it runs and after it stopped.',
    output: serviceLogsResult,
    annotations: READS,
    input: z.strictObject({
      plan: planRef,
      name,
      lines: z
        .number()
        .int()
        .min(1)
        .max(2000)
        .meta({ description: 'How many of its last lines (default 100)' })
        .optional(),
      offset: z
        .number()
        .int()
        .min(0)
        .meta({ description: 'Read from this byte of its output on (nextOffset of the last call)' })
        .optional(),
    }),
    async run({ plan, name: service, lines, offset }, { runtime }) {
      const result = await (
        await runtime()
      ).serviceLogs(plan, service, {
        ...(lines === undefined ? {} : { lines }),
        ...(offset === undefined ? {} : { offset }),
      });
      const note = `[${result.name}: ${result.running ? 'running' : 'ended'}, bytes ${result.offset}–${result.nextOffset} of ${result.totalBytes}${result.truncated ? ', older output was not kept' : ''}]`;
      return {
        text: `${result.text}${result.text.endsWith('\n') || result.text === '' ? '' : '\n'}${note}`,
        structured: { ...result },
      };
    },
  }),
];
