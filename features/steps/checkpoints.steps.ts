import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Given, Then, When, type DataTable } from '@cucumber/cucumber';
import { createRuntime } from '../../src/index.js';
import { git } from '../support/fixture-git.js';
import { parseDocument } from '../support/json-match.js';
import type { TroupeWorld } from '../support/world.js';

/** The fields of a checkpoint (`troupe checkpoint list --json`) the steps read. */
interface CheckpointView {
  id: string;
  label: string | null;
  trigger: string;
  phase: string;
  status: string;
  sideEffects: number;
  toolCalls: number;
  clean: boolean;
  step?: { number: number; title: string };
}

/** What "nothing changed" compares: the record, the checkpoints, the journal, the sandbox's commit and files. */
interface PlanState {
  record: unknown;
  checkpoints: unknown;
  events: number;
  sandbox: { head: string; status: string } | null;
}

const noted = new WeakMap<TroupeWorld, PlanState>();

// read through the public API in this process: a troupe command per read
// would cost a process start each, and no command runs meanwhile to hold the store
async function stateOf(world: TroupeWorld): Promise<PlanState> {
  const runtime = await createRuntime({ dir: world.project, resume: false });
  try {
    const plan = world.currentPlan();
    const record = await runtime.getPlan(plan);
    const [checkpoints, events] = await Promise.all([runtime.checkpoints(plan), runtime.events(plan)]);
    const worktree = record.sandbox && join(world.project, record.sandbox.worktree);
    const sandbox = worktree
      ? {
          head: git(worktree, 'rev-parse', 'HEAD'),
          status: git(worktree, 'status', '--porcelain', '--untracked-files=all'),
        }
      : null;
    return { record, checkpoints, events: events.length, sandbox };
  } finally {
    await runtime.close();
  }
}

// `{field}` in the command is the field of the JSON the last command printed (an id troupe made up)
When(
  /^I run `([^`]+)` with \{(\w+)\} from the last JSON output$/,
  async function (this: TroupeWorld, line: string, field: string) {
    const value = (parseDocument(this.lastRun().stdout) as Record<string, unknown>)[field];
    assert.equal(typeof value, 'string', `the last JSON output has no ${field}:\n${this.lastRun().stdout}`);
    await this.troupe(line.replaceAll(`{${field}}`, value as string));
  },
);

Given('I note the state of the plan', async function (this: TroupeWorld) {
  noted.set(this, await stateOf(this));
});

Then('nothing about the plan changed', async function (this: TroupeWorld) {
  const before = noted.get(this);
  assert.ok(before, 'the scenario did not note the state of the plan first');
  assert.deepEqual(await stateOf(this), before);
});

// one row per checkpoint, oldest first: | trigger | label | step | restores to | writes/calls |
Then('the checkpoints printed are, oldest first:', function (this: TroupeWorld, table: DataTable) {
  const checkpoints = parseDocument(this.lastRun().stdout) as CheckpointView[];
  assert.deepEqual(
    checkpoints.map((checkpoint) => ({
      trigger: checkpoint.trigger,
      label: checkpoint.label ?? '-',
      step: checkpoint.step ? `${checkpoint.step.number} ${checkpoint.step.title}` : '-',
      'restores to': `${checkpoint.phase} ${checkpoint.status}`,
      'writes/calls': `${checkpoint.sideEffects}/${checkpoint.toolCalls}`,
    })),
    table.hashes(),
  );
});

Then(/^(stdout|stderr) does not show `(.+)`$/, function (this: TroupeWorld, stream: 'stdout' | 'stderr', text: string) {
  const output = this.lastRun()[stream];
  assert.ok(!output.includes(text), `${stream} shows ${text}:\n${output}`);
});
