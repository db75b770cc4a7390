// The key layout of the store (DESIGN §4). Every part lives in a sublevel
// named here, so a key on disk reads `!plans!<planId>`, `!evt!<planId>!<seq>`.

/** Sublevel names, one per kind of stored value. */
export const SUBLEVELS = {
  meta: 'meta',
  plans: 'plans',
  // where a plan's strategyDecisionIds are in its step chain ({ node, count }),
  // kept apart from its record: the record is rewritten on every transition,
  // this only when the list changes
  steps: 'steps',
  // the step chain: `<planId>!<node seq>` → { prev, ids }, written once each
  // (src/store/step-chain.ts); checkpoints point into it as the plan does
  stepNodes: 'stepn',
  names: 'names',
  specs: 'specs',
  snapshots: 'snap',
  decisions: 'dec',
  events: 'evt',
  changesets: 'chg',
  conflicts: 'cfl',
  checkpoints: 'ckpt',
  projects: 'proj',
  // the stdout/stderr of a plan's commands, by seq: large values, never in a snapshot
  logs: 'log',
  // MCP tasks by their id (docs/reference/mcp.md#tasks): a task outlives the server that took it
  mcpTasks: 'mcpt',
  // which worker holds a plan it took from the queue, by plan id (docs/how-to/scale-out.md): rewritten by its heartbeat
  holders: 'hold',
} as const;

/** The key under `meta` holding the schema version. */
export const VERSION_KEY = 'version';

/** A key under `meta` never written: closing a store deletes it with `sync` to flush LevelDB's log. */
export const SYNC_KEY = 'sync';

// 12 digits keep keys in seq order for a trillion events per plan; a seq
// outside that range would sort wrongly, so it is refused on write.
const SEQ_DIGITS = 12;
const MAX_SEQ = 10 ** SEQ_DIGITS - 1;

/** Whether `seq` fits the zero-padded event key. */
export function isStorableSeq(seq: number): boolean {
  return Number.isSafeInteger(seq) && seq >= 0 && seq <= MAX_SEQ;
}

/** The key of a plan's journal event: `<planId>!<seq padded to 12 digits>`. */
export function eventKey(planId: string, seq: number): string {
  return `${planId}!${String(seq).padStart(SEQ_DIGITS, '0')}`;
}

/** The key of a plan's command log: `<planId>!<seq padded to 12 digits>`, like an event's. */
export function logKey(planId: string, seq: number): string {
  return eventKey(planId, seq);
}

/** The seq encoded in an event key. */
export function seqOfEventKey(key: string): number {
  return Number(key.slice(key.lastIndexOf('!') + 1));
}

/** The key of a plan's decision: `<planId>!<decisionId>`. */
export function decisionKey(planId: string, decisionId: string): string {
  return `${planId}!${decisionId}`;
}

/** The key of a node of a plan's step chain: `<planId>!<node seq padded to 12 digits>`. */
export function stepNodeKey(planId: string, node: number): string {
  return eventKey(planId, node);
}

/** The key of a plan's checkpoint: `<planId>!<checkpointId>` (ULIDs: oldest first). */
export function checkpointKey(planId: string, checkpointId: string): string {
  return `${planId}!${checkpointId}`;
}

/** The key of a plan's open conflict on a file: `<planId>!<file>` (the plan id is a fixed-length ULID, so any path fits). */
export function conflictKey(planId: string, file: string): string {
  return `${planId}!${file}`;
}

/**
 * The range of keys under `<planId>!`. `"` is the code point after `!`, so
 * the range holds exactly the keys with that prefix, whatever the id is.
 */
export function planRange(planId: string): { gte: string; lt: string } {
  return { gte: `${planId}!`, lt: `${planId}"` };
}
