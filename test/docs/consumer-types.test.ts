import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.js';

// docs/reference/embedding.md tells TypeScript users to add @types/node: troupe's
// declarations (and level's) name Buffer and NodeJS.ProcessEnv. A program
// importing troupe the way a user's does — the package's own exports, from
// dist/ as `npm run build` writes it — must typecheck with it, strict; and
// without it the failure is the one the page explains.

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const tsc = join(root, 'node_modules/.bin/tsc');

const PROGRAM = `import { createRuntime, type PlanRecord } from 'troupe';
const runtime = await createRuntime({ dir: process.argv[2] ?? '.' });
const plan: PlanRecord = await runtime.createPlan({ name: 'demo/x', goal: 'g', strategy: { steps: [] } });
console.log(plan.phase);
await runtime.close();
`;

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules/troupe'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
  writeFileSync(join(dir, 'index.ts'), PROGRAM);
});
afterAll(() => cleanup());

async function typecheck(types: string[]): Promise<{ code: number; output: string }> {
  const compilerOptions = {
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'es2022',
    strict: true,
    noEmit: true,
    types,
    typeRoots: [join(root, 'node_modules/@types')],
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['index.ts'] }));
  try {
    const { stdout } = await run(tsc, ['-p', dir]);
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, output: failed.stdout };
  }
}

describe('troupe in a TypeScript program', () => {
  it('typechecks strict against the built declarations with @types/node, as docs/reference/embedding.md says', async () => {
    expect(existsSync(join(root, 'dist/src/index.d.ts')), 'npm run build writes dist/ first').toBe(true);
    expect(await typecheck(['node'])).toEqual({ code: 0, output: '' });
  }, 60_000);

  it('without @types/node fails on Node’s types, which is why the page names it', async () => {
    const result = await typecheck([]);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/Cannot find name 'Buffer'|Cannot find namespace 'NodeJS'/);
    expect(readFileSync(join(root, 'docs/reference/embedding.md'), 'utf8')).toMatch(
      /npm install --save-dev @types\/node/,
    );
  }, 60_000);
});
