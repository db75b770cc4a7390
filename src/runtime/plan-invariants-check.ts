import { ValidationError, isSubplanStep, type FieldIssue, type PlanSpec } from '../domain/index.js';
import type { CheckRegistry } from '../../actors/index.js';

/**
 * Check a plan file's invariants against the registered checks before
 * anything is written: a check nobody registered, or options its check
 * refuses, is a `VALIDATION_ERROR` naming the field — never a failure at
 * reconciliation time. (Built-in invariants were checked by the schema.)
 */
export function checkPlanInvariants(checks: CheckRegistry, spec: PlanSpec, subject: string): void {
  const issues: FieldIssue[] = checks.problems(spec.invariants, 'invariants');
  (spec.strategy?.steps ?? []).forEach((step, stepIndex) => {
    if (!isSubplanStep(step)) return;
    step.subplans.entries.forEach((entry, entryIndex) => {
      issues.push(...checks.problems(entry.invariants, `strategy.steps[${stepIndex}].subplans.entries[${entryIndex}].invariants`));
    });
  });
  if (issues.length > 0) throw new ValidationError(issues, { subject, hint: 'register the check with createRuntime({ checks }) or fix the invariant; see docs/invariants.md' });
}
