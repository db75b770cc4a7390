import { lstat, readFile, realpath } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import { TroupeError, normalizeRelativePath, unsafePathProblem, type Phase } from '../../src/domain/index.js';
import type { PathGuard, ToolContext } from '../../src/tools/index.js';
import { BubblewrapSandbox, commandEnv, type CommandSandbox } from '../../src/sandbox/index.js';
import { createPathGuard } from '../../src/sandbox/index.js';
import { tempDir, writeFiles } from '../helpers/temp.js';

/**
 * A real PathGuard over `root` with the sandbox's contract (SPEC §7), for
 * tool tests. Its file I/O is the sandbox's own (createPathGuard): that it
 * cannot be raced is what the built-ins rely on.
 */
export function createTestPathGuard(root: string, scopes: readonly string[] = []): PathGuard {
  const matches = scopes.length === 0 ? () => true : picomatch([...scopes], { dot: true });
  const inScope = (path: string): boolean => matches(normalizeRelativePath(path));
  const escape = (path: string, why: string): TroupeError =>
    new TroupeError('SANDBOX_ESCAPE', `path "${path}" ${why}`, { details: { path } });
  let sandboxGuard: Promise<PathGuard> | undefined;
  const sandbox = () => (sandboxGuard ??= createPathGuard({ root, ...(scopes.length === 0 ? {} : { scopes }) }));

  return {
    root,
    inScope,
    readFile: async (path, options) => (await sandbox()).readFile(path, options),
    writeFile: async (path, content) => (await sandbox()).writeFile(path, content),
    deleteFile: async (path) => (await sandbox()).deleteFile(path),
    openDirectory: async (path) => (await sandbox()).openDirectory(path),
    gitFiles: async (options) => (await sandbox()).gitFiles!(options),
    async resolve(path, access) {
      const problem = typeof path === 'string' ? unsafePathProblem(path) : 'must be a string';
      if (problem !== null) throw escape(String(path), problem);
      const absolute = resolve(root, normalizeRelativePath(path));
      let probe = absolute;
      for (;;) {
        const exists = await lstat(probe).then(
          () => true,
          () => false,
        );
        if (exists) break;
        probe = dirname(probe);
      }
      // a dangling symlink has no realpath: it could point anywhere
      const real = await realpath(probe).catch(() => null);
      if (real === null) throw escape(path, 'is a symlink to nowhere');
      if (real !== root && !real.startsWith(root + sep)) throw escape(path, 'leaves the sandbox through a symlink');
      const realProblem = unsafePathProblem(relative(root, real) || '.');
      if (realProblem !== null) throw escape(path, 'points into .git through a symlink');
      if (access === 'write' && !inScope(path)) {
        throw new TroupeError(
          'SCOPE_VIOLATION',
          `path "${path}" is outside the plan's resourceScopes (${scopes.join(', ')})`,
        );
      }
      return absolute;
    },
  };
}

/** A temp sandbox (real path, symlinks resolved) holding `files`. */
export async function tempSandbox(
  files: Record<string, string | Buffer> = {},
): Promise<{ root: string; cleanup: () => Promise<void> }> {
  const temp = await tempDir('troupe-tools-');
  const root = await realpath(temp.dir);
  await writeFiles(root, files);
  return { root, cleanup: temp.cleanup };
}

/** A ToolContext over a sandbox root; its commands run contained (bubblewrap) with `root` as the worktree. */
export function toolContext(
  root: string,
  options: {
    phase?: Phase;
    scopes?: string[];
    env?: Record<string, string>;
    signal?: AbortSignal;
    sandbox?: CommandSandbox;
    network?: boolean;
  } = {},
): ToolContext {
  const env = commandEnv(options.env);
  const signal = options.signal ?? new AbortController().signal;
  const sandbox = options.sandbox ?? new BubblewrapSandbox({ projectRoot: root });
  return {
    planId: '01JTESTPLAN0000000000000000',
    phase: options.phase ?? 'execute',
    cwd: root,
    paths: createTestPathGuard(root, options.scopes),
    env,
    signal,
    runCommand: (command, commandOptions = {}) =>
      sandbox.run({ command, worktree: root, env, network: options.network ?? false, signal, ...commandOptions }),
  };
}

/** The text of a sandbox file, or null when it does not exist. */
export async function fileText(root: string, path: string): Promise<string | null> {
  return readFile(join(root, path), 'utf8').catch(() => null);
}

export { isAlive } from '../helpers/processes.js';

/** Poll `condition` until it holds or `timeoutMs` passes; returns whether it held. */
export async function eventually(condition: () => Promise<boolean> | boolean, timeoutMs = 3000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((done) => setTimeout(done, 25));
  }
  return condition();
}
