import { ValidationError, type FieldIssue } from '../../domain/index.js';
import { ToolRegistry, type AnyToolSpec } from '../../tools/index.js';
import {
  defineCheck,
  type AnyCheckSpec,
  type CheckDefinition,
  type Executor,
  type Reconciler,
  type Strategist,
} from '../../../actors/index.js';

/**
 * What {@link definePlugin} takes: a name and the things to register, each
 * list optional.
 *
 * @example
 * const definition: PluginDefinition = { name: 'acme-tools', tools: [stamp], checks: [noTodo], strategists: [planner] };
 * export default definePlugin(definition);
 */
export interface PluginDefinition {
  /** Lower-case letters, digits and `- . _ / @`, like a package name: it names the plugin in errors and in `troupe doctor`. */
  name: string;
  /** Tools made with `defineTool`. */
  tools?: readonly AnyToolSpec[];
  /** Invariant checks made with `defineCheck`. */
  checks?: readonly AnyCheckSpec[];
  /** Strategists, chosen by name with `actors.strategist` in `.troupe/config.json`. */
  strategists?: readonly Strategist[];
  /** Executors, chosen by name with `actors.executor`. */
  executors?: readonly Executor[];
  /** Reconcilers, chosen by name with `actors.reconciler`. */
  reconcilers?: readonly Reconciler[];
}

/**
 * A plugin (SPEC §17): what one module listed in `.troupe/config.json`
 * `plugins` registers, checked and frozen, every list present.
 *
 * @example
 * const plugin: Plugin = definePlugin({ name: 'acme-tools', tools: [stamp] });
 * console.log(plugin.tools.map((tool) => tool.name), plugin.strategists.length); // ['acme/stamp'] 0
 */
export interface Plugin {
  readonly name: string;
  readonly tools: readonly AnyToolSpec[];
  readonly checks: readonly AnyCheckSpec[];
  readonly strategists: readonly Strategist[];
  readonly executors: readonly Executor[];
  readonly reconcilers: readonly Reconciler[];
}

const PLUGIN_NAME = /^[a-z0-9@][a-z0-9._@/-]*$/;

// each list: what it holds, said in errors, and how one item is checked
const LISTS = {
  tools: { noun: 'tool', problems: toolProblems },
  checks: { noun: 'check', problems: checkProblems },
  strategists: { noun: 'strategist', problems: actorProblems('a strategist', 'strategize') },
  executors: { noun: 'executor', problems: actorProblems('an executor', 'executeStep') },
  reconcilers: { noun: 'reconciler', problems: actorProblems('a reconciler', 'reconcile') },
} as const;
type ListField = keyof typeof LISTS;
const LIST_FIELDS = Object.keys(LISTS) as ListField[];

/**
 * A plugin, checked and frozen: the default export of a module that
 * `.troupe/config.json` lists in `plugins`, so the CLI, `troupe mcp` and
 * `createRuntime` register its tools, checks, strategists, executors and
 * reconcilers. A bad definition — an unknown field, a tool not made with
 * `defineTool`, a check not made with `defineCheck`, an actor without its
 * name or method, two things of one kind with one name — throws a
 * `ValidationError` listing every problem (`tools[1]: must be made with
 * defineTool …`).
 *
 * @example
 * // troupe.plugins.mjs, listed in .troupe/config.json as "plugins": ["./troupe.plugins.mjs"]
 * import { z } from 'zod';
 * import { definePlugin, defineTool } from 'troupe';
 *
 * const stamp = defineTool({
 *   name: 'acme/stamp',
 *   description: 'Write the date into STAMP',
 *   input: z.strictObject({}),
 *   sideEffects: ['exec', 'fs_write'],
 *   handler: async (_, { runCommand }) => runCommand('date -u +%F > STAMP', { timeoutMs: 10_000 }),
 * });
 * export default definePlugin({ name: 'acme-tools', tools: [stamp] });
 */
