// What the runtime lends the agent calls, and the two things a tool call and a subplan spawn
// both do with it: give a tool its context in the plan's sandbox, and append a step decision.
import type { PlanContext } from '../../../machines/index.js';
import type { ActorServices } from '../../../actors/index.js';
import type { Decision, JournalEntry, PlanRecord } from '../../domain/index.js';
import type { SpawnRecorder, ToolContext, ToolRunner } from '../../tools/index.js';
import type { Store } from '../../store/index.js';
import type { LivePlan } from '../checkpoints/index.js';
import type { ConflictList } from '../children/index.js';
import type { PlanMemory, PlanPersistence } from '../persistence/index.js';

/** What the runtime lends the agent calls (`RuntimeAgentCalls`) and the functions they are made of. */
export interface AgentHost {
  tools: ToolRunner;
  services: Omit<ActorServices, 'children' | 'checkpoints'>;
  memory: PlanMemory;
  persistence: PlanPersistence;
  store: Store;
  now(): string;
  /** The plan's id for a ref (id, name or id prefix). */
  resolve(ref: string): Promise<string>;
  /** The plan's live actor, restored if needed; null for a plan that ended. */
  live(planId: string): Promise<LivePlan | null>;
  readPlan(planId: string): Promise<PlanRecord>;
  conflicts(planId: string): Promise<ConflictList>;
}

/**
 * The context a tool runs with on an agent's call: the plan's sandbox as its
 * cwd, the path guard of its scopes, and commands logged as the agent's
 * (`read`, with the tool) — read-only for a read.
 */
export async function toolContext(
  host: AgentHost,
  id: string,
  root: string,
  phase: PlanContext['phase'],
  scopes: string[] | undefined,
  env: Record<string, string>,
  options: { readOnly?: boolean; spawns?: SpawnRecorder; tool?: string },
): Promise<ToolContext> {
  const { services } = host;
  const paths = await services.pathGuard(root, scopes);
  const commands = await services.commandRunner(id, root, options.readOnly ? { readOnly: true } : {});
  const signal = new AbortController().signal;
  return {
    planId: id,
    phase,
    cwd: root,
    paths,
    env: services.commandEnv(env),
    signal,
    runCommand: (command: string, commandOptions: { timeoutMs?: number; tailBytes?: number } = {}) =>
      commands(command, {
        ...commandOptions,
        signal,
        log: { kind: 'read' as const, ...(options.tool ? { tool: options.tool } : {}) },
      }),
    ...(options.spawns ? { spawns: options.spawns } : {}),
  };
}

/** Append `step` to the plan's steps, with the decisions it made; the step list is written with the next snapshot. */
export function appendStep(
  host: AgentHost,
  id: string,
  step: Decision,
  decisions: Decision[],
  entries: JournalEntry[] = [],
): void {
  const { memory, persistence } = host;
  // the step decision goes right after the last executed step
  const list = memory.stepIds(id).map((decisionId, at) => ({ decisionId, title: memory.stepTitle(id, at) ?? '' }));
  list.push({ decisionId: step.id, title: step.title });
  memory.remember(id, decisions);
  memory.setSteps(id, list);
  persistence.record(id, { decisions, ...(entries.length > 0 ? { entries } : {}) });
}
