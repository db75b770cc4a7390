import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Given, Then, type DataTable } from '@cucumber/cucumber';
import { assertIncludes, parseLines } from '../support/json-match.js';
import type { TroupeWorld } from '../support/world.js';

// the project tier of invariants (SPEC §3): troupe's own folder, never committed
Given(/^the project's \.troupe\/config\.json says:$/, async function (this: TroupeWorld, text: string) {
  await mkdir(join(this.project, '.troupe'), { recursive: true });
  await writeFile(join(this.project, '.troupe', 'config.json'), `${text}\n`);
});

/**
 * What an event is about, the way troupe's progress lines say it: `step 2`
 * for a step event, `after strategize` / `after step 2` / `after validate`
 * for an invariant event, `step checkpoint` / `phase checkpoint` for a
 * checkpoint, nothing for the others.
 */
function aboutOf(event: Record<string, unknown>): string {
  const data = (event.data ?? {}) as Record<string, unknown>;
  const type = String(event.type);
  if (type.startsWith('step.') || type === 'tool.called') return `step ${Number(data.index) + 1}`;
  if (type === 'checkpoint.created') return `${String(data.trigger)} checkpoint`;
  if (type.startsWith('invariant.')) {
    const trigger = String(data.trigger);
    if (trigger === 'post-step') return `after step ${Number(data.step) + 1}`;
    return `after ${trigger.replace(/^post-/, '')}`;
  }
  return '';
}

// one row per event, in journal order: | event | phase | about |
Then('the events printed are, in order:', function (this: TroupeWorld, table: DataTable) {
  const events = parseLines(this.lastRun().stdout);
  assert.deepEqual(
    events.map((event) => ({ event: String(event.type), phase: String(event.phase ?? ''), about: aboutOf(event) })),
    table.hashes().map((row) => ({ event: row.event, phase: row.phase, about: row.about })),
  );
});

Then('the {string} event printed includes:', function (this: TroupeWorld, type: string, expected: string) {
  const events = parseLines(this.lastRun().stdout).filter((event) => event.type === type);
  assert.equal(events.length, 1, `expected one ${type} event, got ${events.length}`);
  assertIncludes(events[0], JSON.parse(expected));
});

Then('no event printed is {string}', function (this: TroupeWorld, type: string) {
  const events = parseLines(this.lastRun().stdout).filter((event) => event.type === type);
  assert.deepEqual(events, [], `the journal has ${type} events`);
});

interface DecisionNode {
  type: string;
  title: string;
  children: DecisionNode[];
}

// every decision as `plan explain` prints it ("type title"), with its parent's
function decisionsUnder(
  node: DecisionNode,
  parent: string | null,
  into: { decision: string; under: string | null }[],
): void {
  const decision = `${node.type} ${node.title}`;
  into.push({ decision, under: parent });
  for (const child of node.children) decisionsUnder(child, decision, into);
}

// one row per decision: | decision | under |, both as plan explain prints them
Then('plan explain shows these decisions under their parents:', async function (this: TroupeWorld, table: DataTable) {
  const tree = (await this.query(`plan explain ${this.currentPlan()} --json`)) as { root: DecisionNode };
  const all: { decision: string; under: string | null }[] = [];
  decisionsUnder(tree.root, null, all);
  for (const row of table.hashes()) {
    const found = all.filter((entry) => entry.decision === row.decision);
    assert.equal(
      found.length,
      1,
      `plan explain shows ${found.length} decisions "${row.decision}":\n${all.map((entry) => `${entry.decision}  <  ${entry.under}`).join('\n')}`,
    );
    assert.equal(found[0]!.under, row.under, `"${row.decision}" is under "${found[0]!.under}", not "${row.under}"`);
  }
});
