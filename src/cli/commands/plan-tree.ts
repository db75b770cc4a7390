import { DEFAULT_PROJECT } from '../../domain/index.js';
import { quotedPath } from '../../domain/terminal-text.js';
import type { PlanTree } from '../../runtime/index.js';
import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../context.js';
import type { Output } from '../output.js';

/** `troupe plan tree <plan>`: the plan and its child plans with phase, status and attempt (SPEC §13). */
export async function planTree(context: CommandContext, ref: string): Promise<number> {
  const runtime = await context.runtime();
  const tree = await runtime.tree(ref);
  context.out.result(tree, () => formatPlanTree(tree, context.out));
  return EXIT.ok;
}

/** The tree as text: one line per plan, children indented under their parent. */
export function formatPlanTree(tree: PlanTree, out: Output): string {
  const lines: string[] = [];
  const walk = (node: PlanTree, prefix: string, last: boolean, top: boolean) => {
    const branch = top ? '' : last ? '└─ ' : '├─ ';
    const seen = node.subplan ? out.paint('dim', `  (${node.subplan.status}, attempt ${node.subplan.attempt})`) : '';
    const project = node.project === DEFAULT_PROJECT ? '' : ` ${out.paint('cyan', `[${node.project}]`)}`;
    lines.push(`${prefix}${branch}${out.paint('bold', node.name)}${project}  ${node.phase} · ${node.status}${seen}`);
    const childPrefix = top ? '' : prefix + (last ? '   ' : '│  ');
    // under the plan, before its children: which of them would conflict if merged now
    const bar = node.children.length > 0 ? '│  ' : '   ';
    for (const { names, files } of node.predictedConflicts)
      lines.push(
        `${childPrefix}${bar}${out.paint('yellow', '! predicted conflict')} ${names.join(' ↔ ')}: ${files.map(quotedPath).join(', ')}`,
      );
    node.children.forEach((child, index) => walk(child, childPrefix, index === node.children.length - 1, false));
  };
  walk(tree, '', true, true);
  if (tree.children.length === 0) lines.push(out.paint('dim', 'no child plans'));
  return lines.join('\n');
}
