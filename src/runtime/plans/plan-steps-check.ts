import { TroupeError, ValidationError, type ErrorCode, type FieldIssue, type PlanSpec } from '../../domain/index.js';
import { stepProblems } from '../../../actors/index.js';
import type { ToolRunner } from '../../tools/index.js';

/**
 * Check a plan file's steps against the registered tools before anything is
 * written, so a typo in a tool name fails `plan new`, not step 7 of execute:
 * unknown tools, tool inputs, unsafe paths (`SANDBOX_ESCAPE`), writes outside
 * the plan's scopes (`SCOPE_VIOLATION`). Every problem is listed, by field.
 */
export function checkPlanSteps(tools: ToolRunner, spec: PlanSpec, subject: string): void {
  const issues: (FieldIssue & { code: ErrorCode })[] = [];
  (spec.strategy?.steps ?? []).forEach((step, index) => {
    const prefix = `strategy.steps[${index}]`;
    issues.push(...(stepProblems(tools, step, spec.resourceScopes, prefix) as (FieldIssue & { code: ErrorCode })[]));
  });
  if (issues.length === 0) return;
  const error = new ValidationError(issues, { subject, hint: 'see docs/reference/plan-file.md' });
  // an unsafe path or a write outside scopes keeps its own code when it is the whole story
  const codes = new Set(issues.map((issue) => issue.code));
  const [only] = codes;
  if (codes.size === 1 && only !== undefined && only !== 'VALIDATION_ERROR') {
    throw new TroupeError(only, error.message, {
      ...(error.hint ? { hint: error.hint } : {}),
      ...(error.details ? { details: error.details } : {}),
    });
  }
  throw error;
}
