import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git } from '../helpers/temp.js';
import { planYaml, step } from './fixtures.js';
import { HEADER_PLAN, project } from './runtime-fixture.js';

// Apply: a plan's changes land on the project's branch as one troupe commit,
// or the apply is refused / waits without touching the project.

describe('runtime on real git and LevelDB', () => {
  it('runs a plan to done and applies its changes as one troupe commit on the project branch', async () => {
    const { dir, runtime } = await project();
    const plan = await runtime.createPlan(HEADER_PLAN);
    expect(plan).toMatchObject({
      name: 'demo/x',
      phase: 'strategize',
      status: 'queued',
      parentId: null,
      rootId: plan.id,
      project: 'default',
    });

    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'apply', status: 'done', toolCalls: 3, lastCompletedStep: 2, error: null });
    expect(record.strategyDecisionIds).toHaveLength(3);
    expect(readFileSync(join(dir, 'src/a.ts'), 'utf8')).toBe('// header\nexport const a = 1;\n');
    expect(git(dir, 'log', '-1', '--format=%an <%ae>|%s')).toBe('troupe <troupe@localhost>|Change the project');
    expect(git(dir, 'log', '-1', '--format=%B').match(/Troupe-Plan-Id:/g)).toHaveLength(1);
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(record.appliedCommit);
    expect(git(dir, 'status', '--porcelain')).toBe('');
  });

  it('fails apply, saying what to check out, when the project is on a branch without commits', async () => {
    const { dir, runtime } = await project();
    const plan = await runtime.createPlan(HEADER_PLAN.replace('automation: auto', 'automation: review'));
    await runtime.run(plan.id);
    const [branch, head] = [git(dir, 'symbolic-ref', '--short', 'HEAD'), git(dir, 'rev-parse', 'HEAD')];
    git(dir, 'checkout', '-q', '--orphan', 'empty');
    git(dir, 'rm', '-rq', '--cached', '.');
    const failed = await runtime.runPhase(plan.id, 'apply');
    expect(failed).toMatchObject({ phase: 'apply', status: 'failed' });
    expect(failed.error).toMatchObject({
      code: 'VALIDATION_ERROR',
      message: `cannot apply plan ${plan.id}: the project's current branch has no commits`,
      hint: 'check out the branch the plan started from',
    });
    // nothing was committed anywhere in the project
    expect(git(dir, 'rev-parse', branch)).toBe(head);
    expect(() => git(dir, 'rev-parse', '--verify', '--quiet', 'empty')).toThrow();
    // the hint is enough: back on the branch, apply runs again
    git(dir, 'checkout', '-qf', branch);
    expect(await runtime.runPhase(plan.id, 'apply')).toMatchObject({ phase: 'apply', status: 'done', error: null });
    expect(git(dir, 'rev-parse', `${branch}~1`)).toBe(head);
  });

  it('refuses to apply onto uncommitted changes in a file the plan changes, and applies once they are gone', async () => {
    const { dir, runtime } = await project();
    const plan = await runtime.createPlan(HEADER_PLAN.replace('automation: auto', 'automation: review'));
    await runtime.run(plan.id);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'src/a.ts'), 'edited by the user\n');
    const refused = await runtime.runPhase(plan.id, 'apply');
    expect(refused).toMatchObject({
      phase: 'apply',
      status: 'failed',
      error: { code: 'DIRTY_WORKTREE', retryable: true, details: { files: ['src/a.ts'] } },
    });
    git(dir, 'checkout', 'src/a.ts');
    expect(await runtime.runPhase(plan.id, 'apply')).toMatchObject({ status: 'done' });
  });

  it('merges onto a project branch that moved on since the sandbox was made, and waits on a conflict with the project untouched', async () => {
    const { dir, runtime } = await project({ 'README.md': '# project\n', 'src/a.ts': 'one\ntwo\nthree\n' });
    const clean = await runtime.createPlan(
      planYaml({
        name: 'demo/clean',
        automation: 'review',
        strategy: { steps: [step('x', 'shell/run', { command: 'sed -i s/one/ONE/ src/a.ts' })] },
      }),
    );
    const clash = await runtime.createPlan(
      planYaml({
        name: 'demo/clash',
        automation: 'review',
        strategy: { steps: [step('x', 'shell/run', { command: 'sed -i s/three/THREE/ src/a.ts' })] },
      }),
    );
    await runtime.run(clean.id);
    await runtime.run(clash.id);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'src/a.ts'), 'one\ntwo\nthree!\n');
    git(dir, 'commit', '-qam', 'user change');
    expect(await runtime.runPhase(clean.id, 'apply')).toMatchObject({ status: 'done' });
    expect(readFileSync(join(dir, 'src/a.ts'), 'utf8')).toBe('ONE\ntwo\nthree!\n');
    const head = git(dir, 'rev-parse', 'HEAD');
    const conflict = await runtime.runPhase(clash.id, 'apply');
    expect(conflict).toMatchObject({ phase: 'apply', status: 'waiting', error: null });
    expect((await runtime.conflicts(clash.id)).conflicts.map((open) => open.file)).toEqual(['src/a.ts']);
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(dir, 'status', '--porcelain')).toBe('');
  });
});
