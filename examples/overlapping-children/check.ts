// Runs the overlapping-children plan on a scratch copy of ./project through
// the public API and asserts what a user should see: the overlap decisions
// of both groups, demo/shout waiting for demo/farewell's merge (serialize)
// while demo/docs runs alongside, and the conflict between demo/node and
// demo/npm predicted before their merge stops on it (warn).
// `npm run example -- overlapping-children`.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRuntime, type Decision, type DecisionNode } from '../../src/index.js';
import { createScratchProject } from '../../src/cli/scratch-project.js';

const here = import.meta.dirname;
const project = await createScratchProject(join(here, 'project'), 'troupe-example-overlap-');
const runtime = await createRuntime({ dir: project });
const all = (node: DecisionNode | null): Decision[] => (node ? [node, ...node.children.flatMap(all)] : []);
try {
  const plan = await runtime.createPlan(readFileSync(join(here, 'plan.yaml'), 'utf8'));
  const stopped = await runtime.run(plan.id);
  // the second group's children both added an "engines" object: their merge waits for the user
  assert.equal(`${stopped.phase}/${stopped.status}`, 'execute/waiting');

  // strategize recorded one overlap decision per group
  const overlaps = all((await runtime.explain(plan.id)).root).filter((decision) => decision.type === 'overlap');
  assert.deepEqual(
    overlaps.map((decision) => decision.payload),
    [
      {
        policy: 'serialize',
        pairs: [
          {
            entries: ['demo/farewell', 'demo/shout'],
            patterns: ['src/**', 'src/greet.ts'],
            example: 'src/greet.ts',
            files: ['src/greet.ts'],
            fileCount: 1,
          },
        ],
        edges: [{ from: 'demo/farewell', to: 'demo/shout' }],
        pairCount: 1,
        edgeCount: 1,
      },
      {
        policy: 'warn',
        pairs: [
          {
            entries: ['demo/node', 'demo/npm'],
            patterns: ['package.json', '*.json'],
            example: 'package.json',
            files: ['package.json'],
            fileCount: 1,
          },
        ],
        edges: [],
        pairCount: 1,
        edgeCount: 0,
      },
    ],
  );

  // serialize: demo/shout started after demo/farewell merged, from its merge commit; demo/docs did not wait
  const events = await runtime.events(plan.id);
  const at = (type: string, name: string) =>
    events.findIndex((event) => event.type === type && event.data.name === name);
  assert.ok(
    at('subplan.spawned', 'demo/shout') > at('merge.completed', 'demo/farewell'),
    'demo/shout starts once demo/farewell merged',
  );
  assert.ok(at('subplan.spawned', 'demo/docs') < at('merge.completed', 'demo/farewell'), 'demo/docs runs alongside');
  const kids = new Map(
    (await runtime.listPlans({ all: true })).filter((kid) => kid.parentId === plan.id).map((kid) => [kid.name, kid]),
  );
  assert.equal(kids.get('demo/shout')?.sandbox?.baseCommit, kids.get('demo/farewell')?.appliedCommit);

  // warn: the conflict was predicted while they ran, and it is the one the merge met
  await runtime.forecast?.idle();
  const record = await runtime.getPlan(plan.id);
  assert.deepEqual(
    record.predictedConflicts.map(({ names, files, kinds }) => ({ names, files, kinds })),
    [{ names: ['demo/node', 'demo/npm'], files: ['package.json'], kinds: ['content'] }],
  );
  assert.equal(
    (await runtime.events(plan.id)).filter((event) => event.type === 'conflict.predicted').length,
    1,
    'predicted once for the pair and file',
  );
  const { conflicts } = await runtime.conflicts(plan.id);
  assert.deepEqual(
    conflicts.map(({ file, childName, hunks }) => ({ file, childName, at: hunks.map((hunk) => hunk.path) })),
    [{ file: 'package.json', childName: 'demo/npm', at: ['engines'] }],
  );

  // keep both requirements (a file of the project, as `troupe plan resolve --use` takes it), then the plan runs on to validate
  const both = join(project, 'package.both.json');
  writeFileSync(
    both,
    readFileSync(join(project, 'package.json'), 'utf8').replace(
      '"private": true,',
      '"private": true,\n  "engines": { "node": ">=20", "npm": ">=10" },',
    ),
  );
  await runtime.resolve(plan.id, 'package.json', { with: 'file', path: both });
  const done = await runtime.run(plan.id);
  assert.equal(`${done.phase}/${done.status}`, 'validate/complete');
  const sandbox = join(project, done.sandbox!.worktree);
  assert.match(readFileSync(join(sandbox, 'src/greet.ts'), 'utf8'), /return `GOODBYE, \$\{name\.toUpperCase\(\)\}!`;/);
  assert.deepEqual(JSON.parse(readFileSync(join(sandbox, 'package.json'), 'utf8')).engines, {
    node: '>=20',
    npm: '>=10',
  });
  console.log(
    `overlapping-children: ${plan.name} serialized demo/shout after demo/farewell, predicted the package.json conflict of demo/node and demo/npm, and validated once it was resolved`,
  );
} finally {
  await runtime.close();
}
