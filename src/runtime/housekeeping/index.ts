// The housekeeping wing (SPEC §18): gc and delete, plan logs, the command log book, the
// preview of what apply would change, a plan's patch, and the housekeeping part of the Runtime interface.
export { applyTakes, previewPlanApply } from './apply-preview.js';
export { previewApplyOf, type ApplyPreviewHost } from './apply-dry-run.js';
export { CommandLogBook } from './command-log-book.js';
export { RuntimeHousekeeping } from './plan-housekeeping.js';
export { readPlanLogs } from './plan-logs.js';
export { patchLimit, planPatch, storedContext } from './plan-patch.js';
export type {
  HousekeepingMethods,
  ApplyPreview,
  LogOptions,
  GcOptions,
  GcReport,
  DeletePreview,
  DeleteResult,
} from './housekeeping-api.js';
