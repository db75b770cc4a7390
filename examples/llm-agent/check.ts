// Runs a plan driven by its model — the scripted model of model.ts behind an
// OpenAI-compatible fake server on 127.0.0.1 — through the CLI on a scratch
// copy of ./project, and checks what a user should see: the stream, the
// decisions with the model's reasons, the costs, the applied fix, and the key
// nowhere troupe keeps things. `npm run example -- llm-agent`.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRuntime, type DecisionNode } from '../../src/index.js';
import { createScratchProject } from '../../src/cli/scratch-project.js';
import { startFakeOpenAI } from '../../test/helpers/fake-openai.js';
import { nextTurn } from './model.js';

const here = import.meta.dirname;
const KEY = 'sk-example-not-a-real-key-3c9a71f0';
const project = await createScratchProject(join(here, 'project'), 'troupe-example-llm-agent-');
const model = await startFakeOpenAI(Array.from({ length: 10 }, () => nextTurn));
try {
  writeFileSync(
    join(project, 'plan.yaml'),
    [
      'name: temps/fix-celsius',
      'goal: Make node test.js pass by fixing the conversion in src/celsius.js',
      'resourceScopes: ["src/**"]',
      'validate:',
      '  - run: node test.js',
      'agent:',
      '  model: openai-compatible:example-coder',
      `  baseURL: ${model.url}`,
      '  apiKeyEnv: EXAMPLE_MODEL_API_KEY',
      '  maxSteps: 8',
      '',
    ].join('\n'),
  );
  // the CLI from source, with the key in its environment only (not spawnSync: this process serves the model meanwhile)
  const troupe = (...args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(here, '../../src/cli/bin.ts'), '-C', project, ...args],
        { env: { ...process.env, EXAMPLE_MODEL_API_KEY: KEY } },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
  const run = await troupe('plan', 'run', 'plan.yaml', '--stream');
  assert.equal(run.status, 0, run.stderr);
  const events = run.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; phase?: string; data: Record<string, unknown> });
  // the model's words as they came, and each answer recorded with what it asked for
  const said = events
    .filter((event) => event.type === 'model.text')
    .map((event) => event.data.delta)
    .join('');
  assert.match(said, /^First I run the tests to see what fails\.The conversion is wrong/);
  assert.deepEqual(
    events.filter((event) => event.type === 'model.called').map((event) => event.data.tools),
    [['run_command'], ['read_file'], ['edit_file'], ['run_command'], []],
  );
  // the model done, troupe finished execute and validated (review automation)
  assert.ok(events.some((event) => event.type === 'phase.completed' && event.phase === 'validate'));
  assert.equal((await troupe('plan', 'apply', 'temps/fix-celsius')).status, 0);

  // the project: one commit by troupe, with the fix
  const git = (...args: string[]) => execFileSync('git', args, { cwd: project, encoding: 'utf8' }).trim();
  assert.equal(git('log', '-1', '--format=%an'), 'troupe');
  assert.equal(
    readFileSync(join(project, 'src/celsius.js'), 'utf8'),
    '// Converts a temperature in degrees Fahrenheit to degrees Celsius.\nexports.toCelsius = (fahrenheit) => ((fahrenheit - 32) * 5) / 9;\n',
  );

  // the key went only in the requests' header
  assert.ok(model.requests.every((request) => request.headers.authorization === `Bearer ${KEY}`));
  const holding = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? holding(path) : readFileSync(path).includes(KEY) ? [path] : [];
    });
  assert.deepEqual(holding(join(project, '.troupe')), []);

  // the plan: each model call a decision, the edit a step with the model's reason, the rest reads
  const runtime = await createRuntime({ dir: project, resume: false });
  try {
    const record = await runtime.getPlan('temps/fix-celsius');
    assert.equal(record.status, 'done');
    assert.equal(record.models?.calls, 5);
    const decisions: DecisionNode[] = [];
    const walk = (node: DecisionNode) => {
      decisions.push(node);
      node.children.forEach(walk);
    };
    const { root } = await runtime.explain(record.id);
    if (root) walk(root);
    const step = decisions.find((decision) => decision.type === 'step')!;
    assert.equal(step.rationale, 'It multiplies by 9/5; Celsius from Fahrenheit is (f - 32) × 5/9.');
    assert.equal(step.actor, 'openai-compatible:example-coder');
    assert.equal(decisions.filter((decision) => decision.type === 'tool_call').length, 3);
    assert.equal(decisions.filter((decision) => decision.type === 'model_call').length, 5);
    console.log(
      `llm-agent: ${record.models!.calls} model calls (${record.models!.inputTokens} in / ${record.models!.outputTokens} out tokens), 1 step and 3 reads, applied as ${git('rev-parse', '--short', 'HEAD')}`,
    );
  } finally {
    await runtime.close();
  }
} finally {
  await model.close();
}
