// Runs the parallel-subplans plan on a scratch copy of ./project through the
// public API and asserts what a user should see: four child plans, at most
// two at once, the last after the three it depends on, all merged back.
// `npm run example -- parallel-subplans`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRuntime } from '../../src/index.js';
import { createScratchProject } from '../../src/cli/scratch-project.js';

const here = import.meta.dirname;
const project = await createScratchProject(join(here, 'project'), 'troupe-example-subplans-');
const runtime = await createRuntime({ dir: project });
try {
  const plan = await runtime.createPlan(readFileSync(join(here, 'plan.yaml'), 'utf8'));
  let running = 0;
  let peak = 0;
  const stop = runtime.subscribe(plan.id, (event) => {
    if (event.type !== 'subplan.status') return;
    if (event.data.status === 'running') peak = Math.max(peak, (running += 1));
    if (event.data.status === 'complete' || event.data.status === 'failed') running -= 1;
  });
  const reviewed = await runtime.run(plan.id);
  stop();
  assert.equal(`${reviewed.phase}/${reviewed.status}`, 'validate/complete', 'review automation stops before apply');
  assert.ok(peak <= 2, `at most maxParallel (2) children ran at once, saw ${peak}`);

  const tree = await runtime.tree(plan.id);
  assert.deepEqual(
    tree.children.map((child) => `${child.name} ${child.status}`),
    ['demo/changelog-core done', 'demo/changelog-cli done', 'demo/changelog-web done', 'demo/workspace done'],
  );
  const merged = (await runtime.events(plan.id))
    .filter((event) => event.type === 'merge.completed')
    .map((event) => event.data.childId);
  assert.equal(merged.at(-1), tree.children[3]!.id, 'the workspace child merges after the three it depends on');

  const done = await runtime.runPhase(plan.id, 'apply');
  assert.equal(done.status, 'done');
  const workspace = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { workspaces: string[] };
  assert.deepEqual(
    workspace.workspaces,
    ['packages/cli', 'packages/core', 'packages/web'],
    'the last child saw the changelogs its dependencies wrote',
  );
  for (const name of ['core', 'cli', 'web'])
    assert.ok(readFileSync(join(project, 'packages', name, 'CHANGELOG.md'), 'utf8').startsWith(`# ${name}`));
  console.log(
    `parallel-subplans: ${tree.children.length} child plans, at most ${peak} at once, applied as ${done.appliedCommit?.slice(0, 7)}`,
  );
} finally {
  await runtime.close();
}
