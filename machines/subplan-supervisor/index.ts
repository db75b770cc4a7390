export { subplanSupervisorMachine, type SupervisorContext } from './machine.js';
export {
  advance,
  initialState,
  mergeOrderOf,
  resolvedMerge,
  roundStateAt,
  type Effect,
  type Happening,
  type Advance,
} from './logic.js';
export type * from './types.js';
