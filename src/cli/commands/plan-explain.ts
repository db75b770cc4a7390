import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../context.js';
import { formatDecisionTree } from '../format/decision-tree.js';
import { deniedLines, networkDenials } from '../format/network-refusals.js';
import { usageText } from '../format/model-usage.js';

/**
 * `troupe plan explain <plan>`: the decision tree, with what the plan's
 * network allow-list refused under its `sandbox_policy` decision, and what
 * its model calls cost when it called a model.
 */
export async function planExplain(context: CommandContext, ref: string): Promise<number> {
  const runtime = await context.runtime();
  const [tree, journal] = await Promise.all([runtime.explain(ref), runtime.events(ref)]);
  const refused = networkDenials(journal);
  const networkDenied = journal
    .filter((event) => event.type === 'network.denied')
    .map((event) => ({ ...event.data, phase: event.phase ?? null }));
  context.out.result({ ...tree, networkDenied }, () =>
    [
      formatDecisionTree(tree.root, context.out, { sandbox_policy: deniedLines(refused) }),
      ...(tree.models ? [`model calls: ${usageText(tree.models)}`] : []),
    ].join('\n'),
  );
  return EXIT.ok;
}
