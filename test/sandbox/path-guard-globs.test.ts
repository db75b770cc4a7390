import { realpath } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPathGuard } from '../../src/sandbox/index.js';
import { tempDir, writeFiles } from '../helpers/temp.js';

// scopes reach the path guard from stored plans, which may predate the glob
// refusals: a refused scope must fail closed, quickly, and never throw anything
// but SCOPE_VIOLATION.

let root: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  const temp = await tempDir('troupe-guard-globs-');
  cleanup = temp.cleanup;
  root = await realpath(temp.dir);
  await writeFiles(root, { 'src/a.ts': '' });
});
afterEach(() => cleanup());

describe('path guard scopes', () => {
  it('grants nothing for a refused scope from a stored plan, and answers at once', async () => {
    const guard = await createPathGuard({ root, scopes: ['(a+)+b'] });
    const hostile = 'a'.repeat(28);
    const started = performance.now();
    expect(guard.inScope(hostile)).toBe(false);
    await expect(guard.resolve(hostile, 'write')).rejects.toMatchObject({ code: 'SCOPE_VIOLATION' });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('still honours the other scopes of that plan', async () => {
    const guard = await createPathGuard({ root, scopes: ['+(a|b)', './src/**'] });
    expect(await guard.resolve('src/b.ts', 'write')).toContain('src');
    expect(guard.inScope('src/deep/.env')).toBe(true);
    await expect(guard.resolve('README.md', 'write')).rejects.toMatchObject({ code: 'SCOPE_VIOLATION' });
  });
});
