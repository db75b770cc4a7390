import { z } from 'zod';

// The structured content of service_start, service_stop, service_list and service_logs (their MCP outputSchema).

/** One service as it stands (`ServiceView`). */
export const serviceViewSchema = z.object({
  name: z.string(),
  command: z.string(),
  status: z.enum(['running', 'stopped', 'exited']),
  readyPort: z.number().int().nullable(),
  readyLine: z.string().nullable(),
  startedAt: z.string(),
  stoppedAt: z.string().nullable(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  outputBytes: z.number().int().nonnegative(),
});

/**
 * `service_start`: the service, ready, how long that took, and its last lines.
 *
 * @example
 * const { service, readyAfterMs } = serviceStartResult.parse(result.structuredContent);
 */
export const serviceStartResult = z.object({
  planId: z.string(),
  service: serviceViewSchema,
  readyAfterMs: z.number().nonnegative(),
  lines: z.array(z.string()),
});

/**
 * `service_stop`: how it ended, and the step (counted from 1) that kept what it wrote, or null.
 *
 * @example
 * const { captured } = serviceStopResult.parse(result.structuredContent);
 */
export const serviceStopResult = z.object({
  planId: z.string(),
  service: serviceViewSchema,
  captured: z.object({ step: z.number().int().positive(), commit: z.string().nullable() }).nullable(),
  lines: z.array(z.string()),
});

/**
 * `service_list`: the plan's services, running ones first.
 *
 * @example
 * const { services } = serviceListResult.parse(result.structuredContent);
 */
export const serviceListResult = z.object({ planId: z.string(), services: z.array(serviceViewSchema) });

/**
 * `service_logs`: a page of a service's output and where to read on.
 *
 * @example
 * const { text, nextOffset } = serviceLogsResult.parse(result.structuredContent);
 */
export const serviceLogsResult = z.object({
  planId: z.string(),
  name: z.string(),
  running: z.boolean(),
  text: z.string(),
  offset: z.number().int().nonnegative(),
  nextOffset: z.number().int().nonnegative(),
  totalBytes: z.number().int().nonnegative(),
  truncated: z.boolean(),
});
