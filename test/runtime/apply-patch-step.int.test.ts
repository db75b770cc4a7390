import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git } from '../helpers/temp.js';
import { projectWithRuntime } from './fixtures.js';

// fs/apply-patch as a plan file's step, written as docs/reference/plan-file.md shows
// it: a YAML block scalar holding the diff (issue 74).

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const PLAN = `name: demo/patched
goal: Greet by name
resourceScopes: ['src/**']
strategy:
  steps:
    - title: Greet by name
      tool: fs/apply-patch
      input:
        patch: |
          --- a/src/greet.ts
          +++ b/src/greet.ts
          @@ -1,3 +1,3 @@
           // the greeting
          -export const greet = () => 'hello';
          +export const greet = (name: string) => \`hello \${name}\`;
           export default greet;
          --- /dev/null
          +++ b/src/greet.test.ts
          @@ -0,0 +1 @@
          +import { greet } from './greet.js';
`;

async function project() {
  const made = await projectWithRuntime({
    'README.md': '# project\n',
    'src/greet.ts': "// the greeting\nexport const greet = () => 'hello';\nexport default greet;\n",
  });
  cleanups.push(made.close);
  return made;
}

describe('an fs/apply-patch step', () => {
  it('patches and creates files as one step, committed and checkpointed with its title', async () => {
    const { dir, runtime } = await project();
    const plan = await runtime.run((await runtime.createPlan(PLAN)).id);
    expect(plan).toMatchObject({ phase: 'validate', status: 'complete' });
    const worktree = join(dir, plan.sandbox!.worktree);
    expect(git(worktree, 'show', 'HEAD:src/greet.ts')).toBe(
      '// the greeting\nexport const greet = (name: string) => `hello ${name}`;\nexport default greet;',
    );
    expect(git(worktree, 'show', 'HEAD:src/greet.test.ts')).toBe("import { greet } from './greet.js';");
    expect(git(worktree, 'rev-list', '--count', `${plan.sandbox!.baseCommit}..HEAD`)).toBe('1');
    const steps = (await runtime.checkpoints(plan.id)).filter((checkpoint) => checkpoint.trigger === 'step');
    expect(steps.map((checkpoint) => checkpoint.step)).toEqual([{ number: 1, title: 'Greet by name' }]);
  });

  it('refuses a plan whose patch writes outside its resourceScopes when it is created, naming the field', async () => {
    const { runtime } = await project();
    const outside = PLAN.replace('+++ b/src/greet.test.ts', '+++ b/README.md').replace(
      '--- /dev/null',
      '--- a/README.md',
    );
    await expect(runtime.createPlan(outside)).rejects.toMatchObject({
      code: 'SCOPE_VIOLATION',
      message: expect.stringContaining(
        "strategy.steps[0].input.patch: README.md: is outside the plan's resourceScopes (src/**)",
      ),
    });
    expect(await runtime.listPlans({ all: true })).toEqual([]);
  });
});
