import { realpath } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { findGeneratedFiles, ignoredFiles } from '../../src/sandbox/generated-files.js';
import { tempDir, tempRepo, writeFiles } from '../helpers/temp.js';

// Files git ignores that a project's installed environment needs (docs/explanation/sandbox.md#generated-files),
// found in a real repository the way `troupe init` and `doctor` look for them.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function project(files: Record<string, string>, ignore: string): Promise<string> {
  const repo = await tempRepo({ ...files, '.gitignore': ignore });
  cleanups.push(repo.cleanup);
  return realpath(repo.dir);
}

describe('findGeneratedFiles', () => {
  it("finds a version file written at install, a protobuf module, an extension module and generated TypeScript beside the project's sources", async () => {
    const root = await project(
      { 'src/humble/__init__.py': '', 'src/api/__init__.py': '', 'web/src/index.ts': '', 'native/pkg/__init__.py': '' },
      '_version.py\n*_pb2.py\n*.so\n*.generated.ts\n',
    );
    await writeFiles(root, {
      'src/humble/_version.py': "version = '1.0'\n",
      'src/api/service_pb2.py': '',
      'native/pkg/_speed.cpython-311-x86_64-linux-gnu.so': '',
      'web/src/schema.generated.ts': '',
    });
    expect((await findGeneratedFiles(root)).sort()).toEqual([
      'native/pkg/_speed.cpython-311-x86_64-linux-gnu.so',
      'src/api/service_pb2.py',
      'src/humble/_version.py',
      'web/src/schema.generated.ts',
    ]);
  });

  it("finds a module the build's settings name, and a generated folder ignored whole", async () => {
    const root = await project(
      {
        'pyproject.toml': '[tool.hatch.build.hooks.vcs]\nversion-file = "lib/thing/about.py"\n',
        'lib/thing/__init__.py': '',
        'app/main.ts': '',
      },
      'lib/thing/about.py\napp/generated/\n',
    );
    await writeFiles(root, { 'lib/thing/about.py': '', 'app/generated/client.ts': '' });
    expect((await findGeneratedFiles(root)).sort()).toEqual(['app/generated', 'lib/thing/about.py']);
  });

  it('leaves alone dependency folders, caches, build output, secrets, files outside source folders and what git tracks', async () => {
    const root = await project(
      {
        'src/app/__init__.py': '',
        'src/app/version.py': "v = '1'\n",
        'package.json': '{"files": ["src/app/.env.py"]}',
      },
      '.venv/\nnode_modules/\n__pycache__/\nbuild/\n*.egg-info/\n.env*\nsecrets_version.py\nloose/\n_version.py\n',
    );
    await writeFiles(root, {
      '.venv/lib/_version.py': '',
      'node_modules/x/_version.py': '',
      'src/app/__pycache__/_version.py': '',
      'build/lib/app/_version.py': '',
      'src/app.egg-info/_version.py': '',
      'src/app/.env.py': '',
      'src/app/secrets_version.py': '',
      'loose/_version.py': '',
      'src/app/notes.txt': '',
    });
    expect(await findGeneratedFiles(root)).toEqual([]);
    // ignoredFiles lists folders ignored whole once, unwalked
    expect(await ignoredFiles(root)).toEqual(expect.arrayContaining(['.venv/', 'node_modules/', 'loose/']));
    expect((await ignoredFiles(root)).some((path) => path.startsWith('.venv/lib'))).toBe(false);
  });

  it('finds nothing outside a git repository', async () => {
    const dir = await tempDir('troupe-norepo-');
    cleanups.push(dir.cleanup);
    await writeFiles(dir.dir, { 'pkg/_version.py': '' });
    expect(await findGeneratedFiles(dir.dir)).toEqual([]);
  });
});
