import assert from 'node:assert/strict';
import { Given, Then } from '@cucumber/cucumber';
import { git, writeProjectFile } from '../support/fixture-git.js';
import { parseDocument, parseLines } from '../support/json-match.js';
import type { TroupeWorld } from '../support/world.js';

Given('the project has a committed file {string}:', async function (this: TroupeWorld, path: string, content: string) {
  await writeProjectFile(this.project, path, `${content}\n`);
  git(this.project, 'add', path);
  git(this.project, 'commit', '-q', '-m', `add ${path}`);
  this.initialHead = git(this.project, 'rev-parse', 'HEAD');
});

Then("the error's lines include {string} and {string}", function (this: TroupeWorld, first: string, second: string) {
  const record = parseDocument(this.lastRun().stdout) as { error?: { details?: { lines?: unknown } } };
  const lines = record.error?.details?.lines;
  assert.ok(Array.isArray(lines), `the error has no lines:\n${this.lastRun().stdout}`);
  for (const line of [first, second])
    assert.ok(lines.includes(line), `the error's lines do not include ${line}: ${JSON.stringify(lines)}`);
});

Then(
  /^stdout has the events of ([\w/-]+(?:(?:, | and )[\w/-]+)*) in time order, each naming its plan$/,
  function (this: TroupeWorld, list: string) {
    const events = parseLines(this.lastRun().stdout) as { seq: number; ts: string; planId: string; plan?: string }[];
    assert.deepEqual(new Set(events.map((event) => event.plan)), new Set(list.split(/, | and /)));
    const times = events.map((event) => event.ts);
    assert.deepEqual(times, times.toSorted(), 'the events are not in time order');
    for (const planId of new Set(events.map((event) => event.planId))) {
      const seqs = events.filter((event) => event.planId === planId).map((event) => event.seq);
      assert.deepEqual(
        seqs,
        seqs.map((_, index) => index + 1),
        `plan ${planId}: its events are not all there, once, in order`,
      );
    }
  },
);
