/**
 * A longest common subsequence of two sequences of integer ids, as the
 * matched index pairs `[i0, j0, i1, j1, …]` in increasing order (`a[i] ===
 * b[j]` for each pair).
 *
 * It is Hunt–McIlroy's, the very one node-diff3 computes (its `LCS`, from
 * the JavaScript diff of Tony Garnock-Jones), so where several longest
 * subsequences exist it picks the same one, and merges keep their answers:
 * for each line of `a`, its matches in `b` from first to last extend the
 * candidate chains. What differs is the cost. node-diff3 looks for the
 * chain a match extends by walking the candidates one by one, from where
 * the previous match of the line left off to the end when there is none:
 * the candidates of a file with many repeated lines number in the
 * thousands, so that walk made the LCS of a 100 KB file cost about 100 ms.
 * The candidates' last `b` indices only grow along the array, so a binary
 * search finds the same candidate in log time; ids are compared instead of
 * strings, and candidates live in typed arrays rather than objects.
 *
 * @example
 * longestCommonSubsequence([1, 2, 3], [2, 3, 4]); // [1, 0, 2, 1]
 */
export function longestCommonSubsequence(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  // b's indices of each id, ascending: the equivalence classes
  const classes = new Map<number, number[]>();
  for (let j = 0; j < b.length; j++) {
    const positions = classes.get(b[j]!);
    if (positions) positions.push(j);
    else classes.set(b[j]!, [j]);
  }
  // candidate k is the match (candidateA[k], candidateB[k]) chained to candidate chainOf[k]; 0 is the empty chain
  let size = 1024;
  let candidateA = new Int32Array(size);
  let candidateB = new Int32Array(size);
  let chainOf = new Int32Array(size);
  [candidateA[0], candidateB[0], chainOf[0]] = [-1, -1, -1];
  let made = 1;
  // thresholds[s]: the candidate that ends the best chain of length s found
  // so far; thresholdB[s] its b index, which grows with s
  const thresholds = new Int32Array(Math.min(a.length, b.length) + 2);
  const thresholdB = new Int32Array(thresholds.length);
  thresholdB[0] = -1;
  let length = 1;
  for (let i = 0; i < a.length; i++) {
    const positions = classes.get(a[i]!);
    if (positions === undefined) continue;
    // the new candidate of a match is written one match late, so that later
    // matches of the same line do not chain onto it (node-diff3's r and c)
    let r = 0;
    let pending = thresholds[0]!;
    // where the search for the next match's threshold starts: all before it are below that match
    let from = 0;
    for (let at = 0; at < positions.length; at++) {
      let j = positions[at]!;
      // a match at or before threshold r's b index extends no chain from r
      // on: skip those of the line's matches at once (node-diff3 tries each)
      const floor = thresholdB[r]!;
      if (j <= floor) {
        let low = at + 1;
        let high = positions.length;
        while (low < high) {
          const mid = (low + high) >> 1;
          if (positions[mid]! <= floor) low = mid + 1;
          else high = mid;
        }
        if (low === positions.length) break;
        at = low;
        j = positions[low]!;
      }
      // the first threshold from `from` on whose b index is not below j:
      // galloping, as repeated lines usually find it a step or two further
      let low = from;
      let high = from;
      let step = 1;
      while (high < length && thresholdB[high]! < j) {
        low = high + 1;
        high = low + step;
        step *= 2;
      }
      if (high > length) high = length;
      while (low < high) {
        const mid = (low + high) >> 1;
        if (thresholdB[mid]! < j) low = mid + 1;
        else high = mid;
      }
      // a chain of the same length already ends at j: no better candidate
      if (low < length && thresholdB[low] === j) {
        from = low + 1;
        continue;
      }
      if (made === size) {
        size *= 2;
        [candidateA, candidateB, chainOf] = [grown(candidateA, size), grown(candidateB, size), grown(chainOf, size)];
      }
      candidateA[made] = i;
      candidateB[made] = j;
      chainOf[made] = thresholds[low - 1]!;
      thresholds[r] = pending;
      thresholdB[r] = candidateB[pending]!;
      r = from = low;
      pending = made++;
      if (r === length) break;
    }
    thresholds[r] = pending;
    thresholdB[r] = candidateB[pending]!;
    if (r === length) length++;
  }
  const pairs: number[] = [];
  for (let k = thresholds[length - 1]!; k > 0; k = chainOf[k]!) pairs.push(candidateB[k]!, candidateA[k]!);
  return pairs.reverse();
}

function grown(array: Int32Array<ArrayBuffer>, size: number): Int32Array<ArrayBuffer> {
  const larger = new Int32Array(size);
  larger.set(array);
  return larger;
}
