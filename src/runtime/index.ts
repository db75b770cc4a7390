// The runtime (DESIGN §7): createRuntime, the address book of plan actors,
// persistence, restore, and the host server/client of one-owner mode.
export type { DeletePreview, DeleteResult, GcOptions, GcReport } from './runtime.js';
export type {
  PlanPatch,
  PlanLiveness,
  PlanUpdateOptions,
  PlanUpdateResult,
  ApplyPreview,
  LogOptions,
  ToolCallRequest,
  ToolCallResult,
  SubplanSpawnRequest,
  SubplanSpawnResult,
  SubplanWaitResult,
  McpTaskChange,
} from './runtime.js';
export type {
  Runtime,
  RunOptions,
  DecisionTree,
  PhaseOptions,
  ConflictView,
  ConflictList,
  PlanTree,
  ResolveChoice,
  ResolveResult,
  RollbackPreview,
  RollbackResult,
  CorrectionRequest,
  CorrectionResult,
} from './runtime.js';
export { createRuntime } from './create-runtime.js';
export type { RuntimeOptions } from './runtime-options.js';
export { LocalRuntime } from './local-runtime.js';
export { reportLine } from './report-line.js';
export { startWorker, type WorkerOptions, type RunningWorker } from './plan-worker.js';
export { PlanQueue, type PlanJob, type QueueSettings } from './workers/index.js';
export { RemoteBranches } from '../sandbox/remote-branches.js';
export { openRuntime, type RuntimeSession } from './open-runtime.js';
export { startInspector, DEFAULT_INSPECTOR_PORT, type Inspector, type InspectorOptions } from './inspector/index.js';
export { RemoteRuntime, HostRetryError } from './host/index.js';
export { HostServer } from './host/index.js';
export { hostSocketPath, type HostInfo } from './host/index.js';
export { runDoctor, type DoctorCheck, type DoctorReport } from './doctor.js';
export { repairablePlans, type DamagedPlan } from './doctor-objects.js';
export { UNCONFINED_WARNING } from './plans/index.js';
export { loadProjectConfig, projectConfigSchema, type ProjectConfig } from './project/index.js';
export type { ActorOptions } from './plugins/index.js';
export { definePlugin, type Plugin, type PluginDefinition } from './plugins/index.js';
export { findProjectRoot, removeEmptyObjects } from '../sandbox/index.js';
export {
  findSettingsRoot,
  initProject,
  shareDependencies,
  uncommittedInScope,
  type DependencySharing,
  type InitResult,
} from './project/index.js';
export { postgresStore, type StoreChoice } from '../store/store-choice.js';
