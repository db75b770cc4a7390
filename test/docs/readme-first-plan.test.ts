import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { tempRepo } from '../helpers/temp.js';

const README = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
// the plan file of "Your first real plan", from its comment line to the end of its block
const PLAN = /```yaml\n# plans\/fix-sub\.yaml\n([^]*?)```/.exec(README)?.[1];

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

describe('README: your first real plan', () => {
  it('runs as written on a library with an installed dependency: init shares it, validate passes, apply commits', async () => {
    expect(PLAN, 'the README shows plans/fix-sub.yaml').toBeDefined();
    const repo = await tempRepo({
      '.gitignore': 'node_modules/\n',
      'package.json':
        '{ "name": "calc", "version": "1.0.0", "scripts": { "test": "node --test" }, "dependencies": { "tiny-sum": "1.0.0" } }\n',
      'calc.js':
        "const sum = require('tiny-sum');\nexports.add = (a, b) => sum(a, b);\nexports.sub = (a, b) => b - a;\n",
      'calc.test.js':
        "const test = require('node:test');\nconst assert = require('node:assert');\nconst { add, sub } = require('./calc');\ntest('adds', () => assert.strictEqual(add(2, 3), 5));\ntest('subtracts', () => assert.strictEqual(sub(5, 3), 2));\n",
      // installed, not tracked: what npm install leaves
      'node_modules/tiny-sum/package.json': '{ "name": "tiny-sum", "version": "1.0.0", "main": "index.js" }\n',
      'node_modules/tiny-sum/index.js': 'module.exports = (a, b) => a + b;\n',
    });
    cleanups.push(repo.cleanup);
    const init = await runCli(repo.dir, ['init']);
    expect(init.stdout).toContain('sharing node_modules read-only with plans (sandbox.share in .troupe/config.json)');
    writeFileSync(join(repo.dir, 'fix-sub.yaml'), PLAN!);
    const run = await runCli(repo.dir, ['plan', 'run', 'fix-sub.yaml']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('phase       validate · complete');
    expect((await runCli(repo.dir, ['plan', 'apply', 'calc/fix-sub'])).code).toBe(0);
    expect(readFileSync(join(repo.dir, 'calc.js'), 'utf8')).toContain('exports.sub = (a, b) => a - b;');
    expect(execFileSync('git', ['log', '-1', '--format=%s'], { cwd: repo.dir, encoding: 'utf8' }).trim()).toBe(
      'sub(a, b) returns a - b',
    );
  }, 120_000);
});
