// Runs the quickstart plan on a scratch copy of ./project through the public
// API and asserts what a user should see. `npm run example -- quickstart`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRuntime } from '../../src/index.js';
import { createScratchProject } from '../../src/cli/scratch-project.js';

const here = import.meta.dirname;
const project = await createScratchProject(join(here, 'project'), 'troupe-example-quickstart-');
const runtime = await createRuntime({ dir: project });
try {
  const plan = await runtime.createPlan(readFileSync(join(here, 'plan.yaml'), 'utf8'));
  const reviewed = await runtime.run(plan.id);
  assert.equal(`${reviewed.phase}/${reviewed.status}`, 'validate/complete', 'review automation stops before apply');
  assert.equal(
    readFileSync(join(project, 'src/greet.ts'), 'utf8').startsWith('export'),
    true,
    'the project is untouched before apply',
  );

  const done = await runtime.runPhase(plan.id, 'apply');
  assert.equal(done.status, 'done');
  for (const file of ['src/greet.ts', 'src/math.ts', 'src/util/slug.ts']) {
    assert.equal(
      readFileSync(join(project, file), 'utf8').split('\n')[0],
      '// SPDX-License-Identifier: MIT',
      `${file} has the header`,
    );
  }
  const author = execFileSync('git', ['log', '-1', '--format=%an <%ae>'], { cwd: project, encoding: 'utf8' }).trim();
  assert.equal(author, 'troupe <troupe@localhost>');
  const changes = await runtime.changes(plan.id);
  assert.deepEqual(
    changes?.files.map((file) => `${file.action} ${file.path}`),
    ['added LICENSE_HEADER', 'modified src/greet.ts', 'modified src/math.ts', 'modified src/util/slug.ts'],
  );
  const { root } = await runtime.explain(plan.id);
  const decided = (type: string) => root?.children.filter((child) => child.type === type) ?? [];
  assert.equal(decided('step').length, 3, 'one step decision per step');
  assert.deepEqual(
    decided('invariant_enforcement').map((decision) => decision.title),
    ['Respect in-scope (plan)', 'Respect no-temp-files (plan)'],
  );
  const reconciled = (await runtime.events(plan.id))
    .filter((event) => event.type === 'invariant.reconciled')
    .map((event) => event.data.trigger);
  assert.deepEqual(
    reconciled,
    ['post-strategize', 'post-step', 'post-step', 'post-step', 'post-validate'],
    'the invariants hold at every transition',
  );
  console.log(
    `quickstart: ${plan.name} done, ${changes?.files.length} files changed, applied as ${done.appliedCommit?.slice(0, 7)}`,
  );
} finally {
  await runtime.close();
}
