import type { PlanRecord } from '../../domain/index.js';
import { quotedPath } from '../../domain/terminal-text.js';
import type { ResolveResult, RollbackResult } from '../../runtime/index.js';
import { goesOn } from './text.js';

/**
 * What a rollback did, and how to undo it, on the message line of `troupe ui`.
 *
 * @example
 * rolledBack('demo/x', result); // 'rolled back demo/x: 2 files reverted, 3 decisions discarded · undo: r, enter on pre-rollback'
 */
export function rolledBack(name: string, result: RollbackResult): string {
  const files = result.changesReverted.length;
  // the undo point is the newest checkpoint now: the first one `r` offers
  return `rolled back ${name}: ${files} file${files === 1 ? '' : 's'} reverted, ${result.decisionsDiscarded} decisions discarded · undo: r, enter on pre-rollback`;
}

/**
 * What resolving one file did, and what comes next when it was the last.
 *
 * @example
 * resolved('demo/x', result); // 'resolved a.txt with ours: 1 left'
 */
export function resolved(name: string, result: ResolveResult): string {
  const head = `resolved ${quotedPath(result.file)} with ${result.with === 'content' ? 'your edit' : result.with}`;
  if (result.remaining.length > 0) return `${head}: ${result.remaining.length} left`;
  return `${head}: no conflicts left${result.mergeCommit ? ` (merge commit ${result.mergeCommit.slice(0, 7)})` : ''} · g ${goesOn(result.plan).replace(' it ', ` ${name} `)}`;
}

/**
 * Where `A` left the plan: applied as a commit, or where it stopped.
 *
 * @example
 * applied('demo/x', record); // 'applied demo/x as 1a2b3c4'
 */
export function applied(name: string, record: PlanRecord): string {
  if (record.status === 'done')
    return record.appliedCommit
      ? `applied ${name} as ${record.appliedCommit.slice(0, 7)}`
      : `applied ${name}: it changed nothing, no commit`;
  // conflicts: the conflict view resolves them, and `g` applies
  if (record.status === 'waiting') return `apply ${name} waits on conflicts · c shows them`;
  return `apply ${name}: it is at (${record.phase}, ${record.status})`;
}

/**
 * An error on the message line: its code and message.
 *
 * @example
 * errorText(new TroupeError('PHASE_GUARD', 'cannot apply demo/x')); // 'PHASE_GUARD: cannot apply demo/x'
 */
export function errorText(error: unknown): string {
  if (error instanceof Error)
    return 'code' in error && typeof error.code === 'string' ? `${error.code}: ${error.message}` : error.message;
  return String(error);
}
