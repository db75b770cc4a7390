// The housekeeping wing (SPEC §18): gc and delete, plan logs, the command log book, and the
// preview of what apply would change.
export { applyTakes, previewPlanApply, truncatedText } from './apply-preview.js';
export { CommandLogBook } from './command-log-book.js';
export { RuntimeHousekeeping } from './plan-housekeeping.js';
export { readPlanLogs } from './plan-logs.js';
