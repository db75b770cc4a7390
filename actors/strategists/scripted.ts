import type { Strategist } from '../types.js';

/**
 * The scripted strategist: the plan file's `strategy.steps`, as written.
 * It reads nothing and decides nothing else, which makes runs reproducible.
 *
 * @example
 * createRuntime({ dir, actors: { strategist: scriptedStrategist } });
 */
export const scriptedStrategist: Strategist = {
  name: 'scripted',
  async strategize({ spec }) {
    const steps = spec.strategy?.steps ?? [];
    return {
      steps,
      rationale: steps.length === 0 ? 'the plan file lists no steps' : `the ${steps.length} step(s) listed in the plan file's strategy`,
    };
  },
};
