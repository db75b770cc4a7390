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
export function placeMembers<T extends { key: string }>(kept: T[], added: T[], sides: { base: JsonObject; ours: JsonObject; theirs: JsonObject }): T[] {
  const out = [...kept];
  if (added.length === 0) return out;
  const keysOf = (node: JsonObject) => node.members.map((member) => member.key);
  const [oursKeys, theirsKeys] = [keysOf(sides.ours), keysOf(sides.theirs)];
  const order = [byCodeUnit, ignoringCase].find((compare) => isSorted(oursKeys, compare) && isSorted(theirsKeys, compare));
  const sorted = oursKeys.length >= SORTED_AT_LEAST && theirsKeys.length >= SORTED_AT_LEAST ? order : undefined;
  const [inTheirs, inBase] = [new Set(theirsKeys), new Set(keysOf(sides.base))];
  const onlyOurs = new Set(oursKeys.filter((key) => !inTheirs.has(key) && !inBase.has(key)));
  const pending = new Map(added.map((member) => [member.key, member]));
  let previous: string | null = null;
  for (const key of theirsKeys) {
    const member = pending.get(key);
    if (member === undefined) {
      if (out.some((placed) => placed.key === key)) previous = key;
      continue;
    }
    let at: number;
    if (sorted) {
      at = out.findIndex((placed) => sorted(placed.key, key) > 0);
      if (at === -1) at = out.length;
    } else {
      at = previous === null ? 0 : out.findIndex((placed) => placed.key === previous) + 1;
      while (at < out.length && onlyOurs.has(out[at]!.key)) at++;
    }
    out.splice(at, 0, member);
    previous = key;
  }
  return out;
}

function isSorted(keys: string[], compare: Compare): boolean {
  return keys.every((key, at) => at === 0 || compare(keys[at - 1]!, key) < 0);
}
