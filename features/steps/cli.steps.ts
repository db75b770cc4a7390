import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Then, When } from '@cucumber/cucumber';
import { assertIncludes, parseDocument, parseLines } from '../support/json-match.js';
import type { CliResult } from '../support/troupe-cli.js';
import type { TroupeWorld } from '../support/world.js';

When(/^I run `([^`]+)`$/, async function (this: TroupeWorld, line: string) {
  await this.troupe(line);
});

// a precondition: the command must have succeeded
When(/^I have run `([^`]+)`$/, async function (this: TroupeWorld, line: string) {
  const { code, stdout, stderr } = await this.troupe(line);
  assert.equal(code, 0, `troupe ${line} exited ${code}\nstdout: ${stdout}\nstderr: ${stderr}`);
});

// a precondition whose command is expected to end another way (3: waiting for the user)
When(/^I have run `([^`]+)` expecting exit (\d+)$/, async function (this: TroupeWorld, line: string, code: string) {
  const result = await this.troupe(line);
  assert.equal(
    result.code,
    Number(code),
    `troupe ${line} exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`,
  );
});

When(
  /^I run `([^`]+)` with (\w+)=(\S*)$/,
  async function (this: TroupeWorld, line: string, name: string, value: string) {
    await this.troupe(line, { [name]: value });
  },
);

When(/^I start `([^`]+)` in the background$/, function (this: TroupeWorld, line: string) {
  this.startInBackground(line);
});

When(
  /^the background run has printed "(.*)" on (stdout|stderr)$/,
  async function (this: TroupeWorld, text: string, stream: 'stdout' | 'stderr') {
    const run = this.backgroundRun();
    const deadline = Date.now() + 30_000;
    while (!run.output[stream].includes(text)) {
      if (!run.running())
        assert.fail(
          `the background run ended without printing ${JSON.stringify(text)} on ${stream}:\n${run.output.stdout}\n${run.output.stderr}`,
        );
      if (Date.now() > deadline)
        assert.fail(`the background run did not print ${JSON.stringify(text)} on ${stream} within 30 s`);
      await sleep(25);
    }
  },
);

When('the background run has streamed a {string} event', async function (this: TroupeWorld, type: string) {
  const run = this.backgroundRun();
  const deadline = Date.now() + 30_000;
  const streamed = () =>
    parseLines(run.output.stdout.slice(0, run.output.stdout.lastIndexOf('\n') + 1)).some(
      (event) => event.type === type,
    );
  while (!streamed()) {
    if (!run.running())
      assert.fail(`the background run ended without streaming a ${type} event:\n${run.output.stdout}`);
    if (Date.now() > deadline) assert.fail(`the background run did not stream a ${type} event within 30 s`);
    await sleep(25);
  }
});

When('I give the go-ahead', async function (this: TroupeWorld) {
  await this.goAhead();
});

// time for a process that should have been stopped to show that it was not
When('a second has passed', async function () {
  await sleep(1_000);
});

When('the background run finishes', async function (this: TroupeWorld) {
  this.last = await this.backgroundRun().exited;
});

When('the background run finishes within {int} seconds', async function (this: TroupeWorld, seconds: number) {
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), seconds * 1000).unref());
  const result = await Promise.race([this.backgroundRun().exited, timeout]);
  assert.notEqual(result, 'timeout', `the background run was still running after ${seconds} s`);
  this.last = result as CliResult;
});

Then('the background run is still running', function (this: TroupeWorld) {
  assert.equal(this.backgroundRun().running(), true, 'the background run has already ended');
});

Then('the exit code is {int}', function (this: TroupeWorld, code: number) {
  const { stdout, stderr, code: actual } = this.lastRun();
  assert.equal(actual, code, `exit code ${actual}\nstdout: ${stdout}\nstderr: ${stderr}`);
});

Then(/^stderr shows `(.+)`$/, function (this: TroupeWorld, text: string) {
  assert.ok(this.lastRun().stderr.includes(text), `stderr does not show ${text}:\n${this.lastRun().stderr}`);
});

Then(/^stderr starts with `(.+)`$/, function (this: TroupeWorld, text: string) {
  assert.ok(this.lastRun().stderr.startsWith(text), `stderr does not start with ${text}:\n${this.lastRun().stderr}`);
});

Then(/^stdout shows `(.+)`$/, function (this: TroupeWorld, text: string) {
  assert.ok(this.lastRun().stdout.includes(text), `stdout does not show ${text}:\n${this.lastRun().stdout}`);
});

Then('it fails with {word}', function (this: TroupeWorld, code: string) {
  assert.match(
    this.lastRun().stderr,
    new RegExp(`^error\\[${code}\\]: `, 'm'),
    `stderr has no error[${code}] line:\n${this.lastRun().stderr}`,
  );
});

// an error's hint goes to stderr; a failed plan's hint is part of the record on stdout
Then('there is a hint mentioning {string}', function (this: TroupeWorld, text: string) {
  const { stdout, stderr } = this.lastRun();
  const hints = `${stderr}\n${stdout}`.split('\n').filter((line) => line.trim().startsWith('hint: '));
  assert.ok(
    hints.some((hint) => hint.includes(text)),
    `no hint mentioning ${text}:\nstdout: ${stdout}\nstderr: ${stderr}`,
  );
});

Then('stderr has no stack trace', function (this: TroupeWorld) {
  assert.doesNotMatch(this.lastRun().stderr, /^\s+at .+/m);
  assert.doesNotMatch(this.lastRun().stderr, /^\w*Error: /m);
});

Then('stderr has a stack trace', function (this: TroupeWorld) {
  assert.match(this.lastRun().stderr, /^\s+at .+/m);
});

Then('stdout is empty', function (this: TroupeWorld) {
  assert.equal(this.lastRun().stdout, '');
});

Then('stderr is empty', function (this: TroupeWorld) {
  assert.equal(this.lastRun().stderr, '');
});

Then('stdout is exactly one JSON document', function (this: TroupeWorld) {
  parseDocument(this.lastRun().stdout);
});

Then('the JSON output includes:', function (this: TroupeWorld, expected: string) {
  assertIncludes(parseDocument(this.lastRun().stdout), JSON.parse(expected));
});

Then(
  'stdout has one event of the plan per line, numbered 1 to {int} in order',
  async function (this: TroupeWorld, last: number) {
    const events = parseLines(this.lastRun().stdout);
    const { id } = await this.planRecord();
    assert.deepEqual(
      events.map((event) => event.seq),
      Array.from({ length: last }, (_, index) => index + 1),
    );
    for (const event of events) assertIncludes(event, { planId: id });
  },
);

Then('the first event printed is {string}', function (this: TroupeWorld, type: string) {
  assertIncludes(parseLines(this.lastRun().stdout)[0], { type });
});

Then('the last event printed is {string} in {word}', function (this: TroupeWorld, type: string, phase: string) {
  const events = parseLines(this.lastRun().stdout);
  assertIncludes(events.at(-1), { type, phase });
});

Then('no event printed is {string} in {word}', function (this: TroupeWorld, type: string, phase: string) {
  const events = parseLines(this.lastRun().stdout);
  assert.equal(events.filter((event) => event.type === type && event.phase === phase).length, 0);
});
