// Runs a plan whose child plans work in two git repositories, through the
// public API: the docs-site child works in a worktree of that repository
// and is applied to it when the root plan applies.
// `npm run example -- multi-project`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRuntime } from '../../src/index.js';
import { createScratchProject } from '../../src/cli/scratch-project.js';

const here = import.meta.dirname;
const project = await createScratchProject(join(here, 'project'), 'troupe-example-multi-');
const docs = await createScratchProject(join(here, 'docs-site'), 'troupe-example-multi-docs-');
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
const docsHead = git(docs, 'rev-parse', 'HEAD');
const runtime = await createRuntime({ dir: project });
try {
  await runtime.addProject('docs-site', docs);
  const plan = await runtime.createPlan(readFileSync(join(here, 'plan.yaml'), 'utf8'));
  const reviewed = await runtime.run(plan.id);
  assert.equal(`${reviewed.phase}/${reviewed.status}`, 'validate/complete', 'review automation stops before apply');

  const tree = await runtime.tree(plan.id);
  assert.deepEqual(
    tree.children.map((child) => `${child.name} ${child.project} ${child.phase}/${child.status}`),
    [
      'demo/release-changelog default apply/done', // merged into the parent's sandbox
      'demo/release-page docs-site validate/complete', // waits for the root's apply
    ],
  );
  const page = (await runtime.getPlan('demo/release-page'))!;
  // the page is in a worktree of docs-site, not in the parent's sandbox; docs-site is untouched
  assert.equal(
    readFileSync(join(project, page.sandbox!.worktree, 'releases/1.1.0.md'), 'utf8'),
    '# greet 1.1.0\n\ngreet takes a name.\n',
  );
  assert.equal(existsSync(join(project, reviewed.sandbox!.worktree, 'releases')), false);
  assert.equal(git(docs, 'rev-parse', 'HEAD'), docsHead);

  const done = await runtime.runPhase(plan.id, 'apply');
  assert.equal(done.status, 'done');
  assert.ok(readFileSync(join(project, 'CHANGELOG.md'), 'utf8').includes('## 1.1.0\n- greet takes a name\n'));
  assert.equal(git(project, 'log', '-1', '--format=%an|%(trailers:key=Troupe-Plan-Id,valueonly)'), `troupe|${plan.id}`);
  assert.equal(readFileSync(join(docs, 'releases/1.1.0.md'), 'utf8'), '# greet 1.1.0\n\ngreet takes a name.\n');
  assert.equal(readFileSync(join(docs, 'index.md'), 'utf8').split('\n').at(-2), '- [1.1.0](releases/1.1.0.md)');
  // one commit by troupe on docs-site's branch, with the child's id
  assert.equal(git(docs, 'log', '-1', '--format=%an|%(trailers:key=Troupe-Plan-Id,valueonly)'), `troupe|${page.id}`);
  assert.equal(git(docs, 'rev-parse', 'HEAD~1'), docsHead);
  assert.equal((await runtime.getPlan(page.id))?.status, 'done');
  console.log(
    `multi-project: ${plan.name} applied as ${done.appliedCommit?.slice(0, 7)} here and ${git(docs, 'rev-parse', '--short', 'HEAD')} in docs-site`,
  );
} finally {
  await runtime.close();
}
