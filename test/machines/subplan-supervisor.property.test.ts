import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { subplanJournalEntries, type GroupConfig, type SupervisedChild } from '../../machines/index.js';
import { childIdsOf as ids, runGroup } from './supervisor-world.js';

// The supervisor's rules against a simulated world: random groups (modes,
// DAGs, caps, retries, outcomes) whose actors answer in a random order.
// Whatever happens, attempts under way never exceed maxParallel — nor do
// they in the parent's journal read in order — every child ends, merges
// follow the merge order, and nothing starts before what it waits for merged.

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
      dependsOn: fc.tuple(
        ...ids(group.size).map((_, index) => fc.subarray(ids(index), { maxLength: Math.min(3, index) })),
      ),
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
        const world = { outcomes: Object.fromEntries(childIds.map((id, index) => [id, outcomes[index]!])) };
        const config: GroupConfig = {
          mode: group.mode,
          maxParallel: group.maxParallel,
          mergeStrategy: 'three-way',
          failurePolicy: group.failurePolicy,
          retries: group.retries,
          timeoutMs: null,
          contextView: 'skeleton',
        };
        // each child's status as the parent's journal tells it, entry by entry
        const journaled = new Map<string, string>();
        const { state, end, merged, startedAfter } = runGroup({
          children,
          config,
          outcomes: world.outcomes,
          order,
          onAdvance: (result) => {
            const running = Object.values(result.state.statuses).filter(
              (child) => child.status === 'running' || child.status === 'retrying',
            ).length;
            expect(running).toBeLessThanOrEqual(group.maxParallel);
            for (const entry of subplanJournalEntries({
              type: 'subplans.changed',
              state: result.state,
              changes: result.changes,
              spawned: result.spawned,
            })) {
              journaled.set(String(entry.data.childId), String(entry.data.status));
              const journaledRunning = [...journaled.values()].filter(
                (status) => status === 'running' || status === 'retrying',
              ).length;
              expect(
                journaledRunning,
                `journal after ${entry.type} ${String(entry.data.name)} ${String(entry.data.status)}`,
              ).toBeLessThanOrEqual(group.maxParallel);
            }
          },
        });
        const finished = end;
        expect(finished?.outcome).toBe('done');
        // every child ended: merged, failed or cancelled
        for (const childId of childIds) {
          const child = state.statuses[childId]!;
          expect(
            child.merged ||
              ['failed', 'cancelled'].includes(child.status) ||
              (state.stopping && child.status === 'complete'),
            `${childId}: ${JSON.stringify(child)}`,
          ).toBe(true);
          expect(child.attempt).toBeLessThanOrEqual(group.retries + 1);
        }
        // merges follow the merge order
        expect(merged).toEqual(state.mergeOrder.filter((childId) => merged.includes(childId)));
        // a child started only after what it waits for merged
        for (const child of children) {
          const before = startedAfter.get(child.childId);
          if (!before) continue;
          if (group.mode === 'dependency-ordered')
            for (const dependency of child.dependsOn) expect(before.has(dependency)).toBe(true);
          if (group.mode === 'sequential') {
            const earlier = childIds.slice(0, childIds.indexOf(child.childId));
            for (const previous of earlier)
              expect(before.has(previous) || ['failed', 'cancelled'].includes(state.statuses[previous]!.status)).toBe(
                true,
              );
          }
        }
        // nothing failed means everything merged
        if (
          Object.values(world.outcomes).every(
            (attempts) => attempts.slice(0, group.retries + 1).some(Boolean) && attempts[0],
          )
        ) {
          expect(finished?.outcome === 'done' && finished.failed).toEqual([]);
        }
      }),
      { numRuns: 300 },
    );
  });
});
