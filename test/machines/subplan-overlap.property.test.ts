import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { overlappingPairs, serializeCycle, serializeEdges } from '../../src/domain/index.js';
import type { GroupConfig, SupervisedChild } from '../../machines/index.js';
import { childIdsOf, runGroup } from './supervisor-world.js';

// overlap: serialize against the supervisor's rules: random scope sets, caps,
// dependencies, outcomes and answer orders. Two children whose scopes can
// meet never run at once, the later one starts only once the earlier one
// merged or ended (and then from the parent's head, not the group's fork),
// and every child still ends.

const SCOPES = [
  'src/**',
  'src/a.ts',
  'src/*.ts',
  'src/{a,b}.ts',
  'docs/**',
  'docs/*.md',
  'package.json',
  '*.json',
  '**/index.ts',
  'lib/**',
  '[ab]/**',
  'a/x',
  'b/?',
];

const groupArbitrary = fc
  .record({
    size: fc.integer({ min: 2, max: 10 }),
    mode: fc.constantFrom<GroupConfig['mode']>('parallel', 'dependency-ordered'),
    maxParallel: fc.integer({ min: 1, max: 6 }),
    retries: fc.integer({ min: 0, max: 1 }),
    failurePolicy: fc.constantFrom<GroupConfig['failurePolicy']>('fail-fast', 'continue'),
  })
  .chain((group) =>
    fc.record({
      group: fc.constant(group),
      scopes: fc.tuple(...childIdsOf(group.size).map(() => fc.subarray(SCOPES, { minLength: 1, maxLength: 2 }))),
      dependsOn: fc.tuple(
        ...childIdsOf(group.size).map((_, index) =>
          fc.subarray([...Array(index).keys()], { maxLength: Math.min(2, index) }),
        ),
      ),
      outcomes: fc.tuple(...childIdsOf(group.size).map(() => fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }))),
      order: fc.array(fc.nat(), { minLength: 300, maxLength: 300 }),
    }),
  );

describe('overlap: serialize (property)', () => {
  it('never runs two overlapping siblings at once, starts the later one after the earlier merged, from the merged head', () => {
    fc.assert(
      fc.property(groupArbitrary, ({ group, scopes, dependsOn, outcomes, order }) => {
        const ids = childIdsOf(group.size);
        const pairs = overlappingPairs(
          scopes.map((list, index) => ({ name: ids[index]!, scopes: list, project: null })),
        );
        const edges = serializeEdges(pairs, group.mode);
        const declared = group.mode === 'dependency-ordered' ? dependsOn : dependsOn.map(() => []);
        // dependencies only point back, like the waits: no cycle is possible
        expect(serializeCycle(edges, declared)).toBeNull();
        const children: SupervisedChild[] = ids.map((childId, index) => {
          const after = edges.filter(([, to]) => to === index).map(([from]) => ids[from]!);
          return {
            childId,
            name: childId,
            decisionId: `D${childId}`,
            dependsOn: declared[index]!.map((at) => ids[at]!),
            ...(after.length > 0 ? { after } : {}),
            project: null,
          };
        });
        const config: GroupConfig = {
          mode: group.mode,
          maxParallel: group.maxParallel,
          mergeStrategy: 'three-way',
          failurePolicy: group.failurePolicy,
          retries: group.retries,
          timeoutMs: null,
          contextView: 'skeleton',
        };
        const active = (status: string) => status === 'running' || status === 'retrying';
        const settled = (child: { merged: boolean; status: string }) =>
          child.merged || ['failed', 'cancelled', 'invalidated'].includes(child.status);
        const run = runGroup({
          children,
          config,
          outcomes: Object.fromEntries(ids.map((id, index) => [id, outcomes[index]!])),
          order,
          onAdvance: (result) => {
            const { statuses } = result.state;
            for (const { a, b } of pairs) {
              const [first, second] = [statuses[ids[a]!]!, statuses[ids[b]!]!];
              expect(
                active(first.status) && active(second.status),
                `${ids[a]} and ${ids[b]} overlap and run at once`,
              ).toBe(false);
            }
            for (const effect of result.effects) {
              if (effect.kind !== 'start' || effect.attempt !== 1) continue;
              const waitsFor = children.find((child) => child.childId === effect.childId)!.after ?? [];
              for (const earlier of waitsFor)
                expect(settled(statuses[earlier]!), `${effect.childId} started before ${earlier} merged`).toBe(true);
              // from the merged result: the parent's head now, not the group's fork point
              if (waitsFor.length > 0) expect(effect.spawnHead).toBe(result.state.head);
            }
          },
        });
        expect(run.end?.outcome).toBe('done');
        for (const id of ids)
          expect(
            settled(run.state.statuses[id]!) || (run.state.stopping && run.state.statuses[id]!.status === 'complete'),
          ).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
