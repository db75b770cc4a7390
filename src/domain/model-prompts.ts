// What a plan's model is told about the plan it works on: the same
// brief for the strategist and for the model that drives the plan.
import type { PlanSpec } from './plan-file.js';
import type { TieredInvariant } from './invariants.js';

/** What a child plan's model knows of its parent (its spawn entry's `contextView`). */
export interface ParentBrief {
  name: string;
  goal: string;
  decisions: { type: string; title: string }[];
}

/**
 * The plan as its model reads it: name, goal, definition of done, where it
 * may write, the invariants troupe checks, what validate runs, its parent's
 * goal and decisions for a child, and `files` (some of the project's paths).
 *
 * @example
 * planBrief(spec, invariants, { files: ['README.md', 'src/a.ts'] }); // 'Plan: demo/x\nGoal: …'
 */
export function planBrief(
  spec: PlanSpec,
  invariants: readonly TieredInvariant[],
  more: { parent?: ParentBrief; files?: readonly string[]; totalFiles?: number } = {},
): string {
  const lines = [`Plan: ${spec.name}`, `Goal: ${spec.goal}`];
  if (spec.definitionOfDone) lines.push(`Definition of done: ${spec.definitionOfDone}`);
  lines.push(
    spec.resourceScopes === undefined
      ? 'It may write anywhere in its sandbox.'
      : spec.resourceScopes.length === 0
        ? 'It may not write any file (resourceScopes is empty).'
        : `It may write only files matching: ${spec.resourceScopes.join(', ')} (resourceScopes; a write elsewhere is refused).`,
  );
  if (invariants.length > 0 && spec.reconciliation) {
    lines.push('troupe checks these invariants after every step; a step that breaks one fails the plan:');
    for (const invariant of invariants)
      lines.push(
        `- ${invariant.id} (${invariant.check}${invariantDetail(invariant)})${invariant.description ? `: ${invariant.description}` : ''}`,
      );
  }
  if (spec.validate.length > 0)
    lines.push(`When you are done, validate runs: ${spec.validate.map((command) => command.run).join('; ')}`);
  if (more.parent) {
    lines.push(`It is a child plan of ${more.parent.name}, whose goal is: ${more.parent.goal}`);
    if (more.parent.decisions.length > 0)
      lines.push(`Its parent decided: ${more.parent.decisions.map((decision) => decision.title).join('; ')}`);
  }
  if (more.files) {
    const total = more.totalFiles ?? more.files.length;
    lines.push(
      total === 0
        ? 'The project has no files yet.'
        : `Files of the project${total > more.files.length ? ` (the first ${more.files.length} of ${total})` : ''}:\n${more.files.join('\n')}`,
    );
  }
  return lines.join('\n');
}

function invariantDetail(invariant: TieredInvariant): string {
  const fields = invariant as { run?: unknown; path?: unknown };
  if (typeof fields.run === 'string') return `: ${fields.run}`;
  if (typeof fields.path === 'string') return `: ${fields.path}`;
  return '';
}

/** A troupe error as a model reads it in a tool's answer: `error[CODE]: message`, and the hint on a line of its own. */
export function errorText(error: { code: string; message: string; hint?: string | undefined }): string {
  return `error[${error.code}]: ${error.message}${error.hint ? `\nhint: ${error.hint}` : ''}`;
}
