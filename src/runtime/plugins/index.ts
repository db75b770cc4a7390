// The plugins wing (SPEC §14, §17): defining, resolving, loading and registering plugins and
// embedder actors, and the runtime as it stands while plugins fail to load.
export { type ActorOptions, type ChosenActors } from './actor-registry.js';
export { definePlugin, type Plugin, type PluginDefinition } from './define-plugin.js';
export { loadExtensions } from './load-extensions.js';
export { loadPlugins } from './load-plugins.js';
export { refusePlans } from './refuse-plans.js';
export { pluginContents, registerPlugins } from './register-plugins.js';
