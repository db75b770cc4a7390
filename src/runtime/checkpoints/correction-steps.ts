import { z } from 'zod';
import { ValidationError, toFieldIssues, toolStepSchema, type PlanSpec, type ToolStep } from '../../domain/index.js';
import type { ToolRunner } from '../../tools/index.js';
import { checkPlanSteps } from '../plans/index.js';

const appendedStepsSchema = z.union([toolStepSchema, z.array(toolStepSchema).min(1).max(100)]);

/**
 * The steps `plan correct --mode append --step …` appends: one tool step or a
 * list of them (`{title, tool, input}`), checked like a plan file's steps —
 * the tool exists, its input is valid, its paths are safe and inside the
 * plan's scopes. Anything wrong is a VALIDATION_ERROR (or the path's own
 * code) naming the field, before anything is written.
 */
export function appendedSteps(tools: ToolRunner, spec: PlanSpec, steps: unknown): ToolStep[] {
  const parsed = appendedStepsSchema.safeParse(steps);
  if (!parsed.success) {
    throw new ValidationError(toFieldIssues(parsed.error.issues, steps, 'step'), {
      subject: '--step',
      hint: `a step is {"title": "…", "tool": "fs/write-file", "input": {…}}, or a list of them`,
    });
  }
  const list = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
  checkPlanSteps(tools, { ...spec, strategy: { ...spec.strategy, steps: list } } as PlanSpec, '--step');
  return list;
}
