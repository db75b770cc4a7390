// Where the keys only theirs has go in a merged object. Appending them would
// break the order theirs gave them (a sorted list of dependencies or schema
// definitions comes out unsorted), so each goes where theirs put it.
import type { JsonObject } from './json-syntax.js';

type Compare = (x: string, y: string) => number;

const byCodeUnit: Compare = (x, y) => (x < y ? -1 : x > y ? 1 : 0);
const ignoringCase: Compare = (x, y) => byCodeUnit(x.toLowerCase(), y.toLowerCase()) || byCodeUnit(x, y);

// two keys are sorted by chance too often to mean anything
const SORTED_AT_LEAST = 3;

/**
 * The members of a merged object in output order: ours' (`kept`, in ours'
 * order) with each member only theirs has (`added`, in theirs' order)
 * inserted. When ours and theirs both keep the object sorted (by code unit,
 * or ignoring case) and have at least 3 keys, an added key goes where the
 * order puts it. Otherwise it goes right after the key theirs has before it
 * that is in the merge, past keys only ours added there (ours' first when
 * both sides add at the same place), or first when theirs has it first.
 *
 * @example
 * placeMembers([{ key: 'a' }, { key: 'c' }], [{ key: 'b' }], sides).map((m) => m.key); // ['a', 'b', 'c'] when theirs is {a, b, c}
 */
export function placeMembers<T extends { key: string }>(
  kept: T[],
  added: T[],
  sides: { base: JsonObject; ours: JsonObject; theirs: JsonObject },
): T[] {
  if (added.length === 0) return kept;
  const keysOf = (node: JsonObject) => node.members.map((member) => member.key);
  const [oursKeys, theirsKeys] = [keysOf(sides.ours), keysOf(sides.theirs)];
  const order = [byCodeUnit, ignoringCase].find(
    (compare) => isSorted(oursKeys, compare) && isSorted(theirsKeys, compare),
  );
  if (order && oursKeys.length >= SORTED_AT_LEAST && theirsKeys.length >= SORTED_AT_LEAST)
    return mergeSorted(kept, added, order);
  // each added member follows the nearest key before it in theirs that the merge has
  const pending = new Map(added.map((member) => [member.key, member]));
  const merged = new Set([...kept.map((member) => member.key), ...pending.keys()]);
  const after = new Map<string | null, T[]>();
  let previous: string | null = null;
  for (const key of theirsKeys) {
    if (!merged.has(key)) continue;
    const member = pending.get(key);
    if (member !== undefined) {
      const group = after.get(previous) ?? [];
      group.push(member);
      after.set(previous, group);
    }
    previous = key;
  }
  const [inTheirs, inBase] = [new Set(theirsKeys), new Set(keysOf(sides.base))];
  const out: T[] = [];
  // depth first, without recursion: theirs may add thousands of keys in a row
  const flush = (anchor: string | null) => {
    const stack = [...(after.get(anchor) ?? [])].reverse();
    for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
      out.push(member);
      stack.push(...[...(after.get(member.key) ?? [])].reverse());
    }
  };
  // a group waits past the keys only ours added right after its anchor
  let waiting: string | null = null;
  for (const member of kept) {
    const onlyOurs = !inTheirs.has(member.key) && !inBase.has(member.key);
    if (!onlyOurs) flush(waiting);
    out.push(member);
    if (!onlyOurs) waiting = member.key;
  }
  flush(waiting);
  return out;
}

// both lists in `compare`'s order: merged, they stay in it
function mergeSorted<T extends { key: string }>(kept: T[], added: T[], compare: Compare): T[] {
  const out: T[] = [];
  let [k, a] = [0, 0];
  while (k < kept.length || a < added.length) {
    const takeKept = a === added.length || (k < kept.length && compare(kept[k]!.key, added[a]!.key) < 0);
    out.push(takeKept ? kept[k++]! : added[a++]!);
  }
  return out;
}

function isSorted(keys: string[], compare: Compare): boolean {
  return keys.every((key, at) => at === 0 || compare(keys[at - 1]!, key) < 0);
}
