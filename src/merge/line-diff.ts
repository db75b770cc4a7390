import { longestCommonSubsequence } from './lcs.js';

/** One changed region of a two-way line diff: `from[fromStart..fromEnd)` became `to[toStart..toEnd)`. */
export interface LineChange {
  fromStart: number;
  fromEnd: number;
  toStart: number;
  toEnd: number;
}

// how many matching line pairs one LCS may take (with repeated lines, like
// blank ones, they grow as the square of the file); past it a region is cut
// at its unique lines first. Where the cuts fall decides answers, so the
// bound stays what it was when node-diff3's slower LCS needed it.
const LCS_BUDGET = 50_000;

/**
 * Two-way diff of line arrays, placed the way git's xdiff places it. The
 * longest common subsequence is Hunt–McIlroy's, the one node-diff3 computes
 * ({@link longestCommonSubsequence}); where repeated lines leave a choice of
 * where a change sits, which decides
 * whether a three-way merge conflicts, the change is moved where git moves
 * it: the common prefix and suffix are kept out of the diff (xdiff's
 * `xdl_trim_ends`), and each change is slid as far down as it goes, then
 * back up to line up with a change in the other file if it passed one
 * (xdiff's `xdl_change_compact`, without the indent heuristic, which
 * `git merge-file` does not use).
 *
 * Large inputs stay fast: lines are compared as integer ids (one hash of
 * each line outside the common prefix and suffix), lines found in only one
 * file are changed without asking the LCS (as xdiff's
 * `xdl_cleanup_records` does), and a region whose LCS would be costly is
 * first cut at the lines that occur exactly once in both files, in order
 * (patience diff's anchors); a region still too costly and without such a
 * line is taken as changed as a whole, which can only turn a clean merge
 * into a conflict, never merge wrongly.
 *
 * @example
 * // 'b' was inserted after the first 'b', says git, not before it
 * diffLines(['a', 'b', 'c'], ['a', 'b', 'b', 'c']); // [{ fromStart: 2, fromEnd: 2, toStart: 2, toEnd: 3 }]
 */
export function diffLines(from: readonly string[], to: readonly string[]): LineChange[] {
  // changed flags, with an unchanged sentinel before the first line and after the last (index + 1)
  const fromChanged = new Uint8Array(from.length + 2);
  const toChanged = new Uint8Array(to.length + 2);
  let [fromStart, toStart, fromEnd, toEnd] = [0, 0, from.length, to.length];
  while (fromStart < fromEnd && toStart < toEnd && from[fromStart] === to[toStart])
    [fromStart, toStart] = [fromStart + 1, toStart + 1];
  while (fromStart < fromEnd && toStart < toEnd && from[fromEnd - 1] === to[toEnd - 1])
    [fromEnd, toEnd] = [fromEnd - 1, toEnd - 1];
  if (fromStart < fromEnd || toStart < toEnd) {
    const ids = new LineIds(from, fromStart, fromEnd, to, toStart, toEnd);
    markChanges(ids, fromStart, fromEnd, toStart, toEnd, fromChanged, toChanged);
    // the same order as xdl_merge: the old file's changes first, then the new file's
    compact(from, fromChanged, toChanged, to.length);
    compact(to, toChanged, fromChanged, from.length);
  }
  return changesOf(fromChanged, from.length, toChanged, to.length);
}

// the lines of the region being diffed as integer ids (equal lines, equal
// ids), with per-id scratch counters that each markChanges call leaves at zero
class LineIds {
  readonly from: Int32Array;
  readonly to: Int32Array;
  // per id: occurrences in the region's from and to, and where it first occurs in each
  readonly fromCount: Int32Array;
  readonly toCount: Int32Array;
  readonly fromAt: Int32Array;
  readonly toAt: Int32Array;

  constructor(
    from: readonly string[],
    fromStart: number,
    fromEnd: number,
    to: readonly string[],
    toStart: number,
    toEnd: number,
  ) {
    const idOf = new Map<string, number>();
    const intern = (lines: readonly string[], start: number, end: number) => {
      const ids = new Int32Array(lines.length);
      for (let at = start; at < end; at++) {
        const line = lines[at]!;
        let id = idOf.get(line);
        if (id === undefined) idOf.set(line, (id = idOf.size));
        ids[at] = id;
      }
      return ids;
    };
    this.from = intern(from, fromStart, fromEnd);
    this.to = intern(to, toStart, toEnd);
    this.fromCount = new Int32Array(idOf.size);
    this.toCount = new Int32Array(idOf.size);
    this.fromAt = new Int32Array(idOf.size);
    this.toAt = new Int32Array(idOf.size);
  }
}

