import { quotedPath } from '../../domain/terminal-text.js';

// a decision lists up to 100 pairs: a line names the first few, and counts the rest
const PAIRS_SHOWN = 3;
const FILES_SHOWN = 2;

/**
 * What an `overlap.detected` event says, in a few words for one line: the
 * pairs of children whose scopes meet (with a file of the tree both may
 * write, or the path both match), and what the group's policy does about
 * it. Shared by `plan run`'s progress, `troupe events` and `troupe ui`.
 *
 * @example
 * overlapWords({ policy: 'warn', pairs: [{ entries: ['demo/node', 'demo/npm'], files: ['package.json'], fileCount: 1 }], pairCount: 1 });
 * // 'demo/node ↔ demo/npm (package.json) may write the same files; they run side by side'
 */
export function overlapWords(data: Record<string, unknown>): string {
  const pairs = Array.isArray(data.pairs) ? (data.pairs as Record<string, unknown>[]) : [];
  const count = typeof data.pairCount === 'number' ? data.pairCount : pairs.length;
  const named = pairs.slice(0, PAIRS_SHOWN).map(pairWords);
  const more =
    count > named.length ? ` and ${count - named.length} more pair${count - named.length === 1 ? '' : 's'}` : '';
  return `${named.join(', ')}${more} may write the same files; ${policyWords(data)}`;
}

// `demo/a ↔ demo/b (src/x.ts, src/y.ts, …)`: the files of the tree both may write, else the path both match
function pairWords(pair: Record<string, unknown>): string {
  const names = Array.isArray(pair.entries) ? pair.entries.map(String).join(' ↔ ') : '?';
  const files = Array.isArray(pair.files) ? pair.files.map((file) => quotedPath(String(file))) : [];
  const total = typeof pair.fileCount === 'number' ? pair.fileCount : files.length;
  const shown = files.slice(0, FILES_SHOWN).join(', ') + (total > FILES_SHOWN ? ', …' : '');
  const where = shown !== '' ? shown : typeof pair.example === 'string' ? quotedPath(pair.example) : '';
  return where === '' ? names : `${names} (${where})`;
}

function policyWords(data: Record<string, unknown>): string {
  if (data.policy !== 'serialize') return 'they run side by side';
  const edges = Array.isArray(data.edges) ? (data.edges as { from?: unknown; to?: unknown }[]) : [];
  if (edges.length === 0) return 'the group runs one at a time already';
  return `serialized: ${edges
    .slice(0, PAIRS_SHOWN)
    .map((edge) => `${String(edge.to)} waits for ${String(edge.from)}`)
    .join(', ')}${edges.length > PAIRS_SHOWN ? ', …' : ''}`;
}
