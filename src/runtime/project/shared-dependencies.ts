import { randomUUID } from 'node:crypto';
import { lstat, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { findDependencyFolders, findGeneratedFiles } from '../../sandbox/index.js';
import { cameWithRepository, projectConfigPath } from './project-config.js';

/**
 * What sharing the project's dependency folders did: `shared` is
 * `sandbox.share` as `.troupe/config.json` lists it now, `added` the
 * paths this call put there — of them, `generated` the files git ignores
 * that the project's installed environment needs (`src/pkg/_version.py`)
 * — `kept` why it left the file alone when it found paths to add but
 * could not (a config git tracks, or one that does not read as JSON).
 *
 * @example
 * const sharing: DependencySharing = { shared: ['node_modules', '.venv'], added: ['.venv'], generated: [] };
 */
export interface DependencySharing {
  shared: string[];
  added: string[];
  generated: string[];
  kept?: string;
}

/**
 * Add the dependency folders installed at the project's root
 * (`findDependencyFolders`: `node_modules`, `.venv`, …, untracked real
 * directories) and the generated files its source folders need
 * (`findGeneratedFiles`: a `_version.py` written at install) to
 * `sandbox.share` in its `.troupe/config.json`, so plans' commands find
 * them read-only. What the list holds already stays, in its
 * order; a folder it covers (`vendor` covers `vendor/bundle`) is not added
 * again; the rest of the file is kept. Idempotent. A config git tracks is
 * left alone: sharing may be set only in the user's own
 * (docs/explanation/sandbox.md#a-config-that-came-with-the-repository).
 *
 * @example
 * const { added } = await shareDependencies('/path/to/repo');
 * if (added.length > 0) console.log(`sharing ${added.join(', ')} read-only with plans`);
 */
export async function shareDependencies(root: string): Promise<DependencySharing> {
  const path = projectConfigPath(root);
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) =>
    error.code === 'ENOENT' ? '{}' : null,
  );
  const config = text === null ? null : parseObject(text);
  const sandbox = config === null ? null : (config.sandbox ?? {});
  const listed = isObject(sandbox) ? (sandbox.share ?? []) : null;
  const [folders, files] = await Promise.all([findDependencyFolders(root), findGeneratedFiles(root)]);
  const found = [...folders, ...files];
  if (
    config === null ||
    !isObject(sandbox) ||
    !Array.isArray(listed) ||
    !listed.every((entry) => typeof entry === 'string')
  ) {
    // a config troupe cannot read is the user's to fix: loading it says how
    return {
      shared: [],
      added: [],
      generated: [],
      ...(found.length > 0
        ? {
            kept: `${found.join(', ')} not added: .troupe/config.json does not read as a config with a sandbox.share list`,
          }
        : {}),
    };
  }
  const added = found.filter((folder) => !listed.some((entry) => covers(entry, folder)));
  const generated = added.filter((path) => files.includes(path));
  if (added.length === 0) return { shared: listed, added, generated };
  // renaming over a link would turn it into a file of its own
  if ((await lstat(path).catch(() => null))?.isSymbolicLink())
    return {
      shared: listed,
      added: [],
      generated: [],
      kept: `${added.join(', ')} not added: .troupe/config.json is a link — add them to sandbox.share where it leads`,
    };
  if (await cameWithRepository(root))
    return {
      shared: listed,
      added: [],
      generated: [],
      kept: `${added.join(', ')} not added: git tracks .troupe/config.json, and sandbox.share may be set only in your own config`,
    };
  const shared = [...listed, ...added];
  await writeWhole(path, `${JSON.stringify({ ...config, sandbox: { ...sandbox, share: shared } }, null, 2)}\n`);
  return { shared, added, generated };
}

// whether sharing `entry` shares `folder` too (vendor covers vendor/bundle)
function covers(entry: string, folder: string): boolean {
  const normal = entry
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.')
    .join('/');
  return normal === folder || folder.startsWith(`${normal}/`);
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : null;
  } catch {
    return null;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// a reader never sees half a config: the new text goes in under its name in one rename
async function writeWhole(path: string, content: string): Promise<void> {
  const draft = `${path}.${randomUUID()}.tmp`;
  // a project troupe never ran in has no .troupe yet
  await mkdir(dirname(path), { recursive: true });
  try {
    await writeFile(draft, content);
    await rename(draft, path);
  } finally {
    await rm(draft, { force: true });
  }
}
