import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git, tempDir, tempRepo, writeFiles } from '../helpers/temp.js';
import { planYaml } from '../runtime/fixtures.js';
import { runCli } from './run-cli.js';

// Dependencies just work (issue 36): troupe init shares the installed
// dependency folders at the project's root with plans, read-only, in
// sandbox.share of .troupe/config.json, where the user sees and edits it.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const LIBRARY = {
  'package.json': '{ "name": "lib", "version": "1.0.0", "type": "module", "scripts": { "test": "node --test" } }\n',
  'test/lib.test.js':
    "import test from 'node:test';\nimport assert from 'node:assert';\nimport { answer } from 'tinydep';\ntest('answers', () => assert.equal(answer, 42));\n",
  'first.yaml': planYaml({
    name: 'lib/first',
    strategy: { steps: [{ title: 'Note', tool: 'fs/write-file', input: { path: 'NOTES.md', content: 'notes\n' } }] },
    validate: [{ run: 'npm test' }],
  }),
};

// a JavaScript library with its dependency installed (untracked, as npm leaves it), and more
async function project(
  files: Record<string, string> = LIBRARY,
  installed: Record<string, string> = {},
): Promise<string> {
  const repo = await tempRepo(files);
  cleanups.push(repo.cleanup);
  await writeFiles(repo.dir, {
    'node_modules/tinydep/package.json':
      '{ "name": "tinydep", "version": "1.0.0", "type": "module", "main": "index.js" }\n',
    'node_modules/tinydep/index.js': 'export const answer = 42;\n',
    ...installed,
  });
  return repo.dir;
}

const configOf = (dir: string) =>
  JSON.parse(readFileSync(join(dir, '.troupe', 'config.json'), 'utf8')) as {
    sandbox?: { share?: string[]; hide?: string[] };
    network?: boolean;
  };

