import type { DecisionNode } from '../../domain/index.js';
import { forTerminal } from '../../domain/terminal-text.js';
import type { Output } from '../output.js';
import { formatElapsed } from './progress.js';

/**
 * `troupe plan explain` as an indented tree: type, title, and the rationale
 * under it; `more` adds lines under the first decision of a type (what the
 * network allow-list refused, under `sandbox_policy`). A title or rationale
 * (a model's words) keeps to its place in the tree: each of its lines under
 * the gutter, control characters escaped ({@link forTerminal}).
 */
export function formatDecisionTree(
  root: DecisionNode | null,
  out: Output,
  more: Partial<Record<DecisionNode['type'], readonly string[]>> = {},
): string {
  if (!root) return out.paint('dim', 'no decisions yet (strategize records them)');
  const lines: string[] = [];
  const walk = (node: DecisionNode, prefix: string, last: boolean, top: boolean) => {
    const branch = top ? '' : last ? '└─ ' : '├─ ';
    const discarded = node.status === 'discarded' ? out.paint('dim', ' (discarded)') : '';
    lines.push(`${prefix}${branch}${out.paint('cyan', node.type)} ${forTerminal(node.title)}${discarded}`);
    const childPrefix = top ? '' : prefix + (last ? '   ' : '│  ');
    const gutter = `${childPrefix}${node.children.length > 0 ? '│  ' : '   '}`;
    for (const detail of describe(node).flatMap(linesOf)) lines.push(`${gutter}${out.paint('dim', detail)}`);
    const extra = more[node.type];
    if (extra) {
      for (const line of extra) lines.push(`${gutter}${out.paint('yellow', line)}`);
      delete more[node.type];
    }
    node.children.forEach((child, index) => walk(child, childPrefix, index === node.children.length - 1, false));
  };
  // a copy: each extra is said once, under the first decision of its type
  more = { ...more };
  walk(root, '', true, true);
  return lines.join('\n');
}

// a rationale of many lines as lines of the tree, a CRLF's CR with its line break
function linesOf(text: string): string[] {
  return text.split(/\r?\n/).map((line) => forTerminal(line));
}

// the lines under a decision: a step's call (and why, when its caller said), else the rationale
function describe(node: DecisionNode): string[] {
  const payload = node.payload as Record<string, unknown>;
  if (node.type === 'step' && typeof payload.tool === 'string') {
    const input = JSON.stringify(payload.input ?? {});
    const call = `${payload.tool} ${input.length > 100 ? `${input.slice(0, 100)}…` : input}`;
    // an agent's call carries its reason; a scripted step's rationale only repeats the tool
    const why =
      node.rationale && node.rationale !== `call ${payload.tool}` ? [`why: ${node.rationale} (${node.actor})`] : [];
    return [call, ...why];
  }
  if (node.type === 'model_call') {
    // the model's words can run to pages: their first line, and what the call cost (the whole text is in --json)
    const call = payload as { inputTokens?: number; outputTokens?: number; latencyMs?: number; attempts?: number };
    const said = node.rationale.trim().split('\n')[0] ?? '';
    const cost = `${call.inputTokens ?? 0} → ${call.outputTokens ?? 0} tokens, ${formatElapsed(call.latencyMs ?? 0)}${(call.attempts ?? 1) > 1 ? `, ${call.attempts} attempts` : ''}`;
    return [...(said ? [said.length > 200 ? `${said.slice(0, 199)}…` : said] : []), cost];
  }
  return node.rationale ? [node.rationale] : [];
}
