import type { FieldIssue } from '../../domain/index.js';
import { BUILT_IN_TOOLS, type AnyToolSpec } from '../../tools/index.js';
import {
  BUILT_IN_CHECK_SPECS,
  defaultReconciler,
  scriptedStrategist,
  toolCallExecutor,
  type AnyCheckSpec,
} from '../../../actors/index.js';
import type { ActorOptions } from './actor-registry.js';
import type { Plugin } from './define-plugin.js';
import type { LoadedPlugin } from './load-plugins.js';

/** What `createRuntime`'s own options register besides the built-ins. */
export interface ProvidedExtensions {
  tools?: readonly AnyToolSpec[];
  checks?: readonly AnyCheckSpec[];
  actors?: ActorOptions;
}

/** The options' tools, checks and actors with the plugins' added, and the clashes that kept some out. */
export interface PluginRegistrations {
  tools: AnyToolSpec[];
  checks: AnyCheckSpec[];
  actors: ActorOptions;
  /** One per plugin item whose name another source registers with something else (path: the plugin's label). */
  issues: FieldIssue[];
}

type Named = { readonly name: string };
type ListField = 'tools' | 'checks' | 'strategists' | 'executors' | 'reconcilers';

const BUILT_IN = 'troupe (built in)';

/**
 * Add the plugins' tools, checks, strategists, executors and reconcilers
 * to what `createRuntime` was given (SPEC §17). A name is one thing: a
 * plugin item named like a built-in, an option or an earlier plugin's item
 * is a clash naming both sources and is left out. The very same object
 * twice — a tool an app imports from a plugin it also lists — is one
 * registration, not a clash.
 *
 * @example
 * const { plugins } = await loadPlugins(root, config.plugins);
 * const registered = registerPlugins({ tools: [greet] }, plugins);
 * if (registered.issues.length > 0) throw pluginFailure(registered.issues);
 * const runtimeTools = registered.tools; // greet, then every plugin's tools
 */
export function registerPlugins(provided: ProvidedExtensions, plugins: readonly LoadedPlugin[]): PluginRegistrations {
  const actors = provided.actors ?? {};
  const issues: FieldIssue[] = [];
  const add = <T extends Named>(
    field: ListField,
    noun: string,
    builtIns: readonly T[],
    given: { source: string; items: readonly T[] },
  ): T[] => {
    const owners = new Map<string, { item: T; source: string }>();
    for (const item of builtIns) owners.set(item.name, { item, source: BUILT_IN });
    // the options' own duplicates are the registries' to refuse, as without plugins
    for (const item of given.items) if (!owners.has(item.name)) owners.set(item.name, { item, source: given.source });
    const added: T[] = [];
    for (const { label, plugin } of plugins) {
      (plugin[field] as readonly unknown[] as readonly T[]).forEach((item, index) => {
        const owner = owners.get(item.name);
        if (owner === undefined) {
          owners.set(item.name, { item, source: `${label} (${plugin.name})` });
          added.push(item);
        } else if (owner.item !== item) {
          issues.push({
            path: label,
            message: `${field}[${index}]: a ${noun} named "${item.name}" is also registered by ${owner.source}`,
          });
        }
      });
    }
    return added;
  };
  const tools = add('tools', 'tool', BUILT_IN_TOOLS, {
    source: 'createRuntime({ tools })',
    items: provided.tools ?? [],
  });
  const checks = add('checks', 'check', BUILT_IN_CHECK_SPECS, {
    source: 'createRuntime({ checks })',
    items: provided.checks ?? [],
  });
  const strategists = add('strategists', 'strategist', [scriptedStrategist], {
    source: 'createRuntime({ actors })',
    items: given(actors.strategists, actors.strategist),
  });
  const executors = add('executors', 'executor', [toolCallExecutor], {
    source: 'createRuntime({ actors })',
    items: given(actors.executors, actors.executor),
  });
  const reconcilers = add('reconcilers', 'reconciler', [defaultReconciler], {
    source: 'createRuntime({ actors })',
    items: given(actors.reconcilers, actors.reconciler),
  });
  return {
    tools: [...(provided.tools ?? []), ...tools],
    checks: [...(provided.checks ?? []), ...checks],
    actors: {
      ...actors,
      strategists: [...(actors.strategists ?? []), ...strategists],
      executors: [...(actors.executors ?? []), ...executors],
      reconcilers: [...(actors.reconcilers ?? []), ...reconcilers],
    },
    issues,
  };
}

/**
 * What a plugin registers, for people: `tool acme/stamp, check acme/no-todo, strategist acme-planner`.
 *
 * @example
 * console.log(`${plugin.name}: ${pluginContents(plugin)}`);
 */
export function pluginContents(plugin: Plugin): string {
  const parts = [
    ...plugin.tools.map((tool) => `tool ${tool.name}`),
    ...plugin.checks.map((check) => `check ${check.name}`),
    ...plugin.strategists.map((strategist) => `strategist ${strategist.name}`),
    ...plugin.executors.map((executor) => `executor ${executor.name}`),
    ...plugin.reconcilers.map((reconciler) => `reconciler ${reconciler.name}`),
  ];
  return parts.length > 0 ? parts.join(', ') : 'nothing';
}

function given<T>(list: readonly T[] | undefined, single: T | undefined): T[] {
  return [...(list ?? []), ...(single === undefined ? [] : [single])];
}
