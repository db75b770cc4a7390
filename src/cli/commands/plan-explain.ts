import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../context.js';
import { formatDecisionTree } from '../format/decision-tree.js';
import { usageText } from '../format/model-usage.js';

/** `troupe plan explain <plan>`: the decision tree, and what its model calls cost when it called a model. */
export async function planExplain(context: CommandContext, ref: string): Promise<number> {
  const runtime = await context.runtime();
  const tree = await runtime.explain(ref);
  context.out.result(tree, () => [formatDecisionTree(tree.root, context.out), ...(tree.models ? [`model calls: ${usageText(tree.models)}`] : [])].join('\n'));
  return EXIT.ok;
}
