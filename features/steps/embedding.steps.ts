import assert from 'node:assert/strict';
import { Given, Then, When } from '@cucumber/cucumber';
import { createRuntime } from '../../src/index.js';
import { EmbeddingApp } from '../support/embedding-app.js';
import type { TroupeWorld } from '../support/world.js';

function appOf(world: TroupeWorld): EmbeddingApp {
  assert.ok(world.app, 'no embedding app in this scenario');
  return world.app;
}

Given(
  'an app embedding troupe whose strategist asks the fs\\/write-file tool to write {string}',
  function (this: TroupeWorld, path: string) {
    this.app = EmbeddingApp.withStrategistCallingWriteTool(path);
    this.closables.push(this.app);
  },
);

Given(
  "an app embedding troupe whose strategist writes {string} into the sandbox with node's fs",
  function (this: TroupeWorld, path: string) {
    this.app = EmbeddingApp.withStrategistWritingDirectly(path);
    this.closables.push(this.app);
  },
);

When(
  /^the app creates the plan from "([^"]+)" and runs it( until strategize)?$/,
  async function (this: TroupeWorld, file: string, until: string | undefined) {
    await appOf(this).createAndRun(this.project, file, until ? 'strategize' : undefined);
  },
);

When('the app closes troupe', async function (this: TroupeWorld) {
  await appOf(this).close();
});

Then(
  "the strategist's tool call was answered with {word}, not carried out",
  function (this: TroupeWorld, code: string) {
    const answers = appOf(this).answers;
    assert.equal(answers.length, 1, 'the strategist did not call the tool once');
    assert.equal(answers[0]!.success, false);
    assert.equal(answers[0]!.error?.code, code);
  },
);

Then(
  /^the app's run stopped at \((\w+), (\w+)\)(?: with (\w+) naming "([^"]+)")?$/,
  function (this: TroupeWorld, phase: string, status: string, code?: string, file?: string) {
    const record = appOf(this).record;
    assert.ok(record, 'the app has not run a plan');
    assert.deepEqual(
      { phase: record.phase, status: record.status },
      { phase, status },
      `error: ${JSON.stringify(record.error)}`,
    );
    if (code) {
      assert.equal(record.error?.code, code);
      assert.deepEqual(record.error?.details?.files, [file]);
    }
  },
);

Then(
  'an app embedding troupe can open the project and sees the plan at \\({word}, {word})',
  async function (this: TroupeWorld, phase: string, status: string) {
    // the store's lock is free: no process holds on to it after its command ended
    const runtime = await createRuntime({ dir: this.project, resume: false });
    try {
      const record = await runtime.getPlan(this.currentPlan());
      assert.deepEqual({ phase: record.phase, status: record.status }, { phase, status });
    } finally {
      await runtime.close();
    }
  },
);
