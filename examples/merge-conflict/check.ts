// Applies a plan whose file the user changed meanwhile on the same line,
// through the public API: apply waits with the project untouched, the
// conflict is listed with its hunk, resolved with the plan's side, and the
// next apply lands. `npm run example -- merge-conflict`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRuntime } from '../../src/index.js';
import { createScratchProject } from '../../src/cli/scratch-project.js';

const here = import.meta.dirname;
const project = await createScratchProject(join(here, 'project'), 'troupe-example-merge-conflict-');
// the user's commit: a neutral identity, not the machine's git config
const env = {
  ...process.env,
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'demo',
  GIT_AUTHOR_EMAIL: 'demo@localhost',
  GIT_COMMITTER_NAME: 'demo',
  GIT_COMMITTER_EMAIL: 'demo@localhost',
};
const git = (...args: string[]) => execFileSync('git', args, { cwd: project, env, encoding: 'utf8' }).trim();
const conf = join(project, 'config/app.conf');
const runtime = await createRuntime({ dir: project });
try {
  const plan = await runtime.run((await runtime.createPlan(readFileSync(join(here, 'plan.yaml'), 'utf8'))).id);
  assert.equal(`${plan.phase}/${plan.status}`, 'validate/complete');

  // meanwhile the user edits the same line (and another one) on main
  writeFileSync(
    conf,
    readFileSync(conf, 'utf8').replace('port = 8080', 'port = 3000').replace('timeout = 30', 'timeout = 60'),
  );
  git('commit', '-qam', 'Serve on port 3000, wait longer');
  const head = git('rev-parse', 'HEAD');

  // apply waits: nothing in the project changes
  const waiting = await runtime.runPhase(plan.id, 'apply');
  assert.equal(`${waiting.phase}/${waiting.status}`, 'apply/waiting');
  assert.equal(git('rev-parse', 'HEAD'), head, 'no commit on main');
  assert.equal(git('status', '--porcelain'), '', 'a clean working tree');
  const { conflicts } = await runtime.conflicts(plan.id);
  assert.deepEqual(
    conflicts.map(({ file, kind, child, hunks }) => ({ file, kind, child, hunks })),
    [
      {
        file: 'config/app.conf',
        kind: 'content',
        child: null,
        hunks: [{ ours: 'port = 3000\n', base: 'port = 8080\n', theirs: 'port = 9090\n' }],
      },
    ],
  );
  // a copy with conflict markers, to edit and pass as { with: 'file', path } instead
  assert.match(
    readFileSync(join(project, conflicts[0]!.edit!), 'utf8'),
    /<<<<<<< ours\nport = 3000\n\|\|\|\|\|\|\| base\nport = 8080\n=======\nport = 9090\n>>>>>>> theirs\n/,
  );

  // take the plan's side of the hunk; the last resolution makes the merge commit
  const resolved = await runtime.resolve(plan.id, 'config/app.conf', { with: 'theirs' });
  assert.deepEqual(resolved.remaining, []);
  // the merge commit is made by apply, onto the branch: until then there is none to report (docs/explanation/merging.md)
  assert.equal(resolved.mergeCommit, null);
  assert.equal(`${resolved.plan.phase}/${resolved.plan.status}`, 'apply/queued');

  const done = await runtime.runPhase(plan.id, 'apply');
  assert.equal(done.status, 'done');
  // the plan's port and log level, the user's timeout
  assert.equal(
    readFileSync(conf, 'utf8'),
    '# app settings\nname = demo\nport = 9090\nhost = localhost\ntimeout = 60\nretries = 3\nlog = debug\n',
  );
  assert.equal(git('log', '-1', '--format=%an|%(trailers:key=Troupe-Plan-Id,valueonly)'), `troupe|${plan.id}`);
  assert.equal(git('rev-parse', 'HEAD~1'), head, 'one commit by troupe on top of the user’s');
  assert.equal(done.appliedCommit, git('rev-parse', 'HEAD'), 'apply reports the commit that is on the branch');
  const { root } = await runtime.explain(plan.id);
  const decided = root?.children.map((decision) => decision.type) ?? [];
  assert.ok(
    decided.includes('conflict_resolution') && decided.includes('merge'),
    `the resolution and the merge are decisions: ${decided.join(', ')}`,
  );
  console.log(
    `merge-conflict: ${plan.name} waited on ${conflicts.length} file, resolved with theirs, applied as ${done.appliedCommit?.slice(0, 7)}`,
  );
} finally {
  await runtime.close();
}
