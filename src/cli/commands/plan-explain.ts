import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../context.js';
import { formatDecisionTree } from '../format/decision-tree.js';

/** `troupe plan explain <plan>`: the decision tree. */
export async function planExplain(context: CommandContext, ref: string): Promise<number> {
  const runtime = await context.runtime();
  const tree = await runtime.explain(ref);
  context.out.result(tree, () => formatDecisionTree(tree.root, context.out));
  return EXIT.ok;
}
