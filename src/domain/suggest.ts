/**
 * How many single-character edits (insert, delete, substitute, swap two
 * neighbours) turn `a` into `b` — the optimal string alignment distance, so
 * `stpes` is one edit from `steps`.
 *
 * @example
 * editDistance('stpes', 'steps'); // 1
 * editDistance('automaton', 'automation'); // 1
 */
export function editDistance(a: string, b: string): number {
  // three rows are enough: a swap looks back two characters
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, before[j - 2]! + 1);
      current.push(best);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length]!;
}

// longer than this, a word is not a typo of a field name and comparing costs for nothing
const MAX_COMPARED = 64;

/**
 * The candidate `word` was most likely meant to be, or null when none is
 * close: at most one edit for words up to four characters, two up to eight,
 * three beyond; case is ignored. Ties go to the earlier candidate.
 *
 * @example
 * closestMatch('stpes', ['name', 'goal', 'steps']); // 'steps'
 * closestMatch('colour', ['name', 'goal']); // null
 */
export function closestMatch(word: string, candidates: readonly string[]): string | null {
  if (word.length === 0 || word.length > MAX_COMPARED) return null;
  const wanted = word.toLowerCase();
  const allowed = wanted.length <= 4 ? 1 : wanted.length <= 8 ? 2 : 3;
  let best: string | null = null;
  let bestDistance = allowed + 1;
  for (const candidate of candidates) {
    if (candidate === word || Math.abs(candidate.length - wanted.length) > allowed) continue;
    const distance = editDistance(wanted, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * `; did you mean \`steps\`?` when a candidate is close to `word`, else the
 * empty string: a suffix for a message that already says what is wrong.
 *
 * @example
 * `is not a known field${didYouMean('stpes', ['steps'])}`; // 'is not a known field; did you mean `steps`?'
 */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const match = closestMatch(word, candidates);
  return match === null ? '' : `; did you mean \`${match}\`?`;
}
