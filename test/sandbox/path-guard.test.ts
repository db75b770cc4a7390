import { existsSync } from 'node:fs';
import { mkdir, readFile, realpath, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPathGuard } from '../../src/sandbox/index.js';
import { tempDir, writeFiles } from '../helpers/temp.js';

let base: string;
let root: string;
let outside: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  const temp = await tempDir('troupe-guard-');
  cleanup = temp.cleanup;
  base = await realpath(temp.dir);
  root = join(base, 'sandbox');
  outside = join(base, 'outside');
  await writeFiles(root, { 'src/a.ts': 'a\n', 'docs/readme.md': 'r\n', '.git': 'gitdir: /somewhere\n' });
  await writeFiles(outside, { 'secret.txt': 'secret\n' });
});
afterEach(async () => {
  await cleanup();
});

async function refusal(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected a refusal');
}

describe('resolve', () => {
  it('resolves a relative path inside the sandbox, normalising separators', async () => {
    const paths = await createPathGuard({ root });
    expect(await paths.resolve('src/a.ts', 'read')).toBe(join(root, 'src/a.ts'));
    expect(await paths.resolve('./src//a.ts', 'read')).toBe(join(root, 'src/a.ts'));
    expect(await paths.resolve('src\\new\\b.ts', 'write')).toBe(join(root, 'src/new/b.ts'));
    expect(await paths.resolve('not/yet/there.txt', 'write')).toBe(join(root, 'not/yet/there.txt'));
  });

  it('uses the real path of the root', async () => {
    await symlink(root, join(base, 'link-to-sandbox'));
    const paths = await createPathGuard({ root: join(base, 'link-to-sandbox') });
    expect(paths.root).toBe(root);
    expect(await paths.resolve('src/a.ts', 'read')).toBe(join(root, 'src/a.ts'));
  });

  it.each([
    ['/etc/passwd', /absolute/],
    ['../outside/secret.txt', /\.\./],
    ['src/../../outside', /\.\./],
    ['src\\..\\..\\x', /\.\./],
    ['a\u0000b', /NUL/],
    ['.git/config', /\.git/],
    ['sub/.GIT/HEAD', /\.git/],
    ['', /empty/],
    ['C:\\Windows', /absolute/],
  ])('refuses %j without touching the disk', async (path, reason) => {
    const paths = await createPathGuard({ root });
    const error = await refusal(paths.resolve(path, 'read'));
    expect(error.code).toBe('SANDBOX_ESCAPE');
    expect(error.message).toContain(JSON.stringify(path));
    expect(error.message).toMatch(reason);
  });

  it('refuses a symlinked directory that leads outside', async () => {
    await symlink(outside, join(root, 'src', 'out'));
    const paths = await createPathGuard({ root });
    for (const access of ['read', 'write'] as const) {
      const error = await refusal(paths.resolve('src/out/secret.txt', access));
      expect(error.code).toBe('SANDBOX_ESCAPE');
      expect(error.message).toMatch(/outside the sandbox/);
    }
    expect((await refusal(paths.resolve('src/out/new/file.txt', 'write'))).code).toBe('SANDBOX_ESCAPE');
  });

  it('refuses a symlinked file that leads outside, and a dangling one that would create a file outside', async () => {
    await symlink(join(outside, 'secret.txt'), join(root, 'secret-link'));
    await symlink(join(outside, 'not-yet.txt'), join(root, 'dangling'));
    await symlink('../outside/relative.txt', join(root, 'relative-dangling'));
    const paths = await createPathGuard({ root });
    expect((await refusal(paths.resolve('secret-link', 'read'))).code).toBe('SANDBOX_ESCAPE');
    expect((await refusal(paths.resolve('dangling', 'write'))).code).toBe('SANDBOX_ESCAPE');
    expect((await refusal(paths.resolve('relative-dangling', 'write'))).code).toBe('SANDBOX_ESCAPE');
  });

  it('allows a symlink that stays inside the sandbox and returns the link, not its target', async () => {
    await symlink('src', join(root, 'source'));
    await symlink('a.ts', join(root, 'src', 'alias.ts'));
    const paths = await createPathGuard({ root });
    expect(await paths.resolve('source/a.ts', 'write')).toBe(join(root, 'source/a.ts'));
    expect(await paths.resolve('src/alias.ts', 'write')).toBe(join(root, 'src/alias.ts'));
  });

  it('refuses a symlink that leads into .git', async () => {
    await symlink('.git', join(root, 'innocent'));
    const paths = await createPathGuard({ root });
    const error = await refusal(paths.resolve('innocent', 'read'));
    expect(error.code).toBe('SANDBOX_ESCAPE');
    expect(error.message).toMatch(/\.git/);
  });

  it('refuses a symlink loop, saying the path cannot be resolved', async () => {
    await symlink('loop-b', join(root, 'loop-a'));
    await symlink('loop-a', join(root, 'loop-b'));
    const paths = await createPathGuard({ root });
    const error = await refusal(paths.resolve('loop-a', 'write'));
    expect(error.code).toBe('SANDBOX_ESCAPE');
    expect(error.message).toMatch(/it cannot be resolved safely \(ELOOP\)/);
  });

  it('refuses a symlink to the directory that holds the sandbox', async () => {
    await symlink(base, join(root, 'up'));
    const paths = await createPathGuard({ root });
    const error = await refusal(paths.resolve('up', 'read'));
    expect(error.code).toBe('SANDBOX_ESCAPE');
    expect(error.message).toMatch(/outside the sandbox/);
    expect(await paths.resolve('.', 'read')).toBe(root);
  });

  it('refuses a symlink into a nested .git directory', async () => {
    await writeFiles(root, { 'vendor/lib/.git/config': '[core]\n' });
    await symlink('vendor/lib/.git/config', join(root, 'settings'));
    const paths = await createPathGuard({ root });
    const error = await refusal(paths.resolve('settings', 'read'));
    expect(error.code).toBe('SANDBOX_ESCAPE');
    expect(error.message).toMatch(/\.git/);
  });

  it('follows a dangling symlink that stays inside to the file a write would create', async () => {
    await symlink('src/new.ts', join(root, 'pending'));
    const paths = await createPathGuard({ root, scopes: ['src/**', 'pending'] });
    expect(await paths.resolve('pending', 'write')).toBe(join(root, 'pending'));
    // the file it would create must be in scope too
    const linkOnly = await createPathGuard({ root, scopes: ['pending'] });
    expect((await refusal(linkOnly.resolve('pending', 'write'))).code).toBe('SCOPE_VIOLATION');
  });

  it('leaves a path under a file to the operation, which answers ENOTDIR', async () => {
    const paths = await createPathGuard({ root });
    expect(await paths.resolve('src/a.ts/x', 'write')).toBe(join(root, 'src/a.ts/x'));
    expect((await refusal(paths.writeFile('src/a.ts/x', 'x'))).code).toBe('ENOTDIR');
  });

  it('names the sandbox root "." when an operation on it fails', async () => {
    const paths = await createPathGuard({ root });
    const error = await refusal(paths.writeFile('.', 'x'));
    expect(error.code).toBe('EISDIR');
    expect(error.message).toContain("'.'");
    expect((await refusal(paths.readFile('.'))).message).toContain("'.'");
    expect((await refusal(paths.writeFile('src', 'x'))).message).toContain("'src'");
  });

  it('deletes a file at the top of the sandbox, and only inside the scopes', async () => {
    await writeFiles(root, { 'top.txt': 't\n' });
    const scoped = await createPathGuard({ root, scopes: ['top.txt'] });
    expect((await refusal(scoped.deleteFile('docs/readme.md'))).code).toBe('SCOPE_VIOLATION');
    expect(await readFile(join(root, 'docs/readme.md'), 'utf8')).toBe('r\n');
    await scoped.deleteFile('top.txt');
    expect(existsSync(join(root, 'top.txt'))).toBe(false);
  });
});

