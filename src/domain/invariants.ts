import { z } from 'zod';
import type { Invariant } from './plan-file-invariants.js';

/**
 * Where an invariant came from (SPEC §4): the project's `.troupe/config.json`,
 * the plan file, or the plan's parent (a child inherits its parent's `plan`
 * and `parent` tiers).
 *
 * @example
 * const tiers = INVARIANT_TIERS.join(' > '); // 'project > plan > parent'
 */
export const INVARIANT_TIERS = ['project', 'plan', 'parent'] as const;
/**
 * Where an invariant came from: one of {@link INVARIANT_TIERS}.
 *
 * @example
 * const tier: InvariantTier = 'project';
 * const fromProject = (results: InvariantResult[]) => results.filter((result) => result.tier === tier);
 */
export type InvariantTier = (typeof INVARIANT_TIERS)[number];

/**
 * An invariant with the tier it came from.
 *
 * @example
 * const invariant: TieredInvariant = { id: 'tests', check: 'command', run: 'npm test', tier: 'plan' };
 */
export type TieredInvariant = Invariant & { tier: InvariantTier };

/**
 * The moments the runtime reconciles a plan's invariants (SPEC §1): after
 * strategize completes, after every executed step, after validate completes,
 * and after a correction is applied.
 *
 * @example
 * const isTrigger = (value: string): value is ReconcileTrigger => (RECONCILE_TRIGGERS as readonly string[]).includes(value);
 */
export const RECONCILE_TRIGGERS = ['post-strategize', 'post-step', 'post-validate', 'post-correction'] as const;
/**
 * When a reconciliation ran: one of {@link RECONCILE_TRIGGERS}.
 *
 * @example
 * const trigger: ReconcileTrigger = 'post-step';
 * const payload = decision.payload as ReconciliationPayload;
 * if (payload.trigger === trigger) console.log('after step', (payload.step ?? 0) + 1);
 */
export type ReconcileTrigger = (typeof RECONCILE_TRIGGERS)[number];

/**
 * How one invariant fared in a reconciliation.
 *
 * @example
 * const result: InvariantResult = { id: 'tests', tier: 'plan', check: 'command', passed: false, message: 'exit code 1: 3 tests failed', durationMs: 4210 };
 */
export interface InvariantResult {
  id: string;
  tier: InvariantTier;
  check: string;
  passed: boolean;
  /** Why it holds or not, in a line (`exit code 1: 3 tests failed`, `TIMEOUT after 120000 ms`). */
  message: string;
  durationMs: number;
  /** For a violation: the lines of output that say why (a failed command's, SPEC §18). */
  lines?: string[];
}

/** The stored shape of an invariant result. */
export const invariantResultSchema = z.strictObject({
  id: z.string(),
  tier: z.enum(INVARIANT_TIERS),
  check: z.string(),
  passed: z.boolean(),
  message: z.string(),
  durationMs: z.number().nonnegative(),
  lines: z.array(z.string()).optional(),
});

/**
 * How a reconciliation ended: every invariant holds, or at least one does not.
 *
 * @example
 * const payload = decision.payload as ReconciliationPayload;
 * const outcome: ReconcileOutcome | null = payload.outcome;
 * if (outcome === 'violated') console.log(payload.results.filter((result) => !result.passed));
 */
export type ReconcileOutcome = 'reconciled' | 'violated';

/**
 * Payload of a `reconciliation` decision: what was checked when, and every
 * result. `enabled: false` is the one decision a plan with
 * `reconciliation: false` records instead (its `results` are empty).
 */
