// The checkpoints wing (SPEC §10): checkpoints and their records, rollback with its preview,
// corrections and the steps a correction appends, and the checkpoints part of the Runtime interface.
export type { LivePlan } from './checkpoint-host.js';
export { RuntimeCheckpoints, checkKeep } from './plan-checkpoints.js';
export { RuntimeCorrections } from './plan-corrections.js';
export { reopeningPreview, rollbackReopening } from './agent-rollback.js';
export type {
  CheckpointMethods,
  RollbackPreview,
  RollbackResult,
  CorrectionRequest,
  CorrectionResult,
} from './checkpoint-api.js';
