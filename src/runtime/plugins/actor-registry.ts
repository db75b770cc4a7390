import { ValidationError } from '../../domain/index.js';
import {
  defaultReconciler,
  llmStrategist,
  scriptedStrategist,
  toolCallExecutor,
  type Executor,
  type Reconciler,
  type Strategist,
} from '../../../actors/index.js';
import type { ProjectConfig } from '../project/index.js';

/**
 * Actor implementations an embedding app provides (SPEC §14). A single
 * `strategist`, `executor` or `reconciler` is registered and used by
 * default; lists register more that `.troupe/config.json` can choose by name.
 *
 * @example
 * const actors: ActorOptions = { strategist: myStrategist, executors: [toolCallExecutor, myExecutor] };
 * const runtime = await createRuntime({ dir: '/path/to/repo', actors });
 */
export interface ActorOptions {
  strategist?: Strategist;
  executor?: Executor;
  reconciler?: Reconciler;
  strategists?: Strategist[];
  executors?: Executor[];
  reconcilers?: Reconciler[];
}

/** The strategist, executor and reconciler a runtime uses. */
export interface ChosenActors {
  strategist: Strategist;
  executor: Executor;
  reconciler: Reconciler;
}

/**
 * Register the built-in and provided actors by name and choose the ones to
 * use: a provided single actor wins, then the name in the project config.
 * An unknown name is a `VALIDATION_ERROR` naming the config field.
 */
export function chooseActors(options: ActorOptions, config: ProjectConfig): ChosenActors {
  // `llm`: the plan's own model strategizes every plan that lists no steps (docs/how-to/agents.md)
  const strategists = byName([
    scriptedStrategist,
    llmStrategist,
    ...(options.strategists ?? []),
    ...(options.strategist ? [options.strategist] : []),
  ]);
  const executors = byName([
    toolCallExecutor,
    ...(options.executors ?? []),
    ...(options.executor ? [options.executor] : []),
  ]);
  const reconcilers = byName([
    defaultReconciler,
    ...(options.reconcilers ?? []),
    ...(options.reconciler ? [options.reconciler] : []),
  ]);
  const strategist = options.strategist ?? strategists.get(config.actors.strategist);
  const executor = options.executor ?? executors.get(config.actors.executor);
  const reconciler = options.reconciler ?? reconcilers.get(config.actors.reconciler);
  const issues = [];
  if (!strategist)
    issues.push({
      path: 'actors.strategist',
      message: `unknown strategist "${config.actors.strategist}" (registered: ${[...strategists.keys()].join(', ')})`,
    });
  if (!executor)
    issues.push({
      path: 'actors.executor',
      message: `unknown executor "${config.actors.executor}" (registered: ${[...executors.keys()].join(', ')})`,
    });
  if (!reconciler)
    issues.push({
      path: 'actors.reconciler',
      message: `unknown reconciler "${config.actors.reconciler}" (registered: ${[...reconcilers.keys()].join(', ')})`,
    });
  if (issues.length > 0 || !strategist || !executor || !reconciler) {
    throw new ValidationError(issues, {
      subject: '.troupe/config.json',
      hint: 'register the actor with a plugin (docs/reference/plugins.md) or createRuntime({ actors }), or fix the name',
    });
  }
  return { strategist, executor, reconciler };
}

function byName<T extends { name: string }>(actors: T[]): Map<string, T> {
  return new Map(actors.map((actor) => [actor.name, actor]));
}
