import { ValidationError } from '../domain/index.js';
import { scriptedStrategist, toolCallExecutor, type Executor, type Strategist } from '../../actors/index.js';
import type { ProjectConfig } from './project-config.js';

/**
 * Actor implementations an embedding app provides (SPEC §14). A single
 * `strategist` or `executor` is registered and used by default; lists
 * register more that `.troupe/config.json` can choose by name.
 */
export interface ActorOptions {
  strategist?: Strategist;
  executor?: Executor;
  strategists?: Strategist[];
  executors?: Executor[];
}

/** The strategist and executor a runtime uses. */
export interface ChosenActors {
  strategist: Strategist;
  executor: Executor;
}

/**
 * Register the built-in and provided actors by name and choose the ones to
 * use: a provided single actor wins, then the name in the project config.
 * An unknown name is a `VALIDATION_ERROR` naming the config field.
 */
export function chooseActors(options: ActorOptions, config: ProjectConfig): ChosenActors {
  const strategists = byName([scriptedStrategist, ...(options.strategists ?? []), ...(options.strategist ? [options.strategist] : [])]);
  const executors = byName([toolCallExecutor, ...(options.executors ?? []), ...(options.executor ? [options.executor] : [])]);
  const strategist = options.strategist ?? strategists.get(config.actors.strategist);
  const executor = options.executor ?? executors.get(config.actors.executor);
  const issues = [];
  if (!strategist) issues.push({ path: 'actors.strategist', message: `unknown strategist "${config.actors.strategist}" (registered: ${[...strategists.keys()].join(', ')})` });
  if (!executor) issues.push({ path: 'actors.executor', message: `unknown executor "${config.actors.executor}" (registered: ${[...executors.keys()].join(', ')})` });
  if (config.actors.reconciler !== 'default') {
    issues.push({ path: 'actors.reconciler', message: `unknown reconciler "${config.actors.reconciler}" (registered: default)` });
  }
  if (issues.length > 0 || !strategist || !executor) {
    throw new ValidationError(issues, { subject: '.troupe/config.json', hint: 'register the actor with createRuntime({ actors }) or fix the name' });
  }
  return { strategist, executor };
}

function byName<T extends { name: string }>(actors: T[]): Map<string, T> {
  return new Map(actors.map((actor) => [actor.name, actor]));
}