// flag the changed lines of from[fromStart..fromEnd) against to[toStart..toEnd)
function markChanges(
  ids: LineIds,
  fromStart: number,
  fromEnd: number,
  toStart: number,
  toEnd: number,
  fromChanged: Uint8Array,
  toChanged: Uint8Array,
): void {
  const { from, to, fromCount, toCount, fromAt, toAt } = ids;
  while (fromStart < fromEnd && toStart < toEnd && from[fromStart] === to[toStart])
    [fromStart, toStart] = [fromStart + 1, toStart + 1];
  while (fromStart < fromEnd && toStart < toEnd && from[fromEnd - 1] === to[toEnd - 1])
    [fromEnd, toEnd] = [fromEnd - 1, toEnd - 1];
  if (fromStart === fromEnd && toStart === toEnd) return;
  // the ids of from's lines, in the order they first occur
  const seen: number[] = [];
  for (let at = fromStart; at < fromEnd; at++) {
    const id = from[at]!;
    if (fromCount[id] === 0) {
      fromAt[id] = at;
      seen.push(id);
    }
    fromCount[id]!++;
  }
  for (let at = toStart; at < toEnd; at++) {
    const id = to[at]!;
    if (fromCount[id] === 0) continue;
    if (toCount[id] === 0) toAt[id] = at;
    toCount[id]!++;
  }
  // a line the other file lacks is changed whatever the LCS
  const fromKept: number[] = [];
  const toKept: number[] = [];
  for (let at = fromStart; at < fromEnd; at++) {
    if (toCount[from[at]!]! > 0) fromKept.push(at);
    else fromChanged[at + 1] = 1;
  }
  for (let at = toStart; at < toEnd; at++) {
    if (toCount[to[at]!]! > 0) toKept.push(at);
    else toChanged[at + 1] = 1;
  }
  let pairs = 0;
  for (const id of seen) pairs += fromCount[id]! * toCount[id]!;

  if (pairs > LCS_BUDGET) {
    // in from order already: an id seen once in from was seen at its only line
    const unique = seen
      .filter((id) => fromCount[id] === 1 && toCount[id] === 1)
      .map((id) => ({ fromAt: fromAt[id]!, toAt: toAt[id]! }));
    for (const id of seen) fromCount[id] = toCount[id] = 0;
    const anchors = orderedUniqueLines(unique);
    if (anchors.length === 0) {
      fromChanged.fill(1, fromStart + 1, fromEnd + 1);
      toChanged.fill(1, toStart + 1, toEnd + 1);
      return;
    }
    let [fromNext, toNext] = [fromStart, toStart];
    for (const anchor of [...anchors, { fromAt: fromEnd, toAt: toEnd }]) {
      markChanges(ids, fromNext, anchor.fromAt, toNext, anchor.toAt, fromChanged, toChanged);
      [fromNext, toNext] = [anchor.fromAt + 1, anchor.toAt + 1];
    }
    return;
  }
  const kept = (source: Int32Array, lines: number[]) => {
    const ids = new Int32Array(lines.length);
    for (let at = 0; at < lines.length; at++) ids[at] = source[lines[at]!]!;
    return ids;
  };
  const common = longestCommonSubsequence(kept(from, fromKept), kept(to, toKept));
  for (const id of seen) fromCount[id] = toCount[id] = 0;
  // what the LCS leaves out of the kept lines is changed
  const fromCommon = new Uint8Array(fromKept.length);
  const toCommon = new Uint8Array(toKept.length);
  for (let at = 0; at < common.length; at += 2) {
    fromCommon[common[at]!] = 1;
    toCommon[common[at + 1]!] = 1;
  }
  fromKept.forEach((line, at) => (fromChanged[line + 1] = fromCommon[at] ? 0 : 1));
  toKept.forEach((line, at) => (toChanged[line + 1] = toCommon[at] ? 0 : 1));
}

// the longest run of once-in-each-file lines that keeps its order in both (patience sorting)
function orderedUniqueLines(unique: { fromAt: number; toAt: number }[]): { fromAt: number; toAt: number }[] {
  const tails: number[] = [];
  const previous = new Array<number>(unique.length).fill(-1);
  for (let at = 0; at < unique.length; at++) {
    let [low, high] = [0, tails.length];
    while (low < high) {
      const mid = (low + high) >> 1;
      if (unique[tails[mid]!]!.toAt < unique[at]!.toAt) low = mid + 1;
      else high = mid;
    }
    if (low > 0) previous[at] = tails[low - 1]!;
    tails[low] = at;
  }
  const run: { fromAt: number; toAt: number }[] = [];
  for (let at = tails.at(-1) ?? -1; at !== -1; at = previous[at]!) run.push(unique[at]!);
  return run.reverse();
}

