import { realpath, symlink } from 'node:fs/promises';
import { join, sep } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TroupeError } from '../../src/domain/index.js';
import { createPathGuard } from '../../src/sandbox/index.js';
import type { PathGuard } from '../../src/domain/index.js';
import { tempDir, writeFiles } from '../helpers/temp.js';

let root: string;
let guards: PathGuard[];
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const temp = await tempDir('troupe-guard-prop-');
  cleanup = temp.cleanup;
  const base = await realpath(temp.dir);
  root = join(base, 'sandbox');
  await writeFiles(root, { 'src/a.ts': 'a\n', '.git': 'gitdir: elsewhere\n', 'ü/ñ.txt': 'x\n' });
  await writeFiles(base, { 'outside/secret.txt': 'secret\n' });
  await symlink(join(base, 'outside'), join(root, 'out-dir'));
  await symlink('../outside/secret.txt', join(root, 'out-file'));
  await symlink(join(base, 'outside', 'missing.txt'), join(root, 'out-dangling'));
  await symlink('src', join(root, 'in-dir'));
  await symlink('.git', join(root, 'to-git'));
  await symlink('loop', join(root, 'loop'));
  guards = await Promise.all([
    createPathGuard({ root }),
    createPathGuard({ root, scopes: ['src/**'] }),
    createPathGuard({ root, scopes: [] }),
  ]);
});
afterAll(async () => {
  await cleanup();
});

// mostly names that mean something in the fixture, so symlinks get walked through
const segment = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      '..',
      '.',
      '',
      '.git',
      '.GIT',
      'src',
      'a.ts',
      'out-dir',
      'out-file',
      'out-dangling',
      'in-dir',
      'to-git',
      'loop',
      'ü',
      'ñ.txt',
      '\u0000',
      'C:',
      '~',
      ' ',
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
);
const path = fc.oneof(
  fc
    .tuple(fc.array(segment, { maxLength: 6 }), fc.constantFrom('/', '\\', '//'))
    .map(([parts, separator]) => parts.join(separator)),
  fc
    .tuple(fc.constantFrom('/', '\\', './', '../', ''), fc.array(segment, { maxLength: 4 }))
    .map(([prefix, parts]) => prefix + parts.join('/')),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

it('either returns a path inside the sandbox or refuses with SANDBOX_ESCAPE or SCOPE_VIOLATION', async () => {
  await fc.assert(
    fc.asyncProperty(
      path,
      fc.constantFrom('read' as const, 'write' as const),
      fc.nat({ max: 2 }),
      async (relative, access, which) => {
        const guard = guards[which] as PathGuard;
        let resolved: string;
        try {
          resolved = await guard.resolve(relative, access);
        } catch (error) {
          expect(error).toBeInstanceOf(TroupeError);
          expect(['SANDBOX_ESCAPE', 'SCOPE_VIOLATION']).toContain((error as TroupeError).code);
          return;
        }
        expect(resolved === root || resolved.startsWith(root + sep)).toBe(true);
        // and where it really leads, when it exists, is inside too and not in .git
        const real = await realpath(resolved).catch(() => null);
        if (real !== null) {
          expect(real === root || real.startsWith(root + sep)).toBe(true);
          expect(real.slice(root.length).split(sep)).not.toContain('.git');
        }
      },
    ),
    { numRuns: 2000 },
  );
});
