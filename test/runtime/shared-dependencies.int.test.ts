import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/runtime/index.js';
import { tempRepo } from '../helpers/temp.js';
import { planYaml, step } from './fixtures.js';

// A project's installed dependencies in its plans' sandboxes (issue 36): a
// worktree has only what git tracks, so `node --test` finds its package only
// when sandbox.share lists node_modules, and a failure says so.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// a library whose test imports a package installed in an untracked node_modules
async function library(config: unknown) {
  const repo = await tempRepo({
    'package.json': '{ "name": "lib", "version": "1.0.0", "type": "module" }\n',
    'test/lib.test.js':
      "import test from 'node:test';\nimport assert from 'node:assert';\nimport { answer } from 'tinydep';\ntest('answers', () => assert.equal(answer, 42));\n",
  });
  cleanups.push(repo.cleanup);
  mkdirSync(join(repo.dir, 'node_modules', 'tinydep'), { recursive: true });
  writeFileSync(
    join(repo.dir, 'node_modules', 'tinydep', 'package.json'),
    '{ "name": "tinydep", "version": "1.0.0", "type": "module", "main": "index.js" }\n',
  );
  writeFileSync(join(repo.dir, 'node_modules', 'tinydep', 'index.js'), 'export const answer = 42;\n');
  mkdirSync(join(repo.dir, '.troupe'), { recursive: true });
  writeFileSync(join(repo.dir, '.troupe', 'config.json'), JSON.stringify(config));
  const runtime = await createRuntime({ dir: repo.dir, report: () => {}, warn: () => {} });
  cleanups.push(() => runtime.close());
  return runtime;
}

const plan = (name: string, steps: unknown[] = []) =>
  planYaml({ name, strategy: { steps }, validate: [{ run: 'node --test' }] });

describe('dependencies in the sandbox', () => {
  it('a validate command finds a package of the shared node_modules', async () => {
    const runtime = await library({ sandbox: { share: ['node_modules'] } });
    const created = await runtime.createPlan(plan('lib/shared'));
    expect(await runtime.run(created.id)).toMatchObject({ phase: 'validate', status: 'complete' });
  });

  it('without the share, validate fails with a hint that names the folder and sandbox.share, then the one it had', async () => {
    const runtime = await library({});
    const created = await runtime.createPlan(plan('lib/unshared'));
    const record = await runtime.run(created.id);
    expect(record).toMatchObject({ phase: 'validate', status: 'failed', error: { code: 'TOOL_FAILED' } });
    expect(record.error?.hint).toBe(
      "'tinydep' was not found: node_modules is not shared with the sandbox — add it to sandbox.share in .troupe/config.json, or run troupe init, which shares the dependency folders it finds (docs/explanation/sandbox.md#shared-dependencies); all of its output: troupe plan logs lib/unshared --phase validate; if it was flaky, run troupe plan validate again",
    );
  });

  it('unconfined, nothing is withheld: the hint is the one it had', async () => {
    const runtime = await library({ sandbox: { mode: 'off' } });
    const created = await runtime.createPlan(
      planYaml({ name: 'lib/off', strategy: { steps: [] }, validate: [{ run: 'node -e "require(\'nosuchdep\')"' }] }),
    );
    const record = await runtime.run(created.id);
    expect(record).toMatchObject({ phase: 'validate', status: 'failed' });
    expect(record.error?.hint).toBe(
      'all of its output: troupe plan logs lib/off --phase validate; if it was flaky, run troupe plan validate again',
    );
  });

  it('a shell/run step that cannot find a package says how to share it', async () => {
    const runtime = await library({});
    const created = await runtime.createPlan(
      planYaml({ name: 'lib/step', strategy: { steps: [step('Test', 'shell/run', { command: 'node --test' })] } }),
    );
    const record = await runtime.run(created.id);
    expect(record).toMatchObject({ phase: 'execute', status: 'failed', error: { code: 'TOOL_FAILED' } });
    expect(record.error?.hint).toContain(
      "'tinydep' was not found: if node_modules is not shared with the sandbox, add it to sandbox.share in .troupe/config.json",
    );
  });
});
