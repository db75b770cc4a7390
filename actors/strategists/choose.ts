import type { PlanSpec } from '../../src/domain/index.js';
import type { Strategist } from '../types.js';
import { llmStrategist } from './llm.js';
import { scriptedStrategist } from './scripted.js';

/**
 * The strategist of one plan: the plan's model (`llm`) for a plan that
 * leaves its strategy to it — `agent.strategize: true`, or the project's
 * strategist is `llm` — and otherwise the runtime's. A plan, or a child's
 * subplans entry, that lists its own steps keeps them.
 *
 * @example
 * strategistFor(spec, runtimeStrategist).name; // 'llm' for a plan with agent.strategize and no strategy
 */
export function strategistFor(spec: PlanSpec, chosen: Strategist): Strategist {
  const byModel = spec.agent?.strategize === true || chosen === llmStrategist;
  if (!byModel) return chosen;
  if (spec.strategy !== undefined) return chosen === llmStrategist ? scriptedStrategist : chosen;
  return llmStrategist;
}
