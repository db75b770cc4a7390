// Runs the embedding app (app.ts) on a scratch copy of ./project and
// asserts what it did, through the public API. `npm run example -- embed`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createScratchProject } from '../../src/cli/scratch-project.js';
import { shoutNotes } from './app.js';

const here = import.meta.dirname;
const project = await createScratchProject(join(here, 'project'), 'troupe-example-embed-');
const { plan, decisions } = await shoutNotes(project);

assert.equal(`${plan.phase}/${plan.status}`, 'apply/done', 'auto automation runs all four phases');
assert.equal(readFileSync(join(project, 'notes/todo.txt'), 'utf8'), 'BUY MILK\nCALL THE PLUMBER\n');
assert.equal(readFileSync(join(project, 'notes/meeting.txt'), 'utf8'), 'THE MEETING MOVED TO FRIDAY\n');
assert.equal(readFileSync(join(project, 'notes/keep.md'), 'utf8'), 'left as it is: not a .txt file\n');
const git = (...args: string[]) => execFileSync('git', args, { cwd: project, encoding: 'utf8' }).trim();
assert.equal(git('log', '-1', '--format=%an|%(trailers:key=Troupe-Plan-Id,valueonly)'), `troupe|${plan.id}`);
assert.equal(git('status', '--porcelain'), '');

// the decision tree records the app's strategist and the steps it decided
const { root } = decisions;
assert.equal(root?.type, 'strategy');
assert.equal(root?.actor, 'shouter');
assert.equal(root?.payload.strategist, 'shouter');
assert.equal(root?.rationale, '2 text notes to shout');
const steps = root?.children.filter((child) => child.type === 'step') ?? [];
assert.deepEqual(
  steps.map((step) => step.title),
  ['Shout notes/meeting.txt', 'Shout notes/todo.txt'],
);
// the memory store wrote no LevelDB into the project
assert.equal(existsSync(join(project, '.troupe', 'db')), false);
console.log(
  `embed: ${plan.name} by ${root?.actor}, ${steps.length} steps with text/shout, applied as ${plan.appliedCommit?.slice(0, 7)}`,
);