export function definePlugin(definition: PluginDefinition): Plugin {
  const issues = pluginProblems(definition);
  if (issues.length > 0) {
    const name =
      isRecord(definition) && typeof definition['name'] === 'string' ? definition['name'].slice(0, 100) : '?';
    throw new ValidationError(issues, {
      subject: `plugin ${JSON.stringify(name)}`,
      hint: 'see docs/reference/plugins.md',
    });
  }
  const lists = Object.fromEntries(LIST_FIELDS.map((field) => [field, Object.freeze([...(definition[field] ?? [])])]));
  return Object.freeze({ name: definition.name, ...lists }) as Plugin;
}

/**
 * Every problem with a value meant as a plugin, by field; empty when
 * {@link definePlugin} would accept it. A module's default export is
 * checked with it, so a plain object of the plugin's shape works too.
 */
export function pluginProblems(value: unknown): FieldIssue[] {
  if (!isRecord(value) || Array.isArray(value))
    return [{ path: '', message: `must be a plugin made with definePlugin, got ${kindOf(value)}` }];
  const issues: FieldIssue[] = [];
  for (const key of Object.keys(value)) {
    if (key !== 'name' && !(LIST_FIELDS as string[]).includes(key))
      issues.push({ path: key, message: `is not a field of a plugin (name, ${LIST_FIELDS.join(', ')})` });
  }
  const name = value['name'];
  if (typeof name !== 'string' || name.length > 214 || !PLUGIN_NAME.test(name)) {
    issues.push({
      path: 'name',
      message: 'must be a name of lower-case letters, digits and - . _ / @, such as acme-tools',
    });
  }
  for (const field of LIST_FIELDS) {
    const list = value[field];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      issues.push({ path: field, message: `must be a list of ${LISTS[field].noun}s` });
      continue;
    }
    const seen = new Map<string, number>();
    list.forEach((item: unknown, index) => {
      const problem = LISTS[field].problems(item);
      if (problem) {
        issues.push({ path: `${field}[${index}]`, message: problem });
        return;
      }
      // a registry keys by name: the second of a name would be refused later, less clearly
      const itemName = (item as { name: string }).name;
      const first = seen.get(itemName);
      if (first !== undefined)
        issues.push({
          path: `${field}[${index}]`,
          message: `a ${LISTS[field].noun} named "${itemName}" is already ${field}[${first}]`,
        });
      else seen.set(itemName, index);
    });
  }
  return issues;
}

function toolProblems(tool: unknown): string | null {
  if (!isRecord(tool)) return `must be made with defineTool, got ${kindOf(tool)}`;
  try {
    // a registry of its own refuses exactly what the runtime's would
    new ToolRegistry().register(tool as unknown as AnyToolSpec);
    return null;
  } catch (error) {
    return `must be made with defineTool (${reasonOf(error)})`;
  }
}

function checkProblems(check: unknown): string | null {
  if (!isRecord(check)) return `must be made with defineCheck, got ${kindOf(check)}`;
  try {
    defineCheck(check as unknown as CheckDefinition<undefined>);
  } catch (error) {
    return `must be made with defineCheck (${reasonOf(error)})`;
  }
  return check['readOnly'] === undefined || typeof check['readOnly'] === 'boolean'
    ? null
    : 'must be made with defineCheck (readOnly: must be true or false)';
}

function actorProblems(what: string, method: string): (actor: unknown) => string | null {
  return (actor) => {
    const shape = `must be ${what}: an object with a name and ${method}(input, context)`;
    if (!isRecord(actor)) return `${shape}, got ${kindOf(actor)}`;
    if (typeof actor['name'] !== 'string' || actor['name'].trim() === '')
      return `${shape} (name: must be a non-empty string)`;
    if (typeof actor[method] !== 'function') return `${shape} (${method}: must be a function)`;
    return null;
  };
}

// "handler: must be a function; name: …" from a ValidationError, its message otherwise
function reasonOf(error: unknown): string {
  if (error instanceof ValidationError)
    return error.issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join('; ');
  return error instanceof Error ? error.message : String(error);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
