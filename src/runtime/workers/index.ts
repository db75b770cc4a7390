// The workers wing (scale-out, DESIGN §10): the job queue, children run on remote workers,
// and the settings a worker or a scaled-out runtime reads.
export {
  isConnectionError,
  JOB_LOCK_MS,
  JOB_MAX_STALLS,
  OUTAGES,
  PlanQueue,
  type PlanJob,
  type QueueSettings,
} from './plan-queue.js';
export { finalOutcome, RemoteChildren } from './remote-children.js';
export { checkReachable, scaleOutSettings, workerSettings } from './scale-out-settings.js';
export { defaultWorkerName, heldBy, hold, HOLDER_HEARTBEAT_MS, planLabel, type Holding } from './plan-holding.js';
