import type { ConflictHunk } from '../domain/index.js';
import { diffLines, type LineChange } from './line-diff.js';

/** What {@link mergeText} answers. */
export interface TextMerge {
  /** The merged text: clean, resolved to a side, or with diff3 markers around each conflict. */
  text: string;
  /** The conflicting regions, in file order; still listed when a side resolved them. */
  conflicts: ConflictHunk[];
}

/**
 * Split text into lines that keep their terminators, the way git's xdiff
 * does: a line ends at `\n`, so `\r\n` stays whole (CRLF survives a merge
 * byte for byte) and a last line without a terminator stays without one.
 *
 * @example
 * splitLines('a\r\nb'); // ['a\r\n', 'b']
 */
export function splitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (;;) {
    const end = text.indexOf('\n', start);
    if (end === -1) break;
    lines.push(text.slice(start, end + 1));
    start = end + 1;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

/**
 * Line-based three-way merge, as `git merge-file --diff3` does it: changes
 * to different regions of base merge, identical changes merge, changes that
 * touch or adjoin the same region of base conflict, and each side's changes
 * are placed as git places them ({@link diffLines}). `base: null` (a file
 * both sides added) merges against an empty base, digging into the one
 * conflict that makes so that lines both sides added alike merge (as
 * node-diff3's `mergeDigIn` and git's refined conflicts do); its hunks have
 * a null base. With `resolveTo`, each conflict takes that side's lines;
 * without, the text carries git-style diff3 markers.
 *
 * @example
 * mergeText('a\nb\nc\n', 'A\nb\nc\n', 'a\nb\nC\n', null).text; // 'A\nb\nC\n'
 */
export function mergeText(
  base: string | null,
  ours: string,
  theirs: string,
  resolveTo: 'ours' | 'theirs' | null,
): TextMerge {
  const o = splitLines(base ?? '');
  const a = splitLines(ours);
  const b = splitLines(theirs);
  const regions = base === null ? digIn(a, b) : threeWay(a, o, b);
  const out: string[] = [];
  const conflicts: ConflictHunk[] = [];
  for (const region of regions) {
    if ('ok' in region) {
      append(out, region.ok);
      continue;
    }
    conflicts.push({
      ours: region.a.join(''),
      base: base === null ? null : region.o.join(''),
      theirs: region.b.join(''),
    });
    if (resolveTo === 'ours') append(out, region.a);
    else if (resolveTo === 'theirs') append(out, region.b);
    else {
      const eol = markerEol(a, region.aStart, b, region.bStart, o);
      for (const section of [
        [`<<<<<<< ours${eol}`],
        closed(region.a, eol),
        [`||||||| base${eol}`],
        closed(region.o, eol),
      ])
        append(out, section);
      for (const section of [[`=======${eol}`], closed(region.b, eol), [`>>>>>>> theirs${eol}`]]) append(out, section);
    }
  }
  return { text: out.join(''), conflicts };
}

// a stretch of the merge: lines that merged, or a conflict with where it starts in ours and theirs
type Region = { ok: string[] } | { a: string[]; o: string[]; b: string[]; aStart: number; bStart: number };

// one side's change, in base coordinates [oStart, oEnd) and its own [start, end)
interface SideChange {
  side: 'a' | 'b';
  oStart: number;
  oEnd: number;
  start: number;
  end: number;
}

// diff3's regions (node-diff3's diff3MergeRegions, over git-placed diffs): changes
// of both sides that overlap or touch in base form one region, which conflicts
// unless both sides made it the same
function threeWay(a: string[], o: string[], b: string[]): Region[] {
  const changes: SideChange[] = [];
  const add = (side: 'a' | 'b') => (change: LineChange) =>
    changes.push({ side, oStart: change.fromStart, oEnd: change.fromEnd, start: change.toStart, end: change.toEnd });
  diffLines(o, a).forEach(add('a'));
  diffLines(o, b).forEach(add('b'));
  // stable: at the same place, ours' change comes first
  changes.sort((x, y) => x.oStart - y.oStart);

  const regions: Region[] = [];
  const ok: string[] = [];
  let done = 0;
  for (let at = 0; at < changes.length;) {
    const first = changes[at]!;
    const region = [first];
    let oEnd = first.oEnd;
    for (at++; at < changes.length && changes[at]!.oStart <= oEnd; at++) {
      region.push(changes[at]!);
      oEnd = Math.max(oEnd, changes[at]!.oEnd);
    }
    const oStart = first.oStart;
    append(ok, o, done, oStart);
    done = oEnd;
    if (region.length === 1) {
      append(ok, first.side === 'a' ? a : b, first.start, first.end);
      continue;
    }
    // a region with two changes or more holds changes of both sides
    const span = (side: 'a' | 'b') => {
      const own = region.filter((change) => change.side === side);
      const least = (pick: (change: SideChange) => number) =>
        own.reduce((low, change) => Math.min(low, pick(change)), Infinity);
      const most = (pick: (change: SideChange) => number) =>
        own.reduce((high, change) => Math.max(high, pick(change)), -Infinity);
      const start = least((change) => change.start) - (least((change) => change.oStart) - oStart);
      const end = most((change) => change.end) + (oEnd - most((change) => change.oEnd));
      return { start, lines: (side === 'a' ? a : b).slice(start, end) };
    };
    const [ours, theirs] = [span('a'), span('b')];
    if (sameLines(ours.lines, theirs.lines)) {
      append(ok, ours.lines);
      continue;
    }
    if (ok.length > 0) regions.push({ ok: ok.splice(0) });
    regions.push({
      a: ours.lines,
      o: o.slice(oStart, oEnd),
      b: theirs.lines,
      aStart: ours.start,
      bStart: theirs.start,
    });
  }
  append(ok, o, done, o.length);
  if (ok.length > 0) regions.push({ ok });
  return regions;
}

// with an empty base, the only region is one conflict of ours against theirs:
// split it by a two-way diff so that the lines they share are not in conflict
function digIn(a: string[], b: string[]): Region[] {
  const regions: Region[] = [];
  let at = 0;
  for (const change of diffLines(a, b)) {
    if (change.fromStart > at) regions.push({ ok: a.slice(at, change.fromStart) });
    regions.push({
      a: a.slice(change.fromStart, change.fromEnd),
      o: [],
      b: b.slice(change.toStart, change.toEnd),
      aStart: change.fromStart,
      bStart: change.toStart,
    });
    at = change.fromEnd;
  }
  if (at < a.length) regions.push({ ok: a.slice(at) });
  return regions;
}

// push one by one: spreading a long array into push() overflows the stack
function append(target: string[], lines: readonly string[], from = 0, to = lines.length): void {
  for (let at = from; at < to; at++) target.push(lines[at]!);
}

function sameLines(x: string[], y: string[]): boolean {
  return x.length === y.length && x.every((line, at) => line === y[at]);
}

// a section that ends without a newline gets one, so the next marker starts a line
function closed(lines: string[], eol: string): string[] {
  const last = lines.at(-1);
  return last === undefined || last.endsWith('\n') ? lines : [...lines.slice(0, -1), last + eol];
}

// git's is_cr_needed (xdiff/xmerge.c): markers end in CRLF when the lines
// before the conflict in ours and theirs, and base's first line, do
function markerEol(ours: string[], oursAt: number, theirs: string[], theirsAt: number, base: string[]): string {
  let crlf = eolIsCrlf(ours, oursAt > 0 ? oursAt - 1 : 0);
  if (crlf !== false) crlf = eolIsCrlf(theirs, theirsAt > 0 ? theirsAt - 1 : 0);
  if (crlf !== false) crlf = eolIsCrlf(base, 0);
  return crlf === true ? '\r\n' : '\n';
}

// git's is_eol_crlf: undefined when the file cannot tell (empty, or one line without a newline)
function eolIsCrlf(lines: string[], at: number): boolean | undefined {
  if (lines.length === 0) return undefined;
  const line = lines[at]!;
  if (at < lines.length - 1 || line.endsWith('\n')) return line.endsWith('\r\n');
  if (at === 0) return undefined;
  return lines[at - 1]!.endsWith('\r\n');
}
