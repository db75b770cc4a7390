// Rolls a plan back to a labelled checkpoint and undoes the rollback,
// through the public API, asserting what a user should see.
// `npm run example -- rollback`.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRuntime } from '../../src/index.js';
import { createScratchProject } from '../../src/cli/scratch-project.js';

const here = import.meta.dirname;
const project = await createScratchProject(join(here, 'project'), 'troupe-example-rollback-');
const runtime = await createRuntime({ dir: project });
try {
  const plan = await runtime.run((await runtime.createPlan(readFileSync(join(here, 'plan.yaml'), 'utf8'))).id);
  assert.equal(`${plan.phase}/${plan.status}`, 'validate/complete');
  const sandbox = join(project, plan.sandbox!.worktree);
  const triggers = (await runtime.checkpoints(plan.id)).map((checkpoint) => checkpoint.label ?? checkpoint.trigger);
  assert.deepEqual(triggers, ['phase', 'pre-execute', 'step', 'before-version', 'step', 'post-execute', 'phase']);

  // back to the moment the step before the bump ended: the bump is undone, the greeting kept
  const rolled = await runtime.rollback(plan.id, { to: 'before-version' });
  assert.deepEqual(rolled.restored, { phase: 'execute', status: 'queued' });
  assert.deepEqual(rolled.changesReverted, [{ file: 'VERSION', action: 'deleted' }]);
  assert.equal(existsSync(join(sandbox, 'VERSION')), false);
  assert.equal(readFileSync(join(sandbox, 'src/greet.txt'), 'utf8'), 'hello\n');
  // the reconciliations after it, and validate's, are discarded
  assert.equal(rolled.decisionsDiscarded, 3);

  // undo: the state, the files and the decisions of before the rollback come back
  const undone = await runtime.rollback(plan.id, { to: rolled.undoCheckpointId });
  assert.deepEqual(undone.restored, { phase: 'validate', status: 'complete' });
  assert.equal(readFileSync(join(sandbox, 'VERSION'), 'utf8'), '2.0.0\n');
  // undoing gives the rollback's reversion back
  assert.equal((await runtime.getPlan(plan.id)).reversionCount, 0);

  const done = await runtime.runPhase(plan.id, 'apply');
  assert.equal(done.status, 'done');
  assert.equal(readFileSync(join(project, 'VERSION'), 'utf8'), '2.0.0\n');
  console.log(
    `rollback: ${plan.name} rolled back to before-version (${rolled.changesReverted.length} file), undone, applied as ${done.appliedCommit?.slice(0, 7)}`,
  );
} finally {
  await runtime.close();
}
