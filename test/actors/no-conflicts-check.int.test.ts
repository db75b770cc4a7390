import { describe, expect, it } from 'vitest';
import type { ConflictRecord } from '../../src/domain/index.js';
import { planYaml } from '../runtime/fixtures.js';
import { executedPlan, type StoreKind } from './checks-fixture.js';

// The no-conflicts check: the plan's own open conflicts, as they open and resolve.

describe.each<StoreKind>(['level', 'memory'])('the no-conflicts check (%s store)', (kind) => {
  const conflict = (planId: string, file: string): ConflictRecord => ({
    planId,
    file,
    child: null,
    kind: 'content',
    hunks: [{ ours: 'a\n', base: 'b\n', theirs: 'c\n' }],
  });

  it('passes with no conflict, fails naming the files of the plan’s open conflicts, and passes again once they are resolved', async () => {
    const { check, store, plan, runtime } = await executedPlan(kind);
    expect(await check({ id: 'merged', check: 'no-conflicts' })).toMatchObject({
      id: 'merged',
      check: 'no-conflicts',
      passed: true,
      message: 'no open conflicts',
    });

    // another plan's conflict is not this plan's
    const other = await runtime.createPlan(planYaml({ name: 'demo/other' }));
    await store.commit({
      planId: other.id,
      record: (await store.getPlan(other.id))!,
      conflicts: { put: [conflict(other.id, 'README.md')] },
    });
    expect(await check({ check: 'no-conflicts' })).toMatchObject({ passed: true });

    const record = (await store.getPlan(plan.id))!;
    await store.commit({
      planId: plan.id,
      record,
      conflicts: { put: [conflict(plan.id, 'src/a.ts'), conflict(plan.id, 'docs/guide.md')] },
    });
    const failed = await check({ check: 'no-conflicts' });
    expect(failed.passed).toBe(false);
    expect(failed.message).toMatch(/^2 open conflict\(s\): /);
    expect(failed.message).toContain('src/a.ts');
    expect(failed.message).toContain('docs/guide.md');

    await store.commit({ planId: plan.id, record, conflicts: { resolved: ['docs/guide.md'] } });
    expect(await check({ check: 'no-conflicts' })).toMatchObject({
      passed: false,
      message: '1 open conflict(s): src/a.ts',
    });
    await store.commit({ planId: plan.id, record, conflicts: { resolved: ['src/a.ts'] } });
    expect(await check({ check: 'no-conflicts' })).toMatchObject({ passed: true });
  });
});
