import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, writeFiles } from '../helpers/temp.js';

const script = join(import.meta.dirname, '..', '..', 'scripts', 'check-imports.ts');
const check = (root: string) => spawnSync(process.execPath, ['--import', 'tsx', script, root], { encoding: 'utf8' });

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function tree(files: Record<string, string>) {
  const made = await tempDir('troupe-imports-');
  cleanups.push(made.cleanup);
  await writeFiles(made.dir, {
    'src/domain/index.ts': 'export const x = 1;\n',
    'machines/m.ts': "import { x } from '../src/domain/index.js';\nexport const m = x;\n",
    'actors/a.ts': 'export const a = 1;\n',
    ...files,
  });
  return made.dir;
}

describe('import rules check', () => {
  it('passes on this repository', () => {
    const result = check(join(import.meta.dirname, '..', '..'));
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/no cycles, layers respected/);
  });

  it('passes on a tree that keeps the rules', async () => {
    expect(check(await tree({})).status).toBe(0);
  });

  it('fails when a machine imports I/O', async () => {
    const result = check(
      await tree({ 'machines/bad.ts': "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n" }),
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'machines/bad.ts imports "node:fs": machines may not import packages other than its own list',
    );
  });

  it('fails when a machine imports an actor, even for types', async () => {
    const result = check(
      await tree({ 'machines/bad.ts': "import type { a } from '../actors/a.js';\nexport type A = typeof a;\n" }),
    );
    expect(result.stderr).toContain('machines may not import from actors');
  });

  it('fails when a file outside the few that may starts processes', async () => {
    const result = check(
      await tree({
        'src/tools/run.ts': "import { spawn } from 'node:child_process';\nexport const run = spawn;\n",
        'actors/exec.ts': "import { exec } from 'child_process';\nexport const e = exec;\n",
      }),
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('src/tools/run.ts imports "node:child_process": only src/sandbox/spawn-command.ts');
    expect(result.stderr).toContain('actors/exec.ts imports "child_process": only');
  });

  it('fails on a file past 400 lines, naming it', async () => {
    const lines = (count: number) =>
      Array.from({ length: count }, (_, index) => `export const x${index} = ${index};`).join('\n') + '\n';
    expect(check(await tree({ 'src/store/full.ts': lines(400) })).status).toBe(0);
    const result = check(await tree({ 'src/store/long.ts': lines(401) }));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('src/store/long.ts has 401 lines, past 400: split it by concept');
  });

  it('holds tests, step definitions, scripts and examples to the same length, but not what examples install', async () => {
    const lines = (count: number) =>
      Array.from({ length: count }, (_, index) => `export const x${index} = ${index};`).join('\n') + '\n';
    const long = {
      'test/store/long.test.ts': lines(401),
      'features/steps/long.ts': lines(401),
      'scripts/long.ts': lines(401),
      'examples/embed/long.ts': lines(401),
    };
    const result = check(await tree(long));
    expect(result.status).toBe(1);
    for (const path of Object.keys(long))
      expect(result.stderr).toContain(`${path} has 401 lines, past 400: split it by concept`);
    expect(
      check(await tree({ 'examples/embed/node_modules/dep/index.ts': lines(401), 'test/full.test.ts': lines(400) }))
        .status,
    ).toBe(0);
  });

  it('fails on an import cycle', async () => {
    const result = check(
      await tree({
        'src/store/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
        'src/store/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
      }),
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('import cycle: src/store/a.ts → src/store/b.ts');
  });

  it('fails when a port imports the runtime or anything imports the CLI', async () => {
    const result = check(
      await tree({
        'src/runtime/r.ts': 'export const r = 1;\n',
        'src/store/s.ts': "import { r } from '../runtime/r.js';\nexport const s = r;\n",
        'src/cli/c.ts': 'export const c = 1;\n',
        'src/runtime/uses-cli.ts': "import { c } from '../cli/c.js';\nexport const u = c;\n",
      }),
    );
    expect(result.stderr).toContain('src/store may not import from src/runtime');
    expect(result.stderr).toContain('nothing outside src/cli may import it');
  });

  it('fails when a wing of the runtime is entered past its index, or reaches up to the façade', async () => {
    const result = check(
      await tree({
        'src/runtime/runtime.ts': 'export interface Runtime { id: string }\n',
        'src/runtime/local-runtime.ts': "import { held } from './host/index.js';\nexport const local = held;\n",
        'src/runtime/host/index.ts': "export { held } from './held.js';\n",
        'src/runtime/host/held.ts':
          "import type { Runtime } from '../runtime.js';\nexport const held = (runtime: Runtime) => runtime.id;\n",
        'src/runtime/host/uses-facade.ts': "import { local } from '../local-runtime.js';\nexport const u = local;\n",
        'src/runtime/host/runtime-value.ts': "import * as api from '../runtime.js';\nexport const v = api;\n",
        'src/runtime/checkpoints/index.ts': "export { c } from './c.js';\n",
        'src/runtime/checkpoints/c.ts': "import { held } from '../host/held.js';\nexport const c = held;\n",
        'src/cli/deep.ts': "import { held } from '../runtime/host/held.js';\nexport const d = held;\n",
      }),
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'src/runtime/checkpoints/c.ts imports "../host/held.js": the host wing is entered only through src/runtime/host/index.ts',
    );
    expect(result.stderr).toContain(
      'src/cli/deep.ts imports "../runtime/host/held.js": the host wing is entered only through',
    );
    expect(result.stderr).toContain(
      'src/runtime/host/uses-facade.ts imports "../local-runtime.js": a wing may not import the façade',
    );
    expect(result.stderr).toContain(
      'src/runtime/host/runtime-value.ts imports "../runtime.js": a wing imports the Runtime interface (runtime.ts) for its types only',
    );
    // the door itself, the façade using a door and a type-only use of the interface are fine
    expect(result.stderr).not.toContain('src/runtime/local-runtime.ts imports');
    expect(result.stderr).not.toContain('src/runtime/host/held.ts imports');
  });

  it('fails when src/sandbox and src/tools import each other, even for types', async () => {
    const result = check(
      await tree({
        'src/sandbox/guard.ts': "import type { Tool } from '../tools/tool.js';\nexport type Guard = Tool;\n",
        'src/tools/tool.ts': "export type Tool = { name: string };\nexport type { Port } from '../sandbox/port.js';\n",
        'src/sandbox/port.ts': 'export type Port = { run(): void };\n',
      }),
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'src/sandbox/guard.ts imports "../tools/tool.js": src/sandbox and src/tools may not import each other, not even types',
    );
    expect(result.stderr).toContain(
      'src/tools/tool.ts imports "../sandbox/port.js": src/tools and src/sandbox may not import each other, not even types',
    );
  });
});