// a run of changed lines [start, end) in one file; empty between two unchanged lines
interface Group {
  start: number;
  end: number;
}

// xdiff's group helpers over 1-based flag arrays: flags[i + 1] is line i
class Groups {
  constructor(
    private readonly flags: Uint8Array,
    private readonly length: number,
    private readonly lines: readonly string[] | null,
  ) {}

  first(): Group {
    const group = { start: 0, end: 0 };
    while (this.flags[group.end + 1]) group.end++;
    return group;
  }

  next(group: Group): boolean {
    if (group.end === this.length) return false;
    group.start = group.end + 1;
    group.end = group.start;
    while (this.flags[group.end + 1]) group.end++;
    return true;
  }

  previous(group: Group): boolean {
    if (group.start === 0) return false;
    group.end = group.start - 1;
    group.start = group.end;
    while (this.flags[group.start]) group.start--;
    return true;
  }

  // move the group one line down when the line after it equals its first line
  slideDown(group: Group): boolean {
    const lines = this.lines!;
    if (group.end >= this.length || lines[group.start] !== lines[group.end]) return false;
    this.flags[group.start + 1] = 0;
    this.flags[group.end + 1] = 1;
    group.start++;
    group.end++;
    while (this.flags[group.end + 1]) group.end++;
    return true;
  }

  // move the group one line up when the line before it equals its last line
  slideUp(group: Group): boolean {
    const lines = this.lines!;
    if (group.start === 0 || lines[group.start - 1] !== lines[group.end - 1]) return false;
    this.flags[group.start] = 1;
    this.flags[group.end] = 0;
    group.start--;
    group.end--;
    while (this.flags[group.start]) group.start--;
    return true;
  }
}

/**
 * xdiff's `xdl_change_compact` over changed-line flags (`flags[i + 1]` is
 * line i; `otherFlags` the other file's, with as many unchanged lines):
 * slide each group of changes in `lines` down as far as it goes, merging
 * groups it runs into; if it passed a change in the other file on the way,
 * slide it back up to end where that change ends. Exported for its tests,
 * which hand it flags directly: a group that slides down into the next one
 * is xdiff behaviour no diff from {@link diffLines} was found to reach.
 *
 * @internal
 */
export function compact(
  lines: readonly string[],
  flags: Uint8Array,
  otherFlags: Uint8Array,
  otherLength: number,
): void {
  const mine = new Groups(flags, lines.length, lines);
  const other = new Groups(otherFlags, otherLength, null);
  const group = mine.first();
  const otherGroup = other.first();
  for (;;) {
    if (group.end !== group.start) {
      let size: number;
      let earliestEnd: number;
      let endMatchingOther: number;
      do {
        size = group.end - group.start;
        endMatchingOther = -1;
        while (mine.slideUp(group)) other.previous(otherGroup);
        earliestEnd = group.end;
        if (otherGroup.end > otherGroup.start) endMatchingOther = group.end;
        while (mine.slideDown(group)) {
          other.next(otherGroup);
          if (otherGroup.end > otherGroup.start) endMatchingOther = group.end;
        }
      } while (size !== group.end - group.start);
      if (group.end !== earliestEnd && endMatchingOther !== -1) {
        while (otherGroup.end === otherGroup.start) {
          mine.slideUp(group);
          other.previous(otherGroup);
        }
      }
    }
    if (!mine.next(group)) break;
    other.next(otherGroup);
  }
}

// xdl_build_script: pair the groups of both files into changes
function changesOf(fromChanged: Uint8Array, fromLength: number, toChanged: Uint8Array, toLength: number): LineChange[] {
  const changes: LineChange[] = [];
  let i = 0;
  let j = 0;
  while (i < fromLength || j < toLength) {
    if (fromChanged[i + 1] || toChanged[j + 1]) {
      const [fromStart, toStart] = [i, j];
      while (i < fromLength && fromChanged[i + 1]) i++;
      while (j < toLength && toChanged[j + 1]) j++;
      changes.push({ fromStart, fromEnd: i, toStart, toEnd: j });
    } else {
      i++;
      j++;
    }
  }
  return changes;
}
