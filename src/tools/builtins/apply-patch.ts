import { isUtf8 } from 'node:buffer';
import { z } from 'zod';
import { TroupeError, unsafePathProblem, type PathGuard } from '../../domain/index.js';
import { defineTool } from '../define-tool.js';
import { fsFailure } from './fs-failure.js';
import { applyFilePatch } from './patch-hunks.js';
import { displayPath } from './sandbox-path.js';
import { parseUnifiedDiff, patchError, type FilePatch } from './unified-diff.js';
import { MAX_WRITE_BYTES } from './write-file.js';

/** What `fs/apply-patch` did to one file. */
export interface PatchedFile {
  path: string;
  action: 'modified' | 'created' | 'deleted';
  hunks: number;
}

// one file's change, worked out before anything is written
interface Planned {
  file: FilePatch;
  before: string | null;
  after: string | null;
}

const ACTIONS = { modify: 'modified', create: 'created', delete: 'deleted' } as const;

/**
 * `fs/apply-patch {patch}`: a unified diff (`git diff`, `diff -u`) applied
 * to the sandbox as one step, all of it or nothing: every path is checked
 * (`SANDBOX_ESCAPE`, `SCOPE_VIOLATION`) and every hunk of every file
 * applied in memory before the first write, and a write that fails puts
 * back the files written before it. A patch that is not a unified diff, or
 * a hunk that does not apply, is `VALIDATION_ERROR` naming the file, the
 * hunk and its header. Context lines must match exactly (no fuzz); a hunk
 * may sit some lines off its header's line, as with `git apply`. `---
 * /dev/null` creates a file, `+++ /dev/null` deletes one; files keep their
 * mode. Execute only.
 *
 * @example
 * await runner.run('fs/apply-patch', { patch: '--- a/x.txt\n+++ b/x.txt\n@@ -1 +1 @@\n-old\n+new\n' }, context);
 * // { success: true, output: { files: [{ path: 'x.txt', action: 'modified', hunks: 1 }], hunks: 1 } }
 */
export const applyPatchTool = defineTool({
  name: 'fs/apply-patch',
  description: 'Apply a unified diff to the sandbox: every hunk of every file, or nothing, as one step',
  input: z.strictObject({
    patch: z.string().min(1).max(MAX_WRITE_BYTES).meta({
      description:
        'A unified diff (git diff, diff -u): "--- a/file", "+++ b/file", then @@ hunks; /dev/null creates or deletes a file',
    }),
  }),
  sideEffects: ['fs_write'],
  async handler({ patch }, { paths }) {
    const files = parseUnifiedDiff(patch);
    // every path before any file is read: a patch reaching outside changes nothing
    for (const file of files) refuseOutside(file.path, paths);
    const planned: Planned[] = [];
    for (const file of files) {
      const before = await currentText(file, paths);
      const after = applyFilePatch(before, file);
      if (after !== null && Buffer.byteLength(after, 'utf8') > MAX_WRITE_BYTES) {
        throw new TroupeError(
          'TOOL_FAILED',
          `cannot patch "${displayPath(file.path)}": the result would be more than the 10 MiB a file tool writes`,
          { details: { path: displayPath(file.path) } },
        );
      }
      planned.push({ file, before, after });
    }
    await writeAll(planned, paths);
    const changed: PatchedFile[] = planned.map(({ file }) => ({
      path: displayPath(file.path),
      action: ACTIONS[file.action],
      hunks: file.hunks.length,
    }));
    return { files: changed, hunks: changed.reduce((sum, file) => sum + file.hunks, 0) };
  },
});

/**
 * The sandbox paths a patch writes (for the static check of a plan file's
 * steps); a patch that cannot be read throws its `VALIDATION_ERROR`.
 *
 * @example
 * patchPaths('--- /dev/null\n+++ b/new.txt\n@@ -0,0 +1 @@\n+x\n'); // ['new.txt']
 */
export function patchPaths(patch: string): string[] {
  return parseUnifiedDiff(patch).map((file) => file.path);
}

function refuseOutside(path: string, paths: PathGuard): void {
  const unsafe = unsafePathProblem(path);
  if (unsafe !== null)
    throw new TroupeError('SANDBOX_ESCAPE', `cannot patch "${path}": it ${unsafe}`, {
      details: { path },
      hint: 'a patch names files relative to the sandbox root; nothing was written',
    });
  if (!paths.inScope(path)) {
    throw new TroupeError(
      'SCOPE_VIOLATION',
      `cannot patch "${displayPath(path)}": it is outside the plan's resourceScopes`,
      {
        details: { path: displayPath(path) },
        hint: 'a plan writes only inside its resourceScopes; nothing was written',
      },
    );
  }
}

// the file's text now, null when it does not exist — which a created file must not, and a changed one must
async function currentText(file: FilePatch, paths: PathGuard): Promise<string | null> {
  const shown = displayPath(file.path);
  const bytes = await paths.readFile(file.path, { maxBytes: MAX_WRITE_BYTES }).catch((error: unknown) => {
    if ((error as { code?: unknown } | null)?.code === 'ENOENT') return null;
    throw fsFailure(error, 'read', shown);
  });
  if (file.action === 'create') {
    if (bytes !== null)
      throw patchError(
        `creates ${shown} (from /dev/null), which exists already`,
        'patch the file as it is (--- a/file), or delete it first',
      );
    return null;
  }
  if (bytes === null)
    throw patchError(
      `changes ${shown}, which does not exist`,
      'a new file is patched from /dev/null: "--- /dev/null" then "+++ b/file"',
    );
  if (!isUtf8(bytes) || bytes.includes(0))
    throw new TroupeError('TOOL_FAILED', `cannot patch "${shown}": it is not UTF-8 text`, {
      hint: 'binary files are changed by commands',
      details: { path: shown },
    });
  return bytes.toString('utf8');
}

// each file written (or deleted) in turn; when one fails, those before it go back to what they were
async function writeAll(planned: readonly Planned[], paths: PathGuard): Promise<void> {
  const done: Planned[] = [];
  for (const change of planned) {
    try {
      await put(change.file.path, change.after, paths);
    } catch (error) {
      for (const written of done.reverse()) await put(written.file.path, written.before, paths).catch(() => {});
      throw fsFailure(error, 'write', displayPath(change.file.path));
    }
    done.push(change);
  }
}

function put(path: string, text: string | null, paths: PathGuard): Promise<unknown> {
  return text === null ? paths.deleteFile(path) : paths.writeFile(path, text);
}
