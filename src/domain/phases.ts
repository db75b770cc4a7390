/**
 * The four phases of a plan, in order (SPEC §1).
 *
 * @example
 * const next = PHASES[PHASES.indexOf('execute') + 1]; // 'validate'
 */
export const PHASES = ['strategize', 'execute', 'validate', 'apply'] as const;
/**
 * One phase of a plan: `strategize`, `execute`, `validate` or `apply`.
 *
 * @example
 * const phase: Phase = 'validate';
 * await runtime.run('demo/x', { until: phase });
 */
export type Phase = (typeof PHASES)[number];

/** Statuses a plan has inside a phase (SPEC §5). */
export const PHASE_STATUSES = ['queued', 'processing', 'waiting', 'complete', 'failed'] as const;
export type PhaseStatus = (typeof PHASE_STATUSES)[number];

/** Statuses a plan never leaves. */
export const TERMINAL_STATUSES = ['done', 'cancelled', 'invalidated'] as const;
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

/**
 * Where a plan stands: a status inside its phase, or a terminal one (`done`, `cancelled`, `invalidated`).
 *
 * @example
 * const status: PlanStatus = (await runtime.getPlan('demo/x')).status;
 * if (status === 'waiting') console.log(await runtime.conflicts('demo/x'));
 */
export type PlanStatus = PhaseStatus | TerminalStatus;
export const PLAN_STATUSES: readonly PlanStatus[] = [...PHASE_STATUSES, ...TERMINAL_STATUSES];

/** How far a plan runs on its own (SPEC §5). */
export const AUTOMATIONS = ['manual', 'review', 'auto'] as const;
/**
 * How far a plan runs on its own: `manual`, `review` (the default) or `auto`.
 *
 * @example
 * const automation: Automation = 'auto'; // run through apply on its own
 * const plan = await runtime.createPlan({ name: 'demo/x', goal: 'Say hello', automation });
 */
export type Automation = (typeof AUTOMATIONS)[number];

/** Whether a status is terminal: `done`, `cancelled` or `invalidated`. */
export function isTerminalStatus(status: PlanStatus): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

/** Position of a phase in the lifecycle, 0 for strategize. */
export function phaseIndex(phase: Phase): number {
  return PHASES.indexOf(phase);
}

/** The phase after `phase`, or null after apply. */
export function nextPhase(phase: Phase): Phase | null {
  return PHASES[phaseIndex(phase) + 1] ?? null;
}

/**
 * The last phase a drive of the plan runs to (SPEC §5): `until` when the
 * user names it; otherwise `manual` runs the one phase that is next,
 * `review` runs through validate and `auto` through apply.
 */
export function driveTarget(automation: Automation, next: Phase, until?: Phase | null): Phase {
  if (until) return until;
  switch (automation) {
    case 'manual':
      return next;
    case 'review':
      return 'validate';
    case 'auto':
      return 'apply';
  }
}
