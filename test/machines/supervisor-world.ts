import { expect } from 'vitest';
import {
  advance,
  initialState,
  type Advance,
  type Effect,
  type GroupConfig,
  type SupervisedChild,
  type SupervisorState,
} from '../../machines/index.js';

// A simulated world for the supervisor's rules: its actors answer in an
// order the test chooses, each child's attempts end as the test says, every
// merge is clean. The property tests check what they need on every step.

/** What the world did: the supervisor's last state and end, the merges in order, what had merged when each child first started. */
export interface GroupRun {
  state: SupervisorState;
  end: Advance['end'];
  merged: string[];
  startedAfter: Map<string, Set<string>>;
}

/**
 * Run a group to its end. `outcomes[childId][attempt - 1]` says whether that
 * attempt validates (missing: it does); `order` picks which pending effect
 * answers next; `onAdvance` sees every answer of the supervisor.
 */
export function runGroup(options: {
  children: SupervisedChild[];
  config: GroupConfig;
  outcomes: Record<string, boolean[]>;
  order: readonly number[];
  onAdvance?: (result: Advance, merged: readonly string[]) => void;
}): GroupRun {
  let state: SupervisorState = initialState({
    planId: 'P',
    stepIndex: 0,
    groupDecisionId: 'G',
    config: options.config,
    children: options.children,
    head: 'h0',
  });
  const pending: Effect[] = [];
  const merged: string[] = [];
  const startedAfter = new Map<string, Set<string>>();
  let heads = 0;
  let end: Advance['end'] = null;
  const feed = (result: Advance) => {
    state = result.state;
    pending.push(...result.effects);
    end = result.end;
    options.onAdvance?.(result, merged);
    for (const effect of result.effects)
      if (effect.kind === 'start' && effect.attempt === 1) startedAfter.set(effect.childId, new Set(merged));
  };
  feed(advance(state, { kind: 'begin' }));
  for (let turn = 0; end === null; turn += 1) {
    expect(pending.length, `stuck: ${JSON.stringify(state.statuses)}`).toBeGreaterThan(0);
    expect(turn).toBeLessThan(2000);
    const effect = pending.splice(options.order[turn % options.order.length]! % pending.length, 1)[0]!;
    switch (effect.kind) {
      case 'start':
        feed(advance(state, { kind: 'started', childId: effect.childId, attempt: effect.attempt, startedAt: turn }));
        break;
      case 'run': {
        const ok = options.outcomes[effect.childId]?.[effect.attempt - 1] ?? true;
        feed(
          advance(state, {
            kind: 'ran',
            childId: effect.childId,
            attempt: effect.attempt,
            output: ok
              ? { ok: true, head: `t-${effect.childId}` }
              : { ok: false, error: { code: 'TOOL_FAILED', message: 'boom' } },
          }),
        );
        break;
      }
      case 'merge': {
        // rounds go one at a time, onto the latest head, in merge order; never empty, never a child twice
        expect(effect.ours).toBe(state.head);
        expect(effect.children.length).toBeGreaterThan(0);
        const round = effect.children.map(({ child }) => ({
          childId: child.childId,
          head: `h${(heads += 1)}`,
          settled: [],
          files: [],
        }));
        for (const { childId } of round) {
          expect(merged).not.toContain(childId);
          expect(state.statuses[childId]!.status).toBe('complete');
          merged.push(childId);
        }
        feed(
          advance(state, { kind: 'merged', childId: round[0]!.childId, output: { merged: round, changeset: null } }),
        );
        break;
      }
      case 'cancel':
        for (const childId of effect.childIds)
          pending.push({ kind: 'run', childId, attempt: state.statuses[childId]!.attempt, deadline: null });
        feed(advance(state, { kind: 'cancelled' }));
        break;
    }
  }
  return { state, end, merged, startedAfter };
}

/** Children `C00`, `C01`… */
export const childIdsOf = (n: number): string[] =>
  Array.from({ length: n }, (_, index) => `C${String(index).padStart(2, '0')}`);
