import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/** The file a `plugins` entry names, or why there is none (one line, for the user). */
export type PluginLocation = { file: string } | { problem: string };

// the conditions Node's import() resolves a package's "exports" with
const IMPORT_CONDITIONS = new Set(['node', 'import', 'default']);
const PACKAGE = /^((?:@[^/@]+\/)?[^/@.][^/]*)(\/.+)?$/;

/**
 * Where a `plugins` entry of `.troupe/config.json` points (SPEC §17). A
 * path (`./x.mjs`, `../x.mjs`, `/abs/x.mjs`) is a file relative to the
 * project root; anything else is a package name (`acme-troupe`,
 * `@acme/troupe/lint`), found as `import` would find it from a module at
 * the project root: in `node_modules` of the root or a folder above, through
 * the package's `exports` with the conditions `node`, `import` and
 * `default`, else its `main` or `index.js`.
 *
 * Node 20 resolves from another place only through `createRequire`, which
 * takes the `require` conditions: it refuses an ESM-only package (`exports:
 * { import }`) and picks the CommonJS build of a dual one. Hence this.
 *
 * @example
 * const found = await resolvePlugin('/work/app', 'acme-troupe');
 * if ('problem' in found) console.log(found.problem); // no package "acme-troupe" in node_modules of /work/app or a folder above …
 * else await import(pathToFileURL(found.file).href);
 */
export async function resolvePlugin(root: string, specifier: string): Promise<PluginLocation> {
  if (isPath(specifier)) {
    const file = resolve(root, specifier);
    return (await isFile(file)) ? { file } : { problem: `no such file: ${file}` };
  }
  const match = PACKAGE.exec(specifier);
  if (!match) return { problem: 'is neither a path (./plugin.mjs) nor a package name (acme-troupe)' };
  const [, name = '', rest] = match;
  const folder = await packageFolder(root, name);
  if (folder === null) {
    return {
      problem: `no package "${name}" in node_modules of ${root} or a folder above (npm install it in the project${name.includes('.') ? `, or write ./${specifier} for a file` : ''})`,
    };
  }
  let manifest: Record<string, unknown> = {};
  try {
    manifest = JSON.parse(await readFile(join(folder, 'package.json'), 'utf8')) as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      return { problem: `${join(folder, 'package.json')} does not read: ${(error as Error).message}` };
  }
  const subpath = rest === undefined ? '.' : `.${rest}`;
  const target =
    manifest['exports'] === undefined
      ? await legacyTarget(folder, manifest, subpath)
      : exportTarget(manifest['exports'], subpath);
  if (target === null)
    return {
      problem: `package "${name}" exports nothing for import at "${subpath}" (see "exports" in ${join(folder, 'package.json')})`,
    };
  const file = join(folder, target);
  return (await isFile(file)) ? { file } : { problem: `package "${name}" points at ${file}, which does not exist` };
}

function isPath(specifier: string): boolean {
  return (
    specifier.startsWith('./') ||
    specifier.startsWith('../') ||
    specifier === '.' ||
    specifier === '..' ||
    isAbsolute(specifier)
  );
}

async function packageFolder(root: string, name: string): Promise<string | null> {
  for (let dir = root; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (await isDirectory(candidate)) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

// "exports" as Node reads it: a target, conditions, or subpaths with * patterns
function exportTarget(exports: unknown, subpath: string): string | null {
  const subpaths =
    isRecord(exports) && !Array.isArray(exports) && Object.keys(exports).some((key) => key.startsWith('.'))
      ? exports
      : { '.': exports };
  if (Object.hasOwn(subpaths, subpath)) return conditionTarget(subpaths[subpath], '');
  let best: { key: string; star: string } | null = null;
  for (const key of Object.keys(subpaths)) {
    const at = key.indexOf('*');
    if (at === -1) continue;
    const [prefix, suffix] = [key.slice(0, at), key.slice(at + 1)];
    if (subpath.length < key.length - 1 || !subpath.startsWith(prefix) || !subpath.endsWith(suffix)) continue;
    // the longest prefix wins, as in Node
    if (!best || prefix.length > best.key.indexOf('*'))
      best = { key, star: subpath.slice(prefix.length, subpath.length - suffix.length) };
  }
  return best ? conditionTarget(subpaths[best.key], best.star) : null;
}

function conditionTarget(target: unknown, star: string): string | null {
  if (typeof target === 'string') return target.startsWith('./') ? target.replaceAll('*', star) : null;
  if (Array.isArray(target)) {
    for (const candidate of target) {
      const found = conditionTarget(candidate, star);
      if (found !== null) return found;
    }
    return null;
  }
  if (!isRecord(target)) return null;
  // conditions in the package's order: the first one import() meets wins
  for (const [condition, value] of Object.entries(target)) {
    if (!IMPORT_CONDITIONS.has(condition)) continue;
    const found = conditionTarget(value, star);
    if (found !== null) return found;
  }
  return null;
}

// no "exports": a subpath is a file of the package; the package itself its main, as Node's ESM legacy lookup
async function legacyTarget(
  folder: string,
  manifest: Record<string, unknown>,
  subpath: string,
): Promise<string | null> {
  if (subpath !== '.') return subpath;
  const main = typeof manifest['main'] === 'string' ? manifest['main'] : null;
  const candidates = main === null ? ['index.js'] : [main, `${main}.js`, join(main, 'index.js'), 'index.js'];
  for (const candidate of candidates) if (await isFile(join(folder, candidate))) return candidate;
  return candidates[0]!;
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (found) => found.isFile(),
    () => false,
  );
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (found) => found.isDirectory(),
    () => false,
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
