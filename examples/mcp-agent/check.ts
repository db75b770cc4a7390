// Runs the scripted agent of agent.ts against `troupe mcp` on a scratch copy
// of ./project, and checks what a user should see in git and in the plan.
// `npm run example -- mcp-agent`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRuntime, type DecisionNode } from '../../src/index.js';
import { createScratchProject } from '../../src/cli/scratch-project.js';
import { runAgent } from './agent.js';

const here = import.meta.dirname;
const project = await createScratchProject(join(here, 'project'), 'troupe-example-mcp-agent-');
// the CLI from source (npm test builds bin/troupe.js too; an example run alone need not)
const log = await runAgent({
  command: process.execPath,
  args: ['--import', 'tsx', join(here, '../../src/cli/bin.ts'), '-C', project, 'mcp'],
});

// the test failed, the wrong guess failed, the fix passed: a failing command is a result the agent reads
assert.deepEqual(log.testRuns, [1, 1, 0]);
assert.match(log.patch, /^-exports\.sum = \(a, b\) => a - b;$/m);
assert.match(log.patch, /^\+exports\.sum = \(a, b\) => a \+ b;$/m);
assert.doesNotMatch(log.patch, /a \* b/);
assert.equal(log.phaseAfterFinish, 'validate/complete');
// the last test ran as an MCP task: working at first, completed with its result
assert.equal(log.taskStatuses[0], 'working');
assert.equal(log.taskStatuses.at(-1), 'completed');
// the API test reached the service in the plan's network, and the service saw the request
assert.deepEqual(log.apiRuns, [0]);
assert.match(log.serviceLog, /^listening on 127\.0\.0\.1:8765$/m);
assert.match(log.serviceLog, /^GET \/sum\?a=2&b=3 -> 5$/m);

// the project: one commit by troupe, with the fix
const git = (...args: string[]) => execFileSync('git', args, { cwd: project, encoding: 'utf8' }).trim();
assert.equal(git('rev-parse', 'HEAD'), log.appliedCommit);
assert.equal(git('log', '-1', '--format=%an'), 'troupe');
assert.equal(
  readFileSync(join(project, 'src/sum.js'), 'utf8'),
  '// Adds two numbers.\nexports.sum = (a, b) => a + b;\n',
);

// the plan: every call recorded with its rationale, the wrong guess discarded by the rollback
const runtime = await createRuntime({ dir: project, resume: false });
try {
  const steps: DecisionNode[] = [];
  const services: DecisionNode[] = [];
  const walk = (node: DecisionNode) => {
    // a command that changed nothing is a read, not a step (docs/reference/mcp.md): both are recorded with their rationale
    if (
      node.type === 'step' ||
      (node.type === 'tool_call' && typeof (node.payload as { read?: unknown }).read === 'number')
    )
      steps.push(node);
    if (node.type === 'service') services.push(node);
    node.children.forEach(walk);
  };
  const { root } = await runtime.explain(log.planId);
  if (root) walk(root);
  assert.deepEqual(
    steps.map((step) => [step.rationale, step.status, step.type]),
    [
      ['see what fails first', 'active', 'tool_call'],
      ['maybe it multiplies', 'discarded', 'step'],
      ['check the guess', 'discarded', 'tool_call'],
      ['sum adds', 'active', 'step'],
      ['check the fix', 'active', 'tool_call'],
      ['test the API against the running server', 'active', 'tool_call'],
    ],
  );
  // the service's start and stop are in the plan's decisions and journal
  assert.deepEqual(
    services.map((service) => service.title.split(':')[0]),
    ['service api started', 'service api stopped (SIGTERM)'],
  );
  const journal = (await runtime.events(log.planId))
    .filter((event) => event.type.startsWith('service.'))
    .map((event) => event.type);
  assert.deepEqual(journal, ['service.started', 'service.stopped']);
  assert.equal(
    steps.every((step) => step.actor === 'mcp:example-agent'),
    true,
  );
  console.log(
    `mcp-agent: ${steps.filter((step) => step.type === 'step').length} steps and ${steps.filter((step) => step.type !== 'step').length} reads (2 rolled back), tests ${log.testRuns.join(' → ')}, API test ${log.apiRuns.join('')} against the api service, applied as ${log.appliedCommit?.slice(0, 7)}`,
  );
} finally {
  await runtime.close();
}
