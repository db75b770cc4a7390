import { existsSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git, tempRepo } from '../helpers/temp.js';
import { step } from './fixtures.js';
import { cleanups, project } from './runtime-fixture.js';
import { children, group, writer } from './subplans-fixture.js';

// Child plans that change another registered project: their own worktree of
// that repository, applied there together with the root plan.

describe('children of another project', () => {
  it('work in a worktree of that repository from its HEAD, are not merged into the parent, and are applied to it with the root', async () => {
    const { dir, runtime } = await project();
    const docs = await tempRepo({ 'README.md': '# docs\n' });
    cleanups.push(docs.cleanup);
    const docsRoot = realpathSync(docs.dir);
    await runtime.addProject('docs-site', docs.dir);
    const docsHead = git(docs.dir, 'rev-parse', 'HEAD');
    const plan = await runtime.createPlan(
      group([
        writer('a.txt', 'a\n'),
        {
          goal: 'Write the page',
          project: 'docs-site',
          strategy: { steps: [step('Write', 'fs/write-file', { path: 'page.md', content: '# page\n' })] },
        },
      ]),
    );
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'validate', status: 'complete' });
    const [local, remote] = await children(runtime, plan);
    expect(local).toMatchObject({ project: 'default', status: 'done' });
    expect(remote).toMatchObject({
      project: 'docs-site',
      phase: 'validate',
      status: 'complete',
      sandbox: { repo: docsRoot, baseCommit: docsHead },
    });
    // its worktree is of the docs repository; the parent's sandbox has none of it
    expect(readFileSync(join(dir, remote!.sandbox!.worktree, 'README.md'), 'utf8')).toBe('# docs\n');
    expect(existsSync(join(dir, record.sandbox!.worktree, 'page.md'))).toBe(false);
    expect(git(docs.dir, 'rev-parse', 'HEAD')).toBe(docsHead);
    expect(record.subplanStatuses[remote!.id]).toMatchObject({ status: 'complete' });

    const applied = await runtime.runPhase(plan.id, 'apply');
    expect(applied).toMatchObject({ status: 'done' });
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('a\n');
    expect(readFileSync(join(docs.dir, 'page.md'), 'utf8')).toBe('# page\n');
    expect(git(docs.dir, 'log', '-1', '--format=%an|%(trailers:key=Troupe-Plan-Id,valueonly)')).toBe(
      `troupe|${remote!.id}`,
    );
    expect(await runtime.getPlan(remote!.id)).toMatchObject({ phase: 'apply', status: 'done' });
    const completed = (await runtime.events(plan.id)).find(
      (event) => event.type === 'phase.completed' && event.phase === 'apply',
    );
    expect(completed?.data.projects).toEqual([
      { name: remote!.name, project: 'docs-site', commit: git(docs.dir, 'rev-parse', 'HEAD') },
    ]);
  });

  it('refuses an apply that would overwrite an untracked file in the other project, and applies once it is gone, keeping unrelated changes', async () => {
    const { runtime } = await project();
    const docs = await tempRepo({ 'README.md': '# docs\n' });
    cleanups.push(docs.cleanup);
    await runtime.addProject('docs-site', docs.dir);
    const plan = await runtime.createPlan(
      group([
        {
          goal: 'Write the page',
          project: 'docs-site',
          strategy: { steps: [step('Write', 'fs/write-file', { path: 'page.md', content: '# page\n' })] },
        },
      ]),
    );
    await runtime.run(plan.id);
    writeFileSync(join(docs.dir, 'README.md'), 'edited\n');
    writeFileSync(join(docs.dir, 'page.md'), 'mine\n');
    const refused = await runtime.runPhase(plan.id, 'apply');
    expect(refused).toMatchObject({
      phase: 'apply',
      status: 'failed',
      error: { code: 'DIRTY_WORKTREE', retryable: true, details: { files: ['page.md'] } },
    });
    rmSync(join(docs.dir, 'page.md'));
    expect(await runtime.runPhase(plan.id, 'apply')).toMatchObject({ status: 'done' });
    expect(readFileSync(join(docs.dir, 'page.md'), 'utf8')).toBe('# page\n');
    // like git merge: a change in a file the plan never touched stays, uncommitted
    expect(readFileSync(join(docs.dir, 'README.md'), 'utf8')).toBe('edited\n');
  });
});
