import { ValidationError, type Invariant } from '../../domain/index.js';
import type { AnyToolSpec } from '../../tools/index.js';
import { CheckRegistry } from '../../../actors/index.js';
import { chooseActors, type ChosenActors } from './actor-registry.js';
import { loadPlugins, pluginFailure, type LoadedPlugin } from './load-plugins.js';
import { projectConfigSchema, type ProjectConfig } from '../project/index.js';
import { registerPlugins, type ProvidedExtensions } from './register-plugins.js';

/** Everything a runtime registers beyond the built-ins, and the actors and project invariants chosen with them. */
export interface Extensions {
  tools: AnyToolSpec[];
  checks: CheckRegistry;
  actors: ChosenActors;
  /** `.troupe/config.json` invariants, their checks' defaults applied. */
  projectInvariants: Invariant[];
  plugins: LoadedPlugin[];
  /** With `deferPluginErrors`: why the plugins did not all load (the runtime then refuses to drive plans), else null. */
  pluginFailure: ValidationError | null;
}

/**
 * Load the project's plugins and register them with what `createRuntime`
 * was given, then choose the actors and check the project's invariants
 * (SPEC §14, §17): a plugin that does not load or clashes, an actor name
 * nobody registers, an invariant of an unknown check — each a
 * `VALIDATION_ERROR`.
 *
 * With `deferPluginErrors` a plugin failure is returned instead of thrown,
 * and so is whatever follows from it: an actor or check name in the config
 * may be the broken plugin's, so the built-in actors stand in. Nothing may
 * run a plan on such extensions; the caller refuses to.
 *
 * @example
 * const extensions = await loadExtensions(root, await loadProjectConfig(root), { tools: [greet], deferPluginErrors: true });
 * if (extensions.pluginFailure) console.warn(extensions.pluginFailure.message);
 */
export async function loadExtensions(
  root: string,
  config: ProjectConfig,
  provided: ProvidedExtensions & { deferPluginErrors?: boolean },
): Promise<Extensions> {
  const load = await loadPlugins(root, config.plugins);
  const registered = registerPlugins(provided, load.plugins);
  const problems = [...load.issues, ...registered.issues];
  const failure = problems.length > 0 ? pluginFailure(problems) : null;
  if (failure && !provided.deferPluginErrors) throw failure;
  let actors: ChosenActors;
  try {
    actors = chooseActors(registered.actors, config);
  } catch (error) {
    if (!failure) throw error;
    actors = chooseActors(registered.actors, { ...config, actors: projectConfigSchema.parse({}).actors });
  }
  const checks = new CheckRegistry(registered.checks);
  const configProblems = checks.problems(config.invariants, 'invariants');
  if (configProblems.length > 0 && !failure) {
    throw new ValidationError(configProblems, {
      subject: '.troupe/config.json',
      hint: 'register the check with a plugin (docs/reference/plugins.md) or createRuntime({ checks }), or fix the invariant',
    });
  }
  return {
    tools: registered.tools,
    checks,
    actors,
    projectInvariants: config.invariants.map((invariant) => checks.withDefaults(invariant)),
    plugins: load.plugins,
    pluginFailure: failure,
  };
}
