// Refs hygiene (issue 36): applied plans and the children merged into them
// leave no branch and no ref behind, so what troupe keeps in the user's
// repository does not grow with the number of plans run.
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../src/runtime/local-runtime.js';
import { git } from '../helpers/temp.js';
import { fanOutPlan, planYaml, projectWithRuntime, step } from './fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** troupe's branches and refs in the repository: what the user would find with git. */
function troupeRefs(dir: string): { branches: string[]; refs: string[] } {
  const list = (prefix: string) => git(dir, 'for-each-ref', '--format=%(refname)', prefix).split('\n').filter(Boolean);
  return { branches: list('refs/heads/troupe/'), refs: list('refs/troupe/') };
}

async function applied(runtime: LocalRuntime, index: number): Promise<void> {
  const name = `demo/p${index}`;
  const yaml = planYaml({
    name,
    automation: 'auto',
    resourceScopes: ['**'],
    strategy: { steps: [step('Write', 'fs/write-file', { path: `p${index}.txt`, content: `${index}\n` })] },
  });
  const plan = await runtime.run((await runtime.createPlan(yaml)).id);
  expect(plan).toMatchObject({ name, status: 'done' });
}

describe('refs hygiene', () => {
  it('20 applied plans, one with merged children, leave no troupe branch or ref behind', async () => {
    const { dir, runtime, close } = await projectWithRuntime();
    cleanups.push(close);

    // a plan with children: while it has not ended, its merged children's refs stay (its rollback merges them again)
    const fan = await runtime.run((await runtime.createPlan(fanOutPlan('demo/fan'))).id);
    expect(fan).toMatchObject({ phase: 'validate', status: 'complete' });
    const children = (await runtime.tree(fan.id)).children.map((child) => child.id);
    expect(children).toHaveLength(2);
    const waiting = troupeRefs(dir);
    for (const child of children) expect(waiting.refs.some((ref) => ref.includes(`/${child}/`))).toBe(true);
    expect((await runtime.gc({ dryRun: true })).refs).toBe(0);
    expect(await runtime.runPhase(fan.id, 'apply')).toMatchObject({ status: 'done' });
    expect(troupeRefs(dir)).toEqual({ branches: [], refs: [] });

    for (let i = 1; i <= 4; i++) await applied(runtime, i);
    const afterFive = troupeRefs(dir);
    for (let i = 5; i <= 19; i++) await applied(runtime, i);
    const afterTwenty = troupeRefs(dir);

    expect(afterTwenty).toEqual(afterFive);
    expect(afterTwenty).toEqual({ branches: [], refs: [] });
    expect(git(dir, 'rev-list', '--count', 'HEAD')).toBe('21');
    // nothing left for gc either
    expect(await runtime.gc()).toMatchObject({ worktrees: 0, branches: 0, refs: 0 });
  }, 120_000);
});
