export { subplanSupervisorMachine, type SupervisorContext } from './machine.js';
export { advance, initialState, resolvedMerge, roundStateAt, type Happening, type Advance } from './logic.js';
export { mergeOrderOf } from './schedule.js';
export type { Effect } from './effects.js';
export type * from './types.js';
