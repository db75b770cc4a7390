// The files of a sandbox as a tool sees them (SPEC §7): the port src/sandbox
// implements (createPathGuard) and tools use through ToolContext.paths. It
// lives in the domain so that neither of the two imports the other.

/**
 * Checks sandbox-relative paths and does file I/O on them safely.
 * Implemented by the sandbox (src/sandbox/path-guard.ts); tools only see
 * this interface. Every method refuses absolute paths, `..`, NUL, `.git/`
 * and symlinks that leave the sandbox (`SANDBOX_ESCAPE`); a write or delete
 * also refuses paths outside the plan's resourceScopes (`SCOPE_VIOLATION`).
 * `readFile`, `writeFile`, `deleteFile` and `openDirectory` check and act
 * as one step; other failures are node:fs errors (`code` `ENOENT`,
 * `EISDIR`…) naming the sandbox path, or `TOOL_FAILED`.
 *
 * @example
 * handler: async ({ path }, context) => {
 *   const text = (await context.paths.readFile(path)).toString('utf8'); // SANDBOX_ESCAPE for ../ or .git/
 *   return { text, inScope: context.paths.inScope(path) };
 * },
 */
export interface PathGuard {
  /** The sandbox root, absolute and real (symlinks resolved). */
  readonly root: string;
  /**
   * The absolute path for `relative`, after the checks above. Acting on it
   * afterwards is a second step: a directory on the way swapped for a
   * symlink in between leads the I/O out of the sandbox. Prefer
   * `readFile`, `writeFile`, `deleteFile` and `openDirectory`, which cannot
   * be raced; `resolve` stays for tools that need a path (to hand to a
   * command, say).
   *
   * @example
   * const absolute = await context.paths.resolve('src/a.ts', 'read'); // `${root}/src/a.ts`
   */
  resolve(relative: string, access: 'read' | 'write'): Promise<string>;
  /**
   * Whether a sandbox-relative path is inside the plan's resourceScopes (true when it has none).
   *
   * @example
   * const outside = changedPaths.filter((path) => !context.paths.inScope(path));
   */
  inScope(relative: string): boolean;
  /**
   * The bytes of a regular file of the sandbox, through its symlinks if they
   * stay inside. The file is opened without following a symlink the check
   * did not see and inspected through that descriptor: a FIFO, a device or
   * a file larger than `maxBytes` is `TOOL_FAILED`, a directory `EISDIR`.
   *
   * @example
   * const text = (await context.paths.readFile('src/a.ts', { maxBytes: 1024 * 1024 })).toString('utf8');
   */
  readFile(relative: string, options?: { maxBytes?: number }): Promise<Buffer>;
  /**
   * Writes a file of the sandbox (text as UTF-8), creating it and its
   * directories as needed; `created` says whether it is new. Through a
   * symlink inside the sandbox it writes the target (both must be in
   * scope). An existing file keeps its mode; one hard-linked elsewhere is
   * replaced rather than changed in place, so the other name keeps its
   * content. A directory is `EISDIR`, a FIFO or a device `TOOL_FAILED`.
   *
   * @example
   * const { created } = await context.paths.writeFile('src/hello.ts', 'export {};\n');
   */
  writeFile(relative: string, content: string | Uint8Array): Promise<{ created: boolean }>;
  /**
   * Deletes a file of the sandbox; a symlink itself, never its target.
   * A directory is `EISDIR`, a missing file `ENOENT`.
   *
   * @example
   * await context.paths.deleteFile('src/old.ts');
   */
  deleteFile(relative: string): Promise<void>;
  /**
   * Opens a directory of the sandbox (`.` for the root) to list it; its
   * subdirectories open through it, so none can be swapped for a symlink
   * that leads out. Close it when done. A file is `ENOTDIR`.
   *
   * @example
   * const dir = await context.paths.openDirectory('src');
   * try {
   *   const names = (await dir.entries()).filter((entry) => entry.kind === 'file').map((entry) => entry.name);
   * } finally {
   *   await dir.close();
   * }
   */
  openDirectory(relative: string): Promise<SandboxDirectory>;
  /**
   * The files git would track in the sandbox, sorted, as root-relative
   * paths: tracked ones and untracked ones that no ignore rule covers; with
   * `ignored: true`, ignored ones too. Never anything under `.git`. What
   * `fs/search` looks through. Absent on a guard that is not over a git
   * worktree.
   *
   * @example
   * await context.paths.gitFiles?.(); // ['README.md', 'src/a.ts'] — not node_modules/…
   */
  gitFiles?(options?: { ignored?: boolean }): Promise<string[]>;
}

/**
 * A directory of the sandbox held open by {@link PathGuard.openDirectory}.
 * Its entries and subdirectories are read through it, never through a
 * symlink: a subdirectory swapped for one meanwhile is `SANDBOX_ESCAPE`.
 *
 * @example
 * const src = await context.paths.openDirectory('src');
 * const lib = await src.openDirectory('lib'); // src/lib
 * console.log(await lib.entries()); // [{ name: 'a.ts', kind: 'file' }, …]
 * await Promise.all([lib.close(), src.close()]);
 */
export interface SandboxDirectory {
  /** Its entries in no particular order, `.` and `..` left out; a symlink is an entry of kind `symlink`. */
  entries(): Promise<SandboxEntry[]>;
  /** The subdirectory `name` (one entry name, not `.git`), opened without following a symlink. */
  openDirectory(name: string): Promise<SandboxDirectory>;
  /** Releases the directory; closing it again does nothing. */
  close(): Promise<void>;
}

/**
 * One entry of a {@link SandboxDirectory}: its name and what it is itself (a symlink is not followed).
 *
 * @example
 * const files = (await dir.entries()).filter((entry: SandboxEntry) => entry.kind !== 'directory');
 */
export interface SandboxEntry {
  readonly name: string;
  readonly kind: 'file' | 'directory' | 'symlink' | 'other';
}
