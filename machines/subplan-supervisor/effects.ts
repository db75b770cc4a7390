import { childOf } from './child-states.js';
import type { RoundChild, SupervisorState } from './types.js';

/** Work the supervisor asks for; the machine spawns one actor per effect. */
export type Effect =
  | { kind: 'start'; childId: string; attempt: number; spawnHead: string }
  | { kind: 'run'; childId: string; attempt: number; deadline: number | null }
  | { kind: 'merge'; children: RoundChild[]; ours: string; changesetId: string | null }
  | { kind: 'cancel'; childIds: string[]; reason: string };

/**
 * The merge of a round: each child's changes from where it was spawned to
 * its head, onto the parent's sandbox head.
 */
export function mergeEffect(state: SupervisorState, childIds: readonly string[]): Effect {
  const children = childIds.map((childId): RoundChild => {
    const child = state.statuses[childId]!;
    const base = child.spawnHead ?? state.forkHead;
    return { child: childOf(state, childId), base, theirs: child.head ?? base };
  });
  return { kind: 'merge', children, ours: state.head, changesetId: state.changesetId };
}
