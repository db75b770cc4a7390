import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { shareDependencies } from '../../src/runtime/index.js';
import { git, tempDir, tempRepo } from '../helpers/temp.js';

// `troupe init` sharing a project's installed dependencies, on a real repository: what it adds
// to `.troupe/config.json`, and each config it leaves alone, saying why.

describe('shareDependencies', () => {
  let root: string;
  const cleanups: (() => Promise<void>)[] = [];
  const configPath = () => join(root, '.troupe', 'config.json');
  const config = async (text: string) => {
    await mkdir(join(root, '.troupe'), { recursive: true });
    await writeFile(configPath(), text);
  };

  beforeEach(async () => {
    const repo = await tempRepo({ 'package.json': '{ "name": "lib" }\n', 'pyproject.toml': '[project]\n' });
    cleanups.push(repo.cleanup);
    root = repo.dir;
    await mkdir(join(root, 'node_modules', 'dep'), { recursive: true });
    await mkdir(join(root, '.venv'), { recursive: true });
    await writeFile(join(root, '.venv', 'pyvenv.cfg'), 'home = /usr/bin\n');
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('writes a config listing what is installed, and adds nothing the second time', async () => {
    expect(await shareDependencies(root)).toEqual({
      shared: ['node_modules', '.venv'],
      added: ['node_modules', '.venv'],
      generated: [],
    });
    expect(JSON.parse(await readFile(configPath(), 'utf8'))).toEqual({
      sandbox: { share: ['node_modules', '.venv'] },
    });
    expect(await shareDependencies(root)).toEqual({ shared: ['node_modules', '.venv'], added: [], generated: [] });
  });

  it('keeps the rest of the config and the list’s order, and skips a folder an entry covers', async () => {
    await config(
      JSON.stringify({ validate: [{ run: 'npm test' }], sandbox: { share: ['./node_modules/'], network: false } }),
    );
    expect(await shareDependencies(root)).toEqual({
      shared: ['./node_modules/', '.venv'],
      added: ['.venv'],
      generated: [],
    });
    expect(JSON.parse(await readFile(configPath(), 'utf8'))).toEqual({
      validate: [{ run: 'npm test' }],
      sandbox: { share: ['./node_modules/', '.venv'], network: false },
    });
  });

  it.each([
    ['does not read as JSON', '{ "sandbox": '],
    ['is not an object', '["node_modules"]'],
    ['has a sandbox that is not an object', '{ "sandbox": "yes" }'],
    ['has a share that is not a list of paths', '{ "sandbox": { "share": [1] } }'],
  ])('leaves alone a config that %s, saying what it did not add', async (_, text) => {
    await config(text);
    expect(await shareDependencies(root)).toEqual({
      shared: [],
      added: [],
      generated: [],
      kept: 'node_modules, .venv not added: .troupe/config.json does not read as a config with a sandbox.share list',
    });
    expect(await readFile(configPath(), 'utf8')).toBe(text);
  });

  it('leaves alone a config that cannot be read at all (a folder in its place)', async () => {
    await mkdir(configPath(), { recursive: true });
    expect((await shareDependencies(root)).kept).toMatch(/not added: .troupe\/config.json does not read/);
  });

  it('leaves alone a config that is a link, and one git tracks', async () => {
    const elsewhere = await tempDir('troupe-share-link-');
    cleanups.push(elsewhere.cleanup);
    await writeFile(join(elsewhere.dir, 'config.json'), '{}\n');
    await mkdir(join(root, '.troupe'), { recursive: true });
    await symlink(join(elsewhere.dir, 'config.json'), configPath());
    expect(await shareDependencies(root)).toEqual({
      shared: [],
      added: [],
      generated: [],
      kept: 'node_modules, .venv not added: .troupe/config.json is a link — add them to sandbox.share where it leads',
    });
    expect(await readFile(join(elsewhere.dir, 'config.json'), 'utf8')).toBe('{}\n');

    await rm(configPath());
    await config('{}\n');
    git(root, 'add', '-f', '.troupe/config.json');
    git(root, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '--quiet', '-m', 'config');
    expect((await shareDependencies(root)).kept).toBe(
      'node_modules, .venv not added: git tracks .troupe/config.json, and sandbox.share may be set only in your own config',
    );
  });
});
