import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolvePlugin } from '../../src/runtime/plugins/resolve-plugin.js';
import { tempDir } from '../helpers/temp.js';

// Where a `plugins` entry points, on real folders: the package shapes Node's import() reads, and
// a clear problem for each that names no file.

describe('resolvePlugin', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir('troupe-resolve-'));
  });
  afterEach(async () => cleanup());

  const pkg = async (name: string, manifest: string | null, files: Record<string, string> = {}) => {
    const folder = join(root, 'node_modules', name);
    await mkdir(folder, { recursive: true });
    if (manifest !== null) await writeFile(join(folder, 'package.json'), manifest);
    for (const [file, text] of Object.entries(files)) {
      await mkdir(join(folder, file, '..'), { recursive: true });
      await writeFile(join(folder, file), text);
    }
    return folder;
  };

  it('names a package.json that does not parse', async () => {
    const folder = await pkg('broken', '{ "name": ');
    const found = await resolvePlugin(root, 'broken');
    expect(found).toEqual({ problem: expect.stringContaining(`${join(folder, 'package.json')} does not read:`) });
  });

  it('takes the first target of an exports array that import() can use', async () => {
    const folder = await pkg(
      'fallbacks',
      JSON.stringify({ exports: { '.': [{ require: './cjs.cjs' }, 'not-relative.js', './esm.mjs'] } }),
      { 'esm.mjs': 'export default {}\n' },
    );
    expect(await resolvePlugin(root, 'fallbacks')).toEqual({ file: join(folder, 'esm.mjs') });
  });

  it('says an exports array none of whose targets import() can use exports nothing', async () => {
    await pkg('required-only', JSON.stringify({ exports: [{ require: './cjs.cjs' }] }));
    expect(await resolvePlugin(root, 'required-only')).toEqual({
      problem: expect.stringContaining('package "required-only" exports nothing for import at "."'),
    });
  });

  it('reads a package without package.json as index.js, and names the file that is missing', async () => {
    const folder = await pkg('bare', null);
    expect(await resolvePlugin(root, 'bare')).toEqual({
      problem: `package "bare" points at ${join(folder, 'index.js')}, which does not exist`,
    });
  });

  it('names the main a package gives when none of its candidates exists', async () => {
    const folder = await pkg('lost-main', JSON.stringify({ main: 'lib/plugin' }));
    expect(await resolvePlugin(root, 'lost-main')).toEqual({
      problem: `package "lost-main" points at ${join(folder, 'lib/plugin')}, which does not exist`,
    });
  });
});
