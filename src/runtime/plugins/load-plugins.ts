import { dirname, extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ValidationError, isSerializedError, missingDependency, type FieldIssue } from '../../domain/index.js';
import { definePlugin, pluginProblems, type Plugin } from './define-plugin.js';
import { resolvePlugin } from './resolve-plugin.js';

/** One entry of `plugins` that loaded: where it came from and what it registers. */
export interface LoadedPlugin {
  /** `plugins[0] "./troupe.plugins.mjs"`: how errors name it. */
  label: string;
  specifier: string;
  file: string;
  plugin: Plugin;
}

/** The plugins that loaded, and a problem for each entry that did not (path: the entry's label). */
export interface PluginLoad {
  plugins: LoadedPlugin[];
  issues: FieldIssue[];
}

/**
 * Import the modules `.troupe/config.json` lists in `plugins` (SPEC §17),
 * in order, and take each one's default export as a plugin: one made with
 * `definePlugin` or a plain object of its shape. Nothing throws: an entry
 * that is missing, cannot be resolved, throws on import or exports the
 * wrong thing is an issue naming it, and the others still load. A module is
 * imported once per process (Node caches it): an edit needs a new process.
 *
 * @example
 * const { plugins, issues } = await loadPlugins('/work/app', ['./troupe.plugins.mjs', 'acme-troupe']);
 * if (issues.length > 0) throw pluginFailure(issues);
 * for (const { label, plugin } of plugins) console.log(label, plugin.name);
 */
export async function loadPlugins(root: string, specifiers: readonly string[]): Promise<PluginLoad> {
  const load: PluginLoad = { plugins: [], issues: [] };
  for (const [index, specifier] of specifiers.entries()) {
    const label = `plugins[${index}] ${JSON.stringify(specifier)}`;
    const problem = (message: string) => load.issues.push({ path: label, message });
    const location = await resolvePlugin(root, specifier);
    if ('problem' in location) {
      problem(location.problem);
      continue;
    }
    let module: Record<string, unknown>;
    try {
      module = (await import(pathToFileURL(location.file).href)) as Record<string, unknown>;
    } catch (error) {
      problem(importProblem(location.file, error));
      continue;
    }
    if (!('default' in module)) {
      problem('has no default export (export default definePlugin({ name, tools, … }))');
      continue;
    }
    const issues = pluginProblems(module['default']);
    if (issues.length > 0) {
      for (const issue of issues)
        problem(issue.path ? `${issue.path}: ${issue.message}` : `default export: ${issue.message}`);
      continue;
    }
    load.plugins.push({ label, specifier, file: location.file, plugin: definePlugin(module['default'] as Plugin) });
  }
  return load;
}

/**
 * The `VALIDATION_ERROR` for plugins that did not load or clash: one line
 * per problem, each starting with the entry (`plugins[0] "./x.mjs": tools[1]:
 * must be made with defineTool …`).
 *
 * @example
 * const { issues } = await loadPlugins(root, config.plugins);
 * if (issues.length > 0) throw pluginFailure(issues);
 */
export function pluginFailure(issues: readonly FieldIssue[]): ValidationError {
  return new ValidationError(issues, {
    ...(issues.length > 1 ? { subject: 'plugins' } : {}),
    hint: 'fix the plugin or remove it from "plugins" in .troupe/config.json; troupe doctor loads them (docs/reference/plugins.md)',
  });
}

// what went wrong importing a module, on one line: no stack reaches the user
function importProblem(file: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  // the plugin's own imports resolve from its folder, not from wherever troupe is installed
  const found =
    code === 'ERR_MODULE_NOT_FOUND' && error instanceof Error
      ? missingDependency({ stdoutTail: '', stderrTail: error.message })
      : null;
  const missing = found?.ecosystem === 'node' ? found.name : undefined;
  if (missing !== undefined) {
    const packages = missing === 'troupe' || missing === 'zod' ? 'troupe zod' : missing;
    return `cannot import package "${missing}": a plugin imports its packages from its own folder's node_modules, not from troupe's (npm install --save-dev ${packages} in ${dirname(file)})`;
  }
  if (code === 'ERR_UNKNOWN_FILE_EXTENSION' && /^\.[cm]?tsx?$/.test(extname(file))) {
    return `cannot be imported: Node runs no TypeScript by itself; compile it to .mjs or load a TypeScript loader (NODE_OPTIONS="--import tsx")`;
  }
  // a troupe error (definePlugin's, defineTool's…) says enough; a SyntaxError is worth its name
  const plain = isSerializedError(error) || !(error instanceof Error) || error.name === 'Error';
  const named = error instanceof Error ? `${plain ? '' : `${error.name}: `}${error.message}` : String(error);
  return `threw on import: ${named
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join('; ')}${whereIn(file, error)}`;
}

// where in the plugin it threw, from the stack: ` (at /app/x.mjs:3:7)`, or how to find out
function whereIn(file: string, error: unknown): string {
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  // node names the module by URL; loaders (vitest, tsx) may by path
  for (const name of [pathToFileURL(file).href, file]) {
    const at = stack.indexOf(`${name}:`);
    const position = at === -1 ? null : /^:\d+(:\d+)?/.exec(stack.slice(at + name.length));
    if (position) return ` (at ${file}${position[0]})`;
  }
  // node keeps a syntax error's line out of the error: say how to see it
  return error instanceof SyntaxError ? ` (node --check ${file} shows where)` : '';
}
