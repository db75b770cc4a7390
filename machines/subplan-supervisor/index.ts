export { subplanSupervisorMachine, SUPERVISOR_MACHINE_VERSION, type SupervisorContext } from './machine.js';
export { advance, initialState, mergeOrderOf, isSettled, runningChildren, resolvedMerge, type Effect, type Happening, type Advance } from './logic.js';
export type * from './types.js';
