import type { InvariantEnforcementPayload } from '../../src/domain/index.js';
import type { Strategist } from '../types.js';

/**
 * The scripted strategist: the plan file's `strategy.steps`, as written;
 * a plan file without `strategy` is agent-driven (SPEC §16): no steps, and
 * open for steps from outside.
 * It reads nothing, and decides only to respect every invariant the runtime
 * will check (one `invariant_enforcement` decision each), which makes runs
 * reproducible.
 *
 * @example
 * createRuntime({ dir, actors: { strategist: scriptedStrategist } });
 */
export const scriptedStrategist: Strategist = {
  name: 'scripted',
  async strategize({ spec, invariants, reconciliation }, { decide }) {
    const steps = spec.strategy?.steps ?? [];
    if (reconciliation) {
      for (const invariant of invariants) {
        const payload: InvariantEnforcementPayload = {
          invariantId: invariant.id,
          tier: invariant.tier,
          check: invariant.check,
        };
        decide({
          type: 'invariant_enforcement',
          title: `Respect ${invariant.id} (${invariant.tier})`,
          rationale: invariant.description ?? `the ${invariant.check} check must keep holding at every transition`,
          payload,
        });
      }
    }
    // no strategy at all: the plan is driven from outside, one tool call at a time (SPEC §16)
    const open = spec.strategy === undefined;
    return {
      steps,
      rationale: open
        ? 'no strategy in the plan file: an agent drives it one tool call at a time, then finishes it'
        : steps.length === 0
          ? 'the plan file lists no steps'
          : `the ${steps.length} step(s) listed in the plan file's strategy`,
      ...(open ? { open } : {}),
    };
  },
};
