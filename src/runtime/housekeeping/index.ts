// The housekeeping wing (SPEC §18): gc and delete, plan logs, the command log book, the
// preview of what apply would change, and the housekeeping part of the Runtime interface.
export { applyTakes, previewPlanApply, truncatedText } from './apply-preview.js';
export { CommandLogBook } from './command-log-book.js';
export { RuntimeHousekeeping } from './plan-housekeeping.js';
export { releaseAppliedTree } from './plan-refs.js';
export { readPlanLogs } from './plan-logs.js';
export type { HousekeepingMethods, ApplyPreview, LogOptions, GcOptions, GcReport, DeletePreview, DeleteResult } from './housekeeping-api.js';