describe('scopes', () => {
  it('refuses a write outside the resourceScopes, naming the path and the scopes', async () => {
    const paths = await createPathGuard({ root, scopes: ['src/**', 'test/**'] });
    const error = (await refusal(paths.resolve('docs/readme.md', 'write'))) as {
      code?: string;
      message: string;
      hint?: string;
      details?: unknown;
    };
    expect(error.code).toBe('SCOPE_VIOLATION');
    expect(error.message).toBe(
      'cannot write "docs/readme.md": it is outside the plan\'s resourceScopes (src/**, test/**)',
    );
    expect(error.hint).toMatch(/write only paths the plan's resourceScopes match/);
    expect(error.details).toEqual({ path: 'docs/readme.md', scopes: ['src/**', 'test/**'] });
  });

  it('names at most five scopes in a refusal', async () => {
    const five = ['a/**', 'b/**', 'c/**', 'd/**', 'e/**'];
    const shown = async (scopes: string[]) =>
      (await refusal((await createPathGuard({ root, scopes })).resolve('docs/readme.md', 'write'))).message;
    expect(await shown(five)).toMatch(/\(a\/\*\*, b\/\*\*, c\/\*\*, d\/\*\*, e\/\*\*\)$/);
    expect(await shown([...five, 'f/**'])).toMatch(/\(a\/\*\*, b\/\*\*, c\/\*\*, d\/\*\*, e\/\*\*, …\)$/);
  });

  it('lets reads go anywhere in the sandbox and writes anywhere in scope, dot files included', async () => {
    const paths = await createPathGuard({ root, scopes: ['./src/**'] });
    expect(await paths.resolve('docs/readme.md', 'read')).toBe(join(root, 'docs/readme.md'));
    expect(await paths.resolve('src/deep/.env', 'write')).toBe(join(root, 'src/deep/.env'));
  });

  it('lets a plan without scopes write anywhere, and one with empty scopes nowhere', async () => {
    const anywhere = await createPathGuard({ root });
    const nowhere = await createPathGuard({ root, scopes: [] });
    expect(await anywhere.resolve('any/where.txt', 'write')).toBe(join(root, 'any/where.txt'));
    expect(anywhere.inScope('any/where.txt')).toBe(true);
    const error = (await refusal(nowhere.resolve('src/a.ts', 'write'))) as {
      code?: string;
      message: string;
      details?: unknown;
    };
    expect(error.code).toBe('SCOPE_VIOLATION');
    expect(error.message).toMatch(/none: this plan may not write files/);
    expect(error.details).toEqual({ path: 'src/a.ts', scopes: [] });
    expect(nowhere.inScope('src/a.ts')).toBe(false);
  });

  it('refuses a write through an in-scope symlink to a file out of scope', async () => {
    await mkdir(join(root, 'src', 'links'), { recursive: true });
    await symlink('../../docs/readme.md', join(root, 'src', 'links', 'readme.md'));
    const paths = await createPathGuard({ root, scopes: ['src/**'] });
    expect((await refusal(paths.resolve('src/links/readme.md', 'write'))).code).toBe('SCOPE_VIOLATION');
    expect(await paths.resolve('src/links/readme.md', 'read')).toBe(join(root, 'src/links/readme.md'));
  });

  it('tests paths a command changed against the scopes with inScope', async () => {
    const paths = await createPathGuard({ root, scopes: ['src/**/*.ts', 'package.json'] });
    expect(paths.inScope('src/a.ts')).toBe(true);
    expect(paths.inScope('./src/x/y.ts')).toBe(true);
    expect(paths.inScope('package.json')).toBe(true);
    expect(paths.inScope('src/a.js')).toBe(false);
    expect(paths.inScope('lib/package.json')).toBe(false);
  });
});