export const reconciliationPayloadSchema = z.strictObject({
  enabled: z.boolean(),
  trigger: z.enum(RECONCILE_TRIGGERS).nullable(),
  outcome: z.enum(['reconciled', 'violated']).nullable(),
  /** The step (0-based) a `post-step` reconciliation followed. */
  step: z.number().int().nonnegative().optional(),
  results: z.array(invariantResultSchema),
});
/**
 * The payload of a `reconciliation` decision (see {@link reconciliationPayloadSchema}).
 *
 * @example
 * if (decision.type === 'reconciliation') {
 *   const { trigger, outcome, results } = decision.payload as ReconciliationPayload;
 *   console.log(trigger, outcome, results.length);
 * }
 */
export type ReconciliationPayload = z.output<typeof reconciliationPayloadSchema>;

/** Payload of an `invariant_enforcement` decision: the strategist will respect this invariant. */
export const invariantEnforcementPayloadSchema = z.strictObject({
  invariantId: z.string(),
  tier: z.enum(INVARIANT_TIERS),
  check: z.string(),
});
/**
 * The payload of an `invariant_enforcement` decision.
 *
 * @example
 * if (decision.type === 'invariant_enforcement') {
 *   const { invariantId, tier, check } = decision.payload as InvariantEnforcementPayload;
 * }
 */
export type InvariantEnforcementPayload = z.output<typeof invariantEnforcementPayloadSchema>;

/**
 * A plan's invariants in tier order — project, then plan, then parent — each
 * tagged with its tier. `inherited` is what the parent checks besides its
 * project tier (its own `plan` and `parent` tiers); it all becomes `parent`.
 */
export function tierInvariants(sources: {
  project: readonly Invariant[];
  plan: readonly Invariant[];
  inherited?: readonly TieredInvariant[];
}): TieredInvariant[] {
  return [
    ...sources.project.map((invariant) => ({ ...invariant, tier: 'project' as const })),
    ...sources.plan.map((invariant) => ({ ...invariant, tier: 'plan' as const })),
    ...(sources.inherited ?? [])
      .filter((invariant) => invariant.tier !== 'project')
      .map((invariant) => ({ ...invariant, tier: 'parent' as const })),
  ];
}

/** Where a reconciliation happened, in words: `after step 3`, `after strategize`. */
export function describeTrigger(trigger: ReconcileTrigger, step?: number): string {
  switch (trigger) {
    case 'post-strategize':
      return 'after strategize';
    case 'post-step':
      return step === undefined ? 'after a step' : `after step ${step + 1}`;
    case 'post-validate':
      return 'after validate';
    case 'post-correction':
      return 'after the correction';
  }
}

/** The one-line message of a violation: which invariants failed, with their tiers. */
export function violationMessage(
  results: readonly InvariantResult[],
  trigger: ReconcileTrigger,
  step?: number,
): string {
  const failed = results.filter((result) => !result.passed);
  const when = describeTrigger(trigger, step);
  const [only] = failed;
  if (failed.length === 1 && only)
    return `invariant "${only.id}" (${only.tier}) does not hold ${when}: ${only.message}`;
  return `${failed.length} invariants do not hold ${when}: ${failed.map((result) => `${result.id} (${result.tier})`).join(', ')}`;
}

/** The title of a `reconciliation` decision. */
export function reconciliationTitle(
  results: readonly InvariantResult[],
  trigger: ReconcileTrigger,
  step?: number,
): string {
  const failed = results.filter((result) => !result.passed).length;
  const when = describeTrigger(trigger, step);
  if (failed === 0)
    return results.length === 1 ? `1 invariant holds ${when}` : `${results.length} invariants hold ${when}`;
  return `${failed} of ${results.length} invariant${results.length === 1 ? '' : 's'} violated ${when}`;
}

/** The rationale of a `reconciliation` decision: each failure with its message, or what held. */
export function reconciliationRationale(results: readonly InvariantResult[]): string {
  const failed = results.filter((result) => !result.passed);
  if (failed.length === 0)
    return `every invariant holds: ${results.map((result) => `${result.id} (${result.tier})`).join(', ')}`;
  return failed.map((result) => `${result.id} (${result.tier}, ${result.check}): ${result.message}`).join('; ');
}