describe('troupe init shares dependency folders', () => {
  it('finds an untracked node_modules and .venv, writes them to sandbox.share and says so', async () => {
    const dir = await project(LIBRARY, { '.venv/pyvenv.cfg': 'home = /usr/bin\n', '.venv/lib/site.py': '' });
    const result = await runCli(dir, ['init']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `initialized troupe in ${dir}/.troupe (excluded from git)\nsharing node_modules, .venv read-only with plans (sandbox.share in .troupe/config.json)\n`,
    );
    expect(configOf(dir).sandbox).toEqual({ share: ['node_modules', '.venv'] });
    const again = await runCli(dir, ['init', '--json']);
    expect(JSON.parse(again.stdout)).toEqual({
      root: dir,
      created: false,
      shared: ['node_modules', '.venv'],
      added: [],
      generated: [],
    });
    expect((await runCli(dir, ['init'])).stdout).toBe(
      `troupe is already set up in ${dir}/.troupe\nsharing node_modules, .venv read-only with plans (sandbox.share in .troupe/config.json)\n`,
    );
  });

  it('shares a file git ignores that the installed environment generated, and says why', async () => {
    const dir = await project(
      { ...LIBRARY, 'src/humble/__init__.py': '', '.gitignore': 'node_modules/\n_version.py\n' },
      { 'src/humble/_version.py': "version = '1.0'\n" },
    );
    const result = await runCli(dir, ['init']);
    expect(result.stdout).toBe(
      `initialized troupe in ${dir}/.troupe (excluded from git)\nsharing node_modules read-only with plans (sandbox.share in .troupe/config.json)\n` +
        'sharing src/humble/_version.py read-only with plans: git ignores it, so a worktree lacks it, and your installed environment needs it (docs/explanation/sandbox.md#generated-files)\n',
    );
    expect(configOf(dir).sandbox).toEqual({ share: ['node_modules', 'src/humble/_version.py'] });
    expect(JSON.parse((await runCli(dir, ['init', '--json'])).stdout)).toMatchObject({
      shared: ['node_modules', 'src/humble/_version.py'],
      added: [],
      generated: [],
    });
  });

  it('leaves out what git tracks, a symlink, a folder that only looks like one, and a folder of another ecosystem', async () => {
    const dir = await project(
      { ...LIBRARY, 'composer.json': '{}\n', 'vendor/autoload.php': '<?php\n' },
      { 'venv/bin/python': '', 'vendor/bundle/x': '' },
    );
    const outside = await tempDir();
    cleanups.push(outside.cleanup);
    mkdirSync(join(outside.dir, 'env'));
    writeFileSync(join(outside.dir, 'env', 'pyvenv.cfg'), '');
    symlinkSync(join(outside.dir, 'env'), join(dir, '.venv'));
    const result = await runCli(dir, ['init', '--json']);
    // vendor holds tracked files; venv has no pyvenv.cfg; .venv leads out of the project; vendor/bundle without a Gemfile
    expect(JSON.parse(result.stdout)).toMatchObject({ shared: ['node_modules'], added: ['node_modules'] });
  });

  it('shares vendor/bundle beside a Gemfile, and an untracked composer vendor with what is under it', async () => {
    const ruby = await project(
      { Gemfile: "source 'https://rubygems.org'\n" },
      { 'vendor/bundle/ruby/3.2.0/gems/rack/lib/rack.rb': '' },
    );
    expect(JSON.parse((await runCli(ruby, ['init', '--json'])).stdout)).toMatchObject({
      shared: ['node_modules', 'vendor/bundle'],
    });
    const php = await project(
      { 'composer.json': '{}\n', Gemfile: '' },
      { 'vendor/autoload.php': '<?php\n', 'vendor/bundle/x': '' },
    );
    expect(JSON.parse((await runCli(php, ['init', '--json'])).stdout)).toMatchObject({
      shared: ['node_modules', 'vendor'],
    });
  });

  it('adds to the share list a config has, keeping the rest of it', async () => {
    const dir = await project();
    mkdirSync(join(dir, '.troupe'));
    writeFileSync(
      join(dir, '.troupe', 'config.json'),
      JSON.stringify({ network: true, sandbox: { share: ['fixtures/big'], hide: ['~/work'] } }),
    );
    const result = await runCli(dir, ['init']);
    expect(result.stdout).toContain(
      'sharing node_modules read-only with plans (sandbox.share in .troupe/config.json)\nstill sharing fixtures/big read-only with plans',
    );
    expect(configOf(dir)).toEqual({
      network: true,
      sandbox: { share: ['fixtures/big', 'node_modules'], hide: ['~/work'] },
    });
    // a folder the list covers already is not added again
    writeFileSync(join(dir, '.troupe', 'config.json'), JSON.stringify({ sandbox: { share: ['./node_modules/'] } }));
    expect(JSON.parse((await runCli(dir, ['init', '--json'])).stdout)).toMatchObject({
      shared: ['./node_modules/'],
      added: [],
    });
  });

  it('leaves a config git tracks alone, and says why', async () => {
    const dir = await project({ ...LIBRARY, '.troupe/config.json': '{}\n' });
    const result = await runCli(dir, ['init']);
    expect(result.stdout).toContain(
      'node_modules not added: git tracks .troupe/config.json, and sandbox.share may be set only in your own config (docs/explanation/sandbox.md#shared-dependencies)',
    );
    expect(readFileSync(join(dir, '.troupe', 'config.json'), 'utf8')).toBe('{}\n');
    expect(git(dir, 'status', '--porcelain', '--untracked-files=no')).toBe('');
  });

  it('a plan whose npm test needs the package passes after init, and fails without the share with a hint naming sandbox.share', async () => {
    const unshared = await project();
    mkdirSync(join(unshared, '.troupe'));
    writeFileSync(join(unshared, '.troupe', 'config.json'), '{}\n');
    const failed = await runCli(unshared, ['plan', 'run', 'first.yaml'], { env: { NO_COLOR: '1' } });
    expect(failed.code).not.toBe(0);
    expect(`${failed.stdout}${failed.stderr}`).toContain(
      "hint: 'tinydep' was not found: node_modules is not shared with the sandbox — add it to sandbox.share in .troupe/config.json, or run troupe init, which shares the dependency folders it finds",
    );
    expect((await runCli(unshared, ['init'])).stdout).toContain('sharing node_modules read-only with plans');
    // validate again: the same plan, its sandbox now with the project's node_modules
    const again = await runCli(unshared, ['plan', 'validate', 'lib/first'], { env: { NO_COLOR: '1' } });
    expect(again).toMatchObject({ code: 0, stdout: expect.stringMatching(/validate · complete/) });
  });

  it('plan run in a repository troupe was never set up in shares its dependency folders in the config it writes', async () => {
    const dir = await project();
    const result = await runCli(dir, ['plan', 'run', 'first.yaml'], { env: { NO_COLOR: '1' } });
    expect(result.stdout).toMatch(/validate · complete/);
    expect(configOf(dir).sandbox).toEqual({ share: ['node_modules'] });
  });
});
