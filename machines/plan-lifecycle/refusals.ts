import { isTerminalStatus, nextPhase, phaseIndex, PHASES, type Phase } from '../../src/domain/index.js';
import type { PlanPosition } from './position.js';
import type { PlanContext } from './plan-context.js';

/** Why a phase command is refused, in the words of SPEC §5, and what to do instead. */
export interface Refusal {
  reason: string;
  hint?: string;
}

/**
 * Explain why `command` (a phase) cannot run from `position`:
 * `execute` from `(strategize, processing)` → "strategize is processing
 * (needs complete)". Used for `PHASE_GUARD` errors; pure so the words are
 * tested with the guards.
 *
 * @example
 * const refusal = explainRefusal('execute', { phase: 'strategize', status: 'processing' }, { name: 'demo/x', error: null });
 * throw new PhaseGuardError('demo/x', 'execute', refusal.reason, refusal.hint);
 */
export function explainRefusal(
  command: Phase,
  position: PlanPosition,
  context: Pick<PlanContext, 'name' | 'error'>,
): Refusal {
  const { phase, status } = position;
  const name = context.name;
  if (isTerminalStatus(status)) {
    return {
      reason: `the plan is ${status} (nothing leaves a terminal status)`,
      hint: `troupe plan status ${name} shows how it ended`,
    };
  }
  const previous = PHASES[phaseIndex(command) - 1];
  if (phaseIndex(phase) < phaseIndex(command)) {
    // the plan has not reached the command's phase yet
    const needed = previous ?? phase;
    if (phase === needed) {
      return {
        reason: `${phase} ${status === 'failed' ? 'failed' : `is ${status}`} (needs complete)`,
        hint: hintFor(phase, status, name),
      };
    }
    return {
      reason: `${phase} is ${status}; ${command} needs ${needed} complete`,
      hint: `run troupe plan run ${name} --until ${needed}`,
    };
  }
  if (phase === command) {
    if (status === 'failed') {
      const code = context.error ? ` (${context.error.code})` : '';
      return {
        reason: `${command} failed${code} and cannot simply be run again`,
        hint:
          command === 'strategize'
            ? undefined
            : `troupe plan status ${name} shows the error; correct it (troupe plan correct ${name} --mode revert|append) or cancel it (troupe plan cancel ${name})`,
      };
    }
    if (status === 'complete') {
      const next = nextPhase(command);
      return { reason: `${command} is already complete`, hint: next ? `next: troupe plan ${next} ${name}` : undefined };
    }
    return { reason: `${command} is already ${status}` };
  }
  return { reason: `${command} is behind it: the plan is at (${phase}, ${status})` };
}

function hintFor(phase: Phase, status: string, name: string): string | undefined {
  if (status === 'queued') return `run troupe plan ${phase} ${name} first`;
  if (status === 'processing') return `wait for it: troupe plan status ${name} --watch`;
  if (status === 'failed') return `troupe plan status ${name} shows why ${phase} failed`;
  return undefined;
}
