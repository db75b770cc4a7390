// The checkpoints wing (SPEC §10): checkpoints and their records, rollback with its preview,
// corrections and the steps a correction appends.
export { RuntimeCheckpoints, type LivePlan } from './plan-checkpoints.js';
export { RuntimeCorrections } from './plan-corrections.js';
