import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { advance, initialState, subplanJournalEntries, type Effect, type SupervisedChild, type SupervisorState } from '../../machines/index.js';
import type { Advance, GroupConfig } from '../../machines/index.js';

// The supervisor's rules against a simulated world: random groups (modes,
// DAGs, caps, retries, outcomes) whose actors answer in a random order.
// Whatever happens, attempts under way never exceed maxParallel — nor do
// they in the parent's journal read in order — every child ends, merges
// follow the merge order, and nothing starts before what it waits for merged.

interface World {
  /** Per child: how each attempt ends (true = validates). */
  outcomes: Record<string, boolean[]>;
  /** Children whose merge conflicts. */
  conflicting: Set<string>;
}

const ids = (n: number) => Array.from({ length: n }, (_, index) => `C${String(index).padStart(2, '0')}`);

const groupArbitrary = fc
  .record({
    size: fc.integer({ min: 1, max: 12 }),
    mode: fc.constantFrom<GroupConfig['mode']>('sequential', 'parallel', 'dependency-ordered'),
    maxParallel: fc.integer({ min: 1, max: 5 }),
    retries: fc.integer({ min: 0, max: 2 }),
    failurePolicy: fc.constantFrom<GroupConfig['failurePolicy']>('fail-fast', 'continue'),
    seed: fc.integer(),
  })
  .chain((group) =>
    fc.record({
      group: fc.constant(group),
      // each child may depend on earlier ones only: a DAG
      dependsOn: fc.tuple(...ids(group.size).map((_, index) => fc.subarray(ids(index), { maxLength: Math.min(3, index) }))),
      outcomes: fc.tuple(...ids(group.size).map(() => fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }))),
      order: fc.array(fc.nat(), { minLength: 400, maxLength: 400 }),
    }),
  );

describe('subplan supervisor rules (property)', () => {
  it('never runs more than maxParallel attempts (nor journals more), ends every child, and merges in order after what each waits for', () => {
    fc.assert(
      fc.property(groupArbitrary, ({ group, dependsOn, outcomes, order }) => {
        const childIds = ids(group.size);
        const children: SupervisedChild[] = childIds.map((childId, index) => ({
          childId,
          name: `demo/x-${index + 1}`,
          decisionId: `D${childId}`,
          dependsOn: group.mode === 'dependency-ordered' ? [...dependsOn[index]!] : [],
          project: null,
        }));
        const world: World = { outcomes: Object.fromEntries(childIds.map((id, index) => [id, outcomes[index]!])), conflicting: new Set() };
        const config: GroupConfig = { mode: group.mode, maxParallel: group.maxParallel, mergeStrategy: 'three-way', failurePolicy: group.failurePolicy, retries: group.retries, timeoutMs: null, contextView: 'skeleton' };
        let state: SupervisorState = initialState({ planId: 'P', stepIndex: 0, groupDecisionId: 'G', config, children, head: 'h0' });
        const pending: Effect[] = [];
        const merged: string[] = [];
        const startedAfter = new Map<string, Set<string>>();
        let heads = 0;
        let end: Advance['end'] = null;
        // each child's status as the parent's journal tells it, entry by entry
        const journaled = new Map<string, string>();

        const feed = (result: Advance) => {
          state = result.state;
          pending.push(...result.effects);
          end = result.end;
          const running = Object.values(state.statuses).filter((child) => child.status === 'running' || child.status === 'retrying').length;
          expect(running).toBeLessThanOrEqual(group.maxParallel);
          for (const entry of subplanJournalEntries({ type: 'subplans.changed', state: result.state, changes: result.changes, spawned: result.spawned })) {
            journaled.set(String(entry.data.childId), String(entry.data.status));
            const journaledRunning = [...journaled.values()].filter((status) => status === 'running' || status === 'retrying').length;
            expect(journaledRunning, `journal after ${entry.type} ${String(entry.data.name)} ${String(entry.data.status)}`).toBeLessThanOrEqual(group.maxParallel);
          }
          for (const effect of result.effects) {
            if (effect.kind === 'start' && effect.attempt === 1) {
              startedAfter.set(effect.childId, new Set(merged));
            }
          }
        };
        feed(advance(state, { kind: 'begin' }));
        for (let turn = 0; end === null; turn += 1) {
          expect(pending.length, `stuck: ${JSON.stringify(state.statuses)}`).toBeGreaterThan(0);
          expect(turn).toBeLessThan(2000);
          const effect = pending.splice(order[turn % order.length]! % pending.length, 1)[0]!;
          switch (effect.kind) {
            case 'start':
              feed(advance(state, { kind: 'started', childId: effect.childId, attempt: effect.attempt, startedAt: turn }));
              break;
            case 'run': {
              const ok = world.outcomes[effect.childId]![effect.attempt - 1] ?? true;
              feed(advance(state, { kind: 'ran', childId: effect.childId, attempt: effect.attempt, output: ok ? { ok: true, head: `t-${effect.childId}` } : { ok: false, error: { code: 'TOOL_FAILED', message: 'boom' } } }));
              break;
            }
            case 'merge': {
              // rounds go one at a time, onto the latest head, in merge order; never empty, never a child twice
              expect(effect.ours).toBe(state.head);
              expect(effect.children.length).toBeGreaterThan(0);
              const round = effect.children.map(({ child }) => ({ childId: child.childId, head: `h${(heads += 1)}`, settled: [], files: [] }));
              for (const { childId } of round) {
                expect(merged).not.toContain(childId);
                expect(state.statuses[childId]!.status).toBe('complete');
                merged.push(childId);
              }
              feed(advance(state, { kind: 'merged', childId: round[0]!.childId, output: { merged: round, changeset: null } }));
              break;
            }
            case 'cancel':
              for (const childId of effect.childIds) pending.push({ kind: 'run', childId, attempt: state.statuses[childId]!.attempt, deadline: null });
              feed(advance(state, { kind: 'cancelled' }));
              break;
          }
        }
        const finished = end as Advance['end'];
        expect(finished?.outcome).toBe('done');
        // every child ended: merged, failed or cancelled
        for (const childId of childIds) {
          const child = state.statuses[childId]!;
          expect(child.merged || ['failed', 'cancelled'].includes(child.status) || (state.stopping && child.status === 'complete'), `${childId}: ${JSON.stringify(child)}`).toBe(true);
          expect(child.attempt).toBeLessThanOrEqual(group.retries + 1);
        }
        // merges follow the merge order
        expect(merged).toEqual(state.mergeOrder.filter((childId) => merged.includes(childId)));
        // a child started only after what it waits for merged
        for (const child of children) {
          const before = startedAfter.get(child.childId);
          if (!before) continue;
          if (group.mode === 'dependency-ordered') for (const dependency of child.dependsOn) expect(before.has(dependency)).toBe(true);
          if (group.mode === 'sequential') {
            const earlier = childIds.slice(0, childIds.indexOf(child.childId));
            for (const previous of earlier) expect(before.has(previous) || ['failed', 'cancelled'].includes(state.statuses[previous]!.status)).toBe(true);
          }
        }
        // nothing failed means everything merged
        if (Object.values(world.outcomes).every((attempts) => attempts.slice(0, group.retries + 1).some(Boolean) && attempts[0])) {
          expect(finished?.outcome === 'done' && finished.failed).toEqual([]);
        }
      }),
      { numRuns: 300 },
    );
  });
});
