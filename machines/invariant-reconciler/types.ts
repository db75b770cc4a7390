import type {
  InvariantResult,
  ReconcileOutcome,
  ReconcileTrigger,
  SandboxInfo,
  TieredInvariant,
} from '../../src/domain/index.js';

/**
 * What the plan gives the reconciler at a trigger (DESIGN §3).
 *
 * @example
 * const input: ReconcileInput = { planId, trigger: 'post-step', step: 2, invariants, sandbox, concurrency: 2 };
 * const { outcome, results } = await toPromise(createActor(invariantReconcilerMachine, { input }).start());
 */
export interface ReconcileInput {
  planId: string;
  trigger: ReconcileTrigger;
  /** Every invariant to check, in tier order (project, plan, parent). */
  invariants: TieredInvariant[];
  sandbox: SandboxInfo;
  /** The step (0-based) a `post-step` reconciliation follows. */
  step?: number;
  /** How many checks may run at once (default {@link DEFAULT_CHECK_CONCURRENCY}). */
  concurrency?: number;
}

/**
 * How a reconciliation ended, with every result in the order of the invariants.
 *
 * @example
 * const output: ReconcileOutput = await toPromise(createActor(reconciler, { input }).start());
 * if (output.outcome === 'violated') console.log(output.results.filter((result) => !result.passed));
 */
export interface ReconcileOutput {
  outcome: ReconcileOutcome;
  trigger: ReconcileTrigger;
  step?: number;
  results: InvariantResult[];
}

/**
 * Input of one `runCheck` actor: one invariant, checked in the plan's sandbox.
 *
 * @example
 * const runCheck = fromPromise(async ({ input }: { input: CheckInput }) => checkInvariant(input.invariant, input.sandbox));
 * const reconciler = invariantReconcilerMachine.provide({ actors: { runCheck } });
 */
export interface CheckInput {
  planId: string;
  trigger: ReconcileTrigger;
  invariant: TieredInvariant;
  sandbox: SandboxInfo;
}

/** The reconciler's context: its input, and where the checks are. */
export interface ReconcilerContext {
  planId: string;
  trigger: ReconcileTrigger;
  invariants: TieredInvariant[];
  sandbox: SandboxInfo;
  step: number | null;
  concurrency: number;
  /** The index of the next invariant to start. */
  next: number;
  running: number;
  /** Results by invariant index; null while its check has not answered. */
  results: (InvariantResult | null)[];
}

/**
 * Checks run at once unless the input says otherwise: command checks are whole test suites.
 *
 * @example
 * const input: ReconcileInput = { planId, trigger: 'post-step', invariants, sandbox, concurrency: DEFAULT_CHECK_CONCURRENCY * 2 };
 */
export const DEFAULT_CHECK_CONCURRENCY = 4;
