import type { DecisionNode, PlanRecord } from '../domain/index.js';

/**
 * A plan record in one line: name, id, position, and what an agent can do
 * with it (`conflicts`: its open merge conflicts, when known; `parentName`:
 * a child plan's parent, named where a validated child goes next).
 *
 * @example
 * planLine(record, 0, 'agent/parent'); // 'agent/parent-1 (01M9…): validate · complete — validated: subplan_wait on agent/parent merges it back'
 */
export function planLine(plan: PlanRecord, conflicts = 0, parentName?: string): string {
  const open = plan.phase === 'execute' && plan.status === 'waiting' && plan.agentDriven;
  const note =
    conflicts > 0
      ? `${conflicts} merge ${conflicts === 1 ? 'conflict waits' : 'conflicts wait'}: plan_conflicts shows them, plan_resolve settles each`
      : open
        ? 'open: call read_file, write_file, run_command… then plan_finish'
        : plan.error
          ? `${plan.error.code}: ${plan.error.message}`
          : plan.status === 'complete' && plan.phase === 'validate'
            ? validatedNote(plan, parentName)
            : '';
  return `${plan.name} (${plan.id}): ${plan.phase} · ${plan.status}${note ? ` — ${note}` : ''}`;
}

// a child plan is merged into its parent by the parent's subplan_wait: plan_apply refuses a child
function validatedNote(plan: PlanRecord, parentName: string | undefined): string {
  if (plan.parentId === null) return 'validated: plan_apply brings it into the project';
  return `validated: subplan_wait on its parent ${parentName ?? plan.parentId} merges it back (plan_apply is for top-level plans)`;
}

/** A decision tree as indented lines: type, title, and the first line of the rationale. */
export function decisionTreeText(root: DecisionNode): string {
  const lines: string[] = [];
  const walk = (node: DecisionNode, depth: number) => {
    lines.push(
      `${'  '.repeat(depth)}${node.type} ${node.title}${node.status === 'discarded' ? ' (discarded)' : ''}${node.rationale ? ` — ${node.rationale.split('\n')[0]}` : ''}`,
    );
    node.children.forEach((child) => walk(child, depth + 1));
  };
  walk(root, 0);
  return lines.join('\n');
}
