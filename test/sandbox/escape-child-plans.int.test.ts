import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';
import { SECRETS, project, registered, runtime, useEscapeSuite } from './escape-fixture.js';

// The escape suite's child plans: each works in its own worktree, of its own
// project, and reaches neither its parent's nor that project's checkout.

useEscapeSuite();

// numbers the parent plans' names
let count = 0;

describe('child plans stay in their own worktree', () => {
  const group = (command: string) =>
    planYaml({
      name: `escape/parent-${++count}`,
      strategy: {
        steps: [
          {
            title: 'Fan out',
            subplans: {
              entries: [
                {
                  goal: 'Misbehave',
                  resourceScopes: ['kids/**'],
                  strategy: { steps: [step('Misbehave', 'shell/run', { command })] },
                },
              ],
            },
          },
        ],
      },
    });

  it('a child of another registered project works in its worktree of it, and cannot read that project’s checkout either', async () => {
    const command = `echo ok > docs/new.md && { cat ${registered}/.env; cat ../../../.env; } > seen.txt 2>&1; true`;
    const plan = await runtime.createPlan(
      planYaml({
        name: `escape/parent-${++count}`,
        strategy: {
          steps: [
            {
              title: 'Docs',
              subplans: {
                entries: [
                  {
                    goal: 'Write docs',
                    project: 'docs-site',
                    strategy: { steps: [step('Write', 'shell/run', { command })] },
                  },
                ],
              },
            },
          ],
        },
      }),
    );
    const record = await runtime.run(plan.id, { until: 'execute' });
    expect(record).toMatchObject({ status: 'complete' });
    const child = await runtime.getPlan(Object.keys(record.subplanStatuses)[0]!);
    // its worktree, of the registered repository, lives under this project's .troupe
    const worktree = join(project, child.sandbox!.worktree);
    expect(git(worktree, 'rev-parse', '--show-toplevel')).toBe(realpathSync(worktree));
    expect(git(worktree, 'rev-parse', 'HEAD')).toBe(child.sandbox!.headCommit);
    expect(readFileSync(join(worktree, 'docs/new.md'), 'utf8')).toBe('ok\n');
    const seen = readFileSync(join(worktree, 'seen.txt'), 'utf8');
    expect(seen).toMatch(/No such file/);
    expect(seen).not.toContain(SECRETS.registered);
  });

  it('a child writing outside its scopes through the shell fails SCOPE_VIOLATION', async () => {
    const plan = await runtime.createPlan(group('echo x > outside-scope.txt'));
    const record = await runtime.run(plan.id, { until: 'execute' });
    expect(record).toMatchObject({ status: 'failed' });
    const child = await runtime.getPlan(Object.keys(record.subplanStatuses)[0]!);
    expect(child.error).toMatchObject({ code: 'SCOPE_VIOLATION' });
  });

  it('a child cannot write into its parent’s (or any other) worktree, and sees none of them', async () => {
    const plan = await runtime.createPlan(
      // the project's path holds the child's own worktree: the worktrees folder is not there to list or write into
      group(
        `mkdir -p kids && ls -a ${project}/.troupe/worktrees > kids/seen.txt 2>&1; for d in ${project}/.troupe/worktrees/*; do echo x > "$d/from-child.txt" && echo "wrote $d" >> kids/seen.txt; done; true`,
      ),
    );
    const record = await runtime.run(plan.id, { until: 'execute' });
    expect(record, JSON.stringify(record.error)).toMatchObject({ status: 'complete' });
    const child = await runtime.getPlan(Object.keys(record.subplanStatuses)[0]!);
    const worktrees = join(project, '.troupe', 'worktrees');
    // what the child saw came back by its merge (its own worktree went once the merge was committed)
    expect(existsSync(join(worktrees, child.id))).toBe(false);
    const seen = readFileSync(join(worktrees, plan.id, 'kids', 'seen.txt'), 'utf8');
    expect(seen).toContain(`${project}/.troupe/worktrees': No such file or directory`);
    expect(seen).not.toMatch(/wrote /);
    expect(existsSync(join(worktrees, plan.id, 'from-child.txt'))).toBe(false);
    expect(git(join(worktrees, plan.id), 'ls-files')).not.toContain('from-child.txt');
  });
});
