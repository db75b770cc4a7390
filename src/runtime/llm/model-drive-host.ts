import type { ActorServices } from '../../../actors/index.js';
import type { PlanRecord } from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import type { AgentMethods } from '../agent/index.js';
import type { LivePlan } from '../checkpoints/index.js';
import type { PlanPersistence } from '../persistence/index.js';

/** What the runtime lends the plans' model loops (`ModelDrives`). */
export interface ModelDriveHost {
  /** The calls an agent makes on its open plan: the model's tools go through them, as an MCP agent's do. */
  agents: Pick<AgentMethods, 'callTool' | 'finish' | 'spawnSubplans' | 'waitSubplans'>;
  createCheckpoint(planId: string, label: string): Promise<{ id: string; label: string | null }>;
  services: Pick<
    ActorServices,
    'models' | 'liveText' | 'record' | 'readSpec' | 'invariantsOf' | 'newId' | 'now' | 'sandboxPolicy'
  >;
  store: Pick<Store, 'listDecisions' | 'readEvents'>;
  persistence: Pick<PlanPersistence, 'record' | 'written' | 'settled'>;
  /** The plan's live actor, restored if needed; null for a plan that ended. */
  live(planId: string): Promise<LivePlan | null>;
  readPlan(planId: string): Promise<PlanRecord>;
  /** Where a loop nobody awaits reports how it failed (a child plan's). */
  report(message: string, error: unknown): void;
  /** A plan as reports name it: `demo/x (01…)`. */
  named(planId: string): Promise<string>;
}
