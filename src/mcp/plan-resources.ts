import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { asTroupeError } from '../domain/index.js';
import type { Runtime } from '../runtime/index.js';

/** MCP's "resource not found" error code (spec 2025-06-18, resources). */
export const RESOURCE_NOT_FOUND = -32002;

// how many journal events one read of …/events returns; ?afterSeq=N reads on
const EVENTS_PER_READ = 1000;

/** The resource templates of `troupe mcp`: a plan's record, decision tree and journal. */
export const PLAN_URI_TEMPLATES = [
  {
    uriTemplate: 'troupe://plans/{id}',
    name: 'plan',
    title: 'Plan record',
    description: 'The plan record (SPEC §13), as plan_status returns it',
    mimeType: 'application/json',
  },
  {
    uriTemplate: 'troupe://plans/{id}/decisions',
    name: 'plan-decisions',
    title: 'Decision tree',
    description: 'The plan’s decision tree, as plan_explain returns it',
    mimeType: 'application/json',
  },
  {
    uriTemplate: 'troupe://plans/{id}/events',
    name: 'plan-events',
    title: 'Journal',
    description: `The plan’s journal events, oldest first, ${EVENTS_PER_READ} per read (add ?afterSeq=N for the next ones)`,
    mimeType: 'application/json',
  },
];

/** The URIs a change to the plan's journal updates. */
export function urisOfPlan(planId: string): string[] {
  const base = `troupe://plans/${planId}`;
  return [base, `${base}/decisions`, `${base}/events`];
}

/** `resources/list`: each plan that has not ended, as its record's URI. */
export async function planResources(runtime: Runtime) {
  const plans = await runtime.listPlans();
  return plans.map((plan) => ({
    uri: `troupe://plans/${plan.id}`,
    name: plan.name,
    title: `${plan.name} (${plan.phase} · ${plan.status})`,
    description: plan.goal,
    mimeType: 'application/json',
  }));
}

/**
 * `resources/read` of a `troupe://plans/…` URI: the record, the decision
 * tree or the journal as JSON text. A URI troupe does not serve, or a plan
 * that does not exist, is MCP's resource-not-found error with troupe's
 * message and hint.
 */
export async function readPlanResource(
  runtime: Runtime,
  uri: string,
): Promise<{ uri: string; mimeType: string; text: string }> {
  const match = /^troupe:\/\/plans\/([^/?#]+)(\/decisions|\/events)?(?:\?afterSeq=(\d{1,15}))?$/.exec(uri);
  if (!match || (match[3] !== undefined && match[2] !== '/events')) {
    throw new McpError(
      RESOURCE_NOT_FOUND,
      `Resource not found: ${uri} (troupe serves troupe://plans/{id}, …/decisions and …/events)`,
      { uri },
    );
  }
  const ref = decodeURIComponent(match[1]!);
  try {
    const body =
      match[2] === '/decisions'
        ? await runtime.explain(ref)
        : match[2] === '/events'
          ? await eventsPage(runtime, ref, Number(match[3] ?? 0))
          : await runtime.getPlan(ref);
    return { uri, mimeType: 'application/json', text: JSON.stringify(body, null, 2) };
  } catch (error) {
    const troupe = asTroupeError(error);
    if (troupe.code !== 'NOT_FOUND') throw error;
    throw new McpError(
      RESOURCE_NOT_FOUND,
      `Resource not found: ${troupe.message}${troupe.hint ? ` (${troupe.hint})` : ''}`,
      { uri },
    );
  }
}

async function eventsPage(runtime: Runtime, ref: string, afterSeq: number) {
  const events = await runtime.events(ref, { afterSeq, limit: EVENTS_PER_READ + 1 });
  const page = events.slice(0, EVENTS_PER_READ);
  return {
    events: page,
    more: events.length > EVENTS_PER_READ,
    ...(events.length > EVENTS_PER_READ ? { next: `?afterSeq=${page.at(-1)!.seq}` } : {}),
  };
}
