import { describe, expect, it } from 'vitest';
import { groupOverlap } from '../../actors/subplans/group-overlap.js';
import { MAX_OVERLAP_LISTED, ValidationError, type Decision, type SubplanMode } from '../../src/domain/index.js';

// Overlap detection of a group at strategize (issue 38): what it records, under
// each policy and mode, and what it refuses.

const step: Decision = {
  id: 'STEP',
  planId: 'P',
  parentId: 'ROOT',
  type: 'step',
  title: 'Fan out',
  rationale: '',
  payload: {},
  actor: 'scripted',
  createdAt: 't',
  status: 'active',
};

function spawns(scopes: (string[] | null)[], dependsOn: number[][] = []): Decision[] {
  return scopes.map((list, at) => ({
    ...step,
    id: `S${at}`,
    parentId: 'STEP',
    type: 'subplan_parallel_spawn' as const,
    payload: {
      childId: `C${at}`,
      childName: `demo/x-${at + 1}`,
      dependencies: (dependsOn[at] ?? []).map((index) => `S${index}`),
      ...(list ? { resourceScopes: list } : {}),
    },
  }));
}

async function detect(
  scopes: (string[] | null)[],
  options: { policy?: 'warn' | 'serialize' | 'allow'; mode?: SubplanMode; dependsOn?: number[][] } = {},
) {
  let reads = 0;
  let ids = 0;
  const result = await groupOverlap({
    policy: options.policy ?? 'warn',
    mode: options.mode ?? 'parallel',
    index: 2,
    decision: step,
    spawns: spawns(scopes, options.dependsOn),
    tree: async () => ((reads += 1), ['src/a.ts', 'README.md']),
    newId: () => `O${(ids += 1)}`,
  });
  return { ...result, reads };
}

describe('groupOverlap', () => {
  it('records nothing and reads no tree when no scopes meet, or under allow', async () => {
    expect(await detect([['src/**'], ['docs/**']])).toEqual({
      overlap: { policy: 'warn', after: {} },
      decisions: [],
      entries: [],
      reads: 0,
    });
    expect(await detect([['src/**'], ['src/**']], { policy: 'allow' })).toEqual({
      overlap: { policy: 'allow', after: {} },
      decisions: [],
      entries: [],
      reads: 0,
    });
  });

  it('warn: an overlap decision under the group and overlap.detected, no waits', async () => {
    const found = await detect([['src/**'], ['docs/**'], ['src/a.ts']]);
    expect(found.reads).toBe(1);
    expect(found.overlap).toEqual({ policy: 'warn', after: {} });
    expect(found.decisions).toMatchObject([
      {
        id: 'O1',
        parentId: 'STEP',
        type: 'overlap',
        title: 'demo/x-1 and demo/x-3 may write the same files: they run side by side',
        payload: {
          policy: 'warn',
          pairs: [{ entries: ['demo/x-1', 'demo/x-3'], files: ['src/a.ts'], fileCount: 1 }],
          edges: [],
          pairCount: 1,
          edgeCount: 0,
        },
      },
    ]);
    expect(found.entries).toEqual([
      { type: 'overlap.detected', phase: 'strategize', data: { step: 2, ...found.decisions[0]!.payload } },
    ]);
  });

  it('serialize: the later entry waits for each earlier one it overlaps, by spawn decision; none in a sequential group', async () => {
    const found = await detect([['src/**'], null, ['src/a.ts']], { policy: 'serialize' });
    expect(found.overlap.after).toEqual({ S1: ['S0'], S2: ['S0', 'S1'] });
    expect(found.decisions[0]!.rationale).toContain(
      'demo/x-3 waits until demo/x-1 is merged; demo/x-3 waits until demo/x-2 is merged',
    );
    expect(found.decisions[0]!.rationale).toContain('demo/x-1 (src/**) and demo/x-2 (anywhere)');
    const sequential = await detect([['src/**'], ['src/a.ts']], { policy: 'serialize', mode: 'sequential' });
    expect(sequential.overlap.after).toEqual({});
    expect(sequential.decisions[0]!.title).toBe(
      'demo/x-1 and demo/x-2 may write the same files: already one at a time',
    );
  });

  it('serialize: refuses waits that go round with dependsOn, naming the entries, at the group’s overlap field', async () => {
    const refused = detect([['src/**'], ['src/a.ts']], {
      policy: 'serialize',
      mode: 'dependency-ordered',
      dependsOn: [[1], []],
    });
    await expect(refused).rejects.toBeInstanceOf(ValidationError);
    await expect(refused).rejects.toMatchObject({
      details: {
        issues: [
          {
            path: 'steps[2].subplans.overlap',
            message: expect.stringContaining(
              'demo/x-1 → demo/x-2 → demo/x-1 (demo/x-2 waits for demo/x-1 (their scopes overlap); demo/x-1 depends on demo/x-2)',
            ),
          },
        ],
      },
    });
  });

  it('lists at most a bounded number of pairs and waits, and says how many there are', async () => {
    const found = await detect(
      Array.from({ length: 20 }, () => ['src/**']),
      { policy: 'serialize' },
    );
    const payload = found.decisions[0]!.payload as {
      pairs: unknown[];
      edges: unknown[];
      pairCount: number;
      edgeCount: number;
    };
    expect([payload.pairs.length, payload.edges.length, payload.pairCount, payload.edgeCount]).toEqual([
      MAX_OVERLAP_LISTED,
      MAX_OVERLAP_LISTED,
      190,
      190,
    ]);
    expect(found.decisions[0]!.title).toBe('190 pairs of children may write the same files: serialized');
    expect(found.decisions[0]!.rationale).toContain('(and 90 more pairs, 190 waits in all)');
    // every wait is kept for the supervisor
    expect(Object.values(found.overlap.after).flat()).toHaveLength(190);
  });
});
