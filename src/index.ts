// troupe's public API (SPEC §14). Named exports only.

// the runtime
export { createRuntime, type RuntimeOptions, type Runtime, type RunOptions, type DecisionTree, type ActorOptions, type ProjectConfig } from './runtime/index.js';

// the machines, to provide with other actors
export {
  planLifecycleMachine,
  PLAN_MACHINE_VERSION,
  planPosition,
  planRecordOf,
  explainRefusal,
  type PlanContext,
  type PlanCommand,
  type PlanEmitted,
  type PlanMachineInput,
  type StepOutcome,
  type StrategizeOutput,
  type ValidateOutcome,
  type ApplyOutcome,
  invariantReconcilerMachine,
  DEFAULT_CHECK_CONCURRENCY,
  type ReconcileInput,
  type ReconcileOutput,
  type CheckInput,
} from '../machines/index.js';

// actor interfaces and the built-in implementations
export {
  scriptedStrategist,
  toolCallExecutor,
  type Strategist,
  type StrategistInput,
  type StrategistContext,
  type StrategistResult,
  type Executor,
  type ExecutorInput,
  type ExecutorContext,
  type ExecutorResult,
  type DecisionRequest,
  type CallTool,
  defaultReconciler,
  defineCheck,
  CheckRegistry,
  BUILT_IN_CHECK_SPECS,
  type Reconciler,
  type ReconcilerContext,
  type CheckSpec,
  type CheckContext,
  type CheckVerdict,
  type CheckDefinition,
  type AnyCheckSpec,
} from '../actors/index.js';

// tools
export {
  defineTool,
  ToolRegistry,
  ToolRunner,
  createToolRegistry,
  BUILT_IN_TOOLS,
  type ToolSpec,
  type ToolContext,
  type ToolResult,
  type SideEffect,
  type PathGuard,
  type AnyToolSpec,
} from './tools/index.js';

// the store port and its backends
export { LevelStore, MemoryStore, createLevelStore, createMemoryStore, type Store, type PlanTransaction, type StoredSnapshot } from './store/index.js';

// the plan file, records and errors
export {
  planFileSchema,
  parsePlanFile,
  invariantSchema,
  invariantListSchema,
  builtInInvariantSchema,
  customInvariantSchema,
  BUILT_IN_CHECKS,
  INVARIANT_TIERS,
  RECONCILE_TRIGGERS,
  stepSchema,
  strategySchema,
  TroupeError,
  ValidationError,
  NotFoundError,
  PhaseGuardError,
  ERROR_CODES,
  PHASES,
  type ErrorCode,
  type PlanSpec,
  type PlanFileInput,
  type PlanRecord,
  type PlanError,
  type Decision,
  type DecisionNode,
  type JournalEvent,
  type Changeset,
  type FileChange,
  type Phase,
  type PlanStatus,
  type Automation,
  type SandboxInfo,
  type Invariant,
  type TieredInvariant,
  type InvariantTier,
  type InvariantResult,
  type ReconcileTrigger,
  type ReconcileOutcome,
  type ReconciliationPayload,
  type InvariantEnforcementPayload,
  type ConflictRecord,
} from './domain/index.js';
