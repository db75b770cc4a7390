// The Runtime interface, assembled from the part each wing carries out; the shapes of its
// requests and results live beside them and are re-exported here under the names they always had.
import type { PlanMethods } from './plans/index.js';
import type { ProjectMethods } from './project/index.js';
import type { ChildPlanMethods } from './children/index.js';
import type { CheckpointMethods } from './checkpoints/index.js';
import type { EventMethods } from './events/index.js';
import type { HousekeepingMethods } from './housekeeping/index.js';
import type { AgentMethods, McpTaskMethods, ServiceMethods } from './agent/index.js';
export type {
  RunOptions,
  PhaseOptions,
  DecisionTree,
  PlanPatch,
  PlanLiveness,
  PlanUpdateOptions,
  PlanUpdateResult,
} from './plans/index.js';
export type { InitResult } from './project/index.js';
export type { PlanTree, ConflictView, ConflictList, ResolveChoice, ResolveResult } from './children/index.js';
export type { RollbackPreview, RollbackResult, CorrectionRequest, CorrectionResult } from './checkpoints/index.js';
export type {
  ApplyPreview,
  LogOptions,
  GcOptions,
  GcReport,
  DeletePreview,
  DeleteResult,
} from './housekeeping/index.js';
export type {
  ToolCallRequest,
  ToolCallResult,
  SubplanSpawnRequest,
  SubplanSpawnResult,
  SubplanWaitResult,
  McpTaskChange,
} from './agent/index.js';
export type {
  ServiceMethods,
  ServiceStartRequest,
  ServiceStartResult,
  ServiceStopResult,
  ServiceLogsResult,
  ServiceLogOptions,
  ServiceView,
} from './agent/index.js';

/**
 * The Runtime interface (SPEC §14, DESIGN §7): the same API whether the
 * plans run in this process or in the process that owns the store, reached
 * over the project's host socket (hostSocketPath). The CLI and the UI only use this.
 *
 * Its methods come by concern from the wings that carry them out: plans,
 * projects, child plans and conflicts, checkpoints, events, housekeeping and
 * the calls of agent-driven plans (and the MCP tasks of their clients).
 *
 * Anywhere a method takes `ref`, it accepts a plan id, its full name, or a
 * unique id prefix of at least 6 characters.
 *
 * @example
 * const runtime: Runtime = await createRuntime({ dir: '/path/to/repo', store: 'memory' });
 * const plan = await runtime.createPlan({ name: 'demo/x', goal: 'Say hello' });
 * const stop = runtime.subscribe(plan.id, (event) => console.log(event.type));
 * await runtime.run(plan.id);
 * stop();
 * await runtime.close();
 */
export interface Runtime
  extends
    PlanMethods,
    ProjectMethods,
    ChildPlanMethods,
    CheckpointMethods,
    EventMethods,
    HousekeepingMethods,
    AgentMethods,
    McpTaskMethods,
    ServiceMethods {
  /** The project root (absolute). */
  readonly dir: string;
  /** Stop the runtime: pending writes land, actors stop (a running step is resumed next time), the store closes. */
  close(): Promise<void>;
}
