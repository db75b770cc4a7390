import { diffLines } from '../../../src/merge/line-diff.js';
import { splitLines } from '../../../src/tools/builtins/patch-hunks.js';

/**
 * A unified diff of `before` to `after` (null: the file does not exist) for
 * `path`, with `context` lines around each change, as diff -u writes it:
 * the line diff is troupe's merge engine's, the rendering this helper's own.
 */
export function unifiedDiff(path: string, before: string | null, after: string | null, context = 3): string {
  const a = splitLines(before ?? '');
  const b = splitLines(after ?? '');
  const changes = diffLines(a, b);
  const groups: { start: number; end: number; delta: number; changes: typeof changes }[] = [];
  let delta = 0;
  for (const change of changes) {
    const start = Math.max(0, change.fromStart - context);
    const end = Math.min(a.length, change.fromEnd + context);
    const last = groups.at(-1);
    if (last && start <= last.end) {
      last.end = end;
      last.changes.push(change);
    } else groups.push({ start, end, delta, changes: [change] });
    delta += change.toEnd - change.toStart - (change.fromEnd - change.fromStart);
  }
  const out = [
    `--- ${before === null ? '/dev/null' : `a/${path}`}`,
    `+++ ${after === null ? '/dev/null' : `b/${path}`}`,
  ];
  for (const group of groups) {
    const body: string[] = [];
    let [oldCount, newCount, at] = [0, 0, group.start];
    const line = (kind: string, text: string) => {
      body.push(`${kind}${text.endsWith('\n') ? text.slice(0, -1) : `${text}\n\\ No newline at end of file`}`);
      if (kind !== '+') oldCount += 1;
      if (kind !== '-') newCount += 1;
    };
    for (const change of group.changes) {
      for (; at < change.fromStart; at += 1) line(' ', a[at]!);
      for (let index = change.fromStart; index < change.fromEnd; index += 1) line('-', a[index]!);
      for (let index = change.toStart; index < change.toEnd; index += 1) line('+', b[index]!);
      at = change.fromEnd;
    }
    for (; at < group.end; at += 1) line(' ', a[at]!);
    // an empty side names the line it follows; any other its first line, counting from 1
    const oldStart = oldCount === 0 ? group.start : group.start + 1;
    const newStart = newCount === 0 ? group.start + group.delta : group.start + group.delta + 1;
    out.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`, ...body);
  }
  return `${out.join('\n')}\n`;
}
