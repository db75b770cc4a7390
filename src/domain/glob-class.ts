import { escapedChar, GlobRefusal } from './glob-refusal.js';

/**
 * A parsed bracket expression (`[a-z]`, `[!._]`, `[[:digit:]]`): a bitmap
 * for ASCII and `[lo, hi]` pairs for the rest. It never matches `/`.
 */
export interface GlobClass {
  negated: boolean;
  ascii: Uint32Array;
  /** Inclusive code point ranges above ASCII, flattened: lo, hi, lo, hi… */
  wide: number[];
}

// the POSIX classes picomatch knows, ASCII only as there
const POSIX: Record<string, ReadonlyArray<readonly [number, number]>> = {
  alnum: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  alpha: [
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  ascii: [[0x00, 0x7f]],
  blank: [
    [0x09, 0x09],
    [0x20, 0x20],
  ],
  cntrl: [
    [0x00, 0x1f],
    [0x7f, 0x7f],
  ],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [
    [0x21, 0x2f],
    [0x3a, 0x40],
    [0x5b, 0x60],
    [0x7b, 0x7e],
  ],
  space: [
    [0x09, 0x0d],
    [0x20, 0x20],
  ],
  upper: [[0x41, 0x5a]],
  word: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x5f, 0x5f],
    [0x61, 0x7a],
  ],
  xdigit: [
    [0x30, 0x39],
    [0x41, 0x46],
    [0x61, 0x66],
  ],
};

const SLASH = 0x2f;
const DASH = 0x2d;
const CLOSE = 0x5d;

type Item = { cp: number; plain: boolean } | { posix: string };

/**
 * The class that starts with the `[` at `cps[start]` and the index of its
 * `]`, or null when it is never closed (then the `[` is a plain character).
 * `!` or `^` first negates; a `]` first is a member; `\x` is x.
 */
export function parseGlobClass(cps: readonly number[], start: number): { cls: GlobClass; end: number } | null {
  let i = start + 1;
  const negated = cps[i] === 0x21 || cps[i] === 0x5e;
  if (negated) i++;
  const items: Item[] = [];
  for (let first = true; i < cps.length; first = false) {
    const cp = cps[i]!;
    if (cp === CLOSE && !first) return { cls: build(items, negated), end: i };
    if (cp === 0x5c) {
      items.push({ cp: escapedChar(cps, i), plain: false });
      i += 2;
      continue;
    }
    const posix = posixAt(cps, i);
    if (posix !== null) {
      items.push({ posix: posix.name });
      i = posix.end + 1;
      continue;
    }
    items.push({ cp, plain: true });
    i++;
  }
  return null;
}

/** Whether `cp` is in the class; `/` never is, as a class matches within one path segment. */
export function globClassMatches(cls: GlobClass, cp: number): boolean {
  if (cp === SLASH) return false;
  let member = false;
  if (cp < 128) member = (cls.ascii[cp >>> 5]! & (1 << (cp & 31))) !== 0;
  else for (let i = 0; i < cls.wide.length && !member; i += 2) member = cp >= cls.wide[i]! && cp <= cls.wide[i + 1]!;
  return member !== cls.negated;
}

// `[:name:]` at `at`, or null when the text there is not one
function posixAt(cps: readonly number[], at: number): { name: string; end: number } | null {
  if (cps[at] !== 0x5b || cps[at + 1] !== 0x3a) return null;
  let j = at + 2;
  while (j < cps.length && cps[j]! >= 0x61 && cps[j]! <= 0x7a) j++;
  if (j === at + 2 || cps[j] !== 0x3a || cps[j + 1] !== CLOSE) return null;
  const name = String.fromCodePoint(...cps.slice(at + 2, j));
  if (!(name in POSIX))
    throw new GlobRefusal(`"[:${name}:]" is not a known character class: use one of ${Object.keys(POSIX).join(', ')}`);
  return { name, end: j + 1 };
}

function build(items: readonly Item[], negated: boolean): GlobClass {
  const cls: GlobClass = { negated, ascii: new Uint32Array(4), wide: [] };
  for (let k = 0; k < items.length; k++) {
    const item = items[k]!;
    const dash = items[k + 1];
    const end = items[k + 2];
    const ranged = dash !== undefined && 'cp' in dash && dash.plain && dash.cp === DASH && end !== undefined;
    // picomatch pastes the POSIX class's ranges in: "[a-[:word:]]" becomes the broken range "a-A"
    if (ranged && ('posix' in item || 'posix' in end)) {
      throw new GlobRefusal(
        'a "-" between a POSIX class and another member of a character class is not a range: put the "-" first or last',
      );
    }
    if ('posix' in item) {
      for (const [lo, hi] of POSIX[item.posix]!) add(cls, lo, hi);
      continue;
    }
    // "a-z" is a range; a "-" first or last is itself
    if (ranged && 'cp' in end) {
      if (end.cp < item.cp) {
        throw new GlobRefusal(
          `the range "${String.fromCodePoint(item.cp)}-${String.fromCodePoint(end.cp)}" in a character class is reversed: write "${String.fromCodePoint(end.cp)}-${String.fromCodePoint(item.cp)}"`,
        );
      }
      add(cls, item.cp, end.cp);
      k += 2;
    } else {
      add(cls, item.cp, item.cp);
    }
  }
  return cls;
}

function add(cls: GlobClass, lo: number, hi: number): void {
  for (let cp = lo; cp <= Math.min(hi, 127); cp++) cls.ascii[cp >>> 5] = cls.ascii[cp >>> 5]! | (1 << (cp & 31));
  if (hi >= 128) cls.wide.push(Math.max(lo, 128), hi);
}
