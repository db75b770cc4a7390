import { globClassMatches, type GlobClass } from './glob-class.js';
import type { GlobLexeme } from './glob-lexer.js';

const SLASH = 0x2f;
const STAR_CP = 0x2a;
const QUESTION = 0x3f;
// per-character masks kept for characters above ASCII before the cache starts over
const WIDE_CACHE_LIMIT = 1024;

/**
 * A compiled glob: a Thompson-style NFA over the glob's tokens, run by
 * keeping the set of live states per character as a bit vector (never
 * backtracking), so a match costs O(states × path length) whatever the
 * glob and the path.
 */
export interface GlobNfa {
  /** Whether `path` (normalized, relative, `/`-separated) matches. The empty path never does. */
  match(path: string): boolean;
  /** The number of states, which bounds the work per path character. */
  readonly size: number;
  /** The work the last `match` did: words of state sets combined, plus states examined to build masks. */
  readonly steps: number;
  /** The automaton's states one by one, for algorithms over the automaton itself (glob-overlap.ts). */
  readonly shape: GlobShape;
}

/**
 * One state of a glob's automaton, by what it reads (the automaton reads
 * `"/" + path`): `separator` "/" → next; `literal` its character → next;
 * `one` (`?`) any but "/" → next; `class` a member → next; `star` any but
 * "/" → itself, ε → next; `globstar` "/" → next, ε → next but one; `inside`
 * (what a globstar crosses) anything → itself, ε → next; `accept` nothing.
 */
export type GlobState =
  | { kind: 'separator' | 'one' | 'star' | 'globstar' | 'inside' | 'accept' }
  | { kind: 'literal'; cp: number }
  | { kind: 'class'; cls: GlobClass };

/** A glob's automaton as states: where it starts (one state per alternative) and each state by index. */
export interface GlobShape {
  starts: readonly number[];
  states: readonly GlobState[];
}

// The automaton reads "/" + path, and each segment of an alternative is
// "/" + segment, so `**` (a whole segment) is "zero or more /segments", which
// is the language ε | "/" .*; consecutive `**` segments are one. States are
// laid out in a row, an alternative after another, each ending in an
// accepting state; a consuming state leads to the next index.
//   separator  "/" → next           literal  c → next     one (?)  not "/" → next
//   class      member → next        star     not "/" → itself, ε → next
//   globstar   "/" → next, ε → next but one               inside  any → itself, ε → next
// Every ε-edge goes forward one or two states and no chain is longer than
// star → globstar → past it, so two shifts close a set over ε.
interface Layout {
  size: number;
  starts: number[];
  accept: number[];
  advanceOnSlash: number[]; // separators and globstars
  one: number[];
  star: number[];
  inside: number[];
  globstar: number[];
  literals: Map<number, number[]>;
  classes: { state: number; cls: GlobClass }[];
}

/** The automaton for a glob's alternatives (its braces already expanded). */
export function buildGlobNfa(expanded: readonly (readonly GlobLexeme[])[]): GlobNfa {
  const alternatives = distinctAlternatives(expanded);
  const layout: Layout = {
    size: 0,
    starts: [],
    accept: [],
    advanceOnSlash: [],
    one: [],
    star: [],
    inside: [],
    globstar: [],
    literals: new Map(),
    classes: [],
  };
  const push = (list: number[]): number => {
    list.push(layout.size);
    return layout.size++;
  };
  for (const alternative of alternatives) {
    layout.starts.push(layout.size);
    let afterGlobstar = false;
    for (const segment of segmentsOf(alternative)) {
      if (segment.length === 2 && segment.every(isStar)) {
        if (!afterGlobstar) {
          push(layout.globstar);
          layout.advanceOnSlash.push(layout.size - 1);
          push(layout.inside);
        }
        afterGlobstar = true;
        continue;
      }
      afterGlobstar = false;
      push(layout.advanceOnSlash);
      let afterStar = false;
      for (const lexeme of segment) {
        // a run of stars inside a segment is one `*` ("a**b", "***")
        if (isStar(lexeme)) {
          if (!afterStar) push(layout.star);
          afterStar = true;
          continue;
        }
        afterStar = false;
        if (lexeme.type === 'class') layout.classes.push({ state: layout.size++, cls: lexeme.cls });
        else if (lexeme.type === 'ch' && lexeme.cp === QUESTION) push(layout.one);
        else {
          const states = layout.literals.get(lexeme.cp) ?? [];
          layout.literals.set(lexeme.cp, states);
          push(states);
        }
      }
    }
    push(layout.accept);
  }
  return simulate(layout);
}

/**
 * The alternatives in a canonical form, each once: in a segment, a run of
 * `*` and `?` means "at least as many characters as it has `?`, exactly as
 * many without a `*`", so it is written as its `?`s then one `*` if it had
 * any. Braces multiply alternatives ("{*,?}" eight times is 256 of them)
 * that mostly say the same thing; matching costs the states of the
 * distinct ones only.
 */
function distinctAlternatives(alternatives: readonly (readonly GlobLexeme[])[]): GlobLexeme[][] {
  const classIds = new Map<GlobClass, number>();
  const keyOf = (lexeme: GlobLexeme): string => {
    if (lexeme.type !== 'class') return `${lexeme.type}${lexeme.cp}`;
    let id = classIds.get(lexeme.cls);
    if (id === undefined) classIds.set(lexeme.cls, (id = classIds.size));
    return `c${id}`;
  };
  const seen = new Set<string>();
  const distinct: GlobLexeme[][] = [];
  for (const alternative of alternatives) {
    const canonical = segmentsOf(alternative).flatMap((segment, index) => [
      ...(index > 0 ? [SEPARATOR] : []),
      ...canonicalSegment(segment),
    ]);
    const key = canonical.map(keyOf).join(' ');
    if (seen.has(key)) continue;
    seen.add(key);
    distinct.push(canonical);
  }
  return distinct;
}

const SEPARATOR: GlobLexeme = { type: 'ch', cp: SLASH };
const STAR: GlobLexeme = { type: 'ch', cp: STAR_CP };
const ONE: GlobLexeme = { type: 'ch', cp: QUESTION };

function canonicalSegment(segment: readonly GlobLexeme[]): GlobLexeme[] {
  // `**` alone is a globstar, not a run
  if (segment.length === 2 && segment.every(isStar)) return [...segment];
  const out: GlobLexeme[] = [];
  let ones = 0;
  let star = false;
  const flush = () => {
    for (let i = 0; i < ones; i++) out.push(ONE);
    if (star) out.push(STAR);
    ones = 0;
    star = false;
  };
  for (const lexeme of segment) {
    if (isStar(lexeme)) star = true;
    else if (lexeme.type === 'ch' && lexeme.cp === QUESTION) ones += 1;
    else {
      flush();
      out.push(lexeme);
    }
  }
  flush();
  return out;
}

function isStar(lexeme: GlobLexeme): boolean {
  return lexeme.type === 'ch' && lexeme.cp === STAR_CP;
}

// a "/", escaped or not, separates segments
function segmentsOf(alternative: readonly GlobLexeme[]): GlobLexeme[][] {
  const segments: GlobLexeme[][] = [[]];
  for (const lexeme of alternative) {
    if (lexeme.type !== 'class' && lexeme.cp === SLASH) segments.push([]);
    else segments.at(-1)!.push(lexeme);
  }
  return segments;
}

// the layout's lists turned into one state per index
function shapeOf(layout: Layout): GlobShape {
  const states: GlobState[] = new Array(layout.size);
  const mark = (list: readonly number[], state: GlobState) => {
    for (const index of list) states[index] = state;
  };
  // a globstar is also in advanceOnSlash: marked after the separators
  mark(layout.advanceOnSlash, { kind: 'separator' });
  mark(layout.globstar, { kind: 'globstar' });
  mark(layout.inside, { kind: 'inside' });
  mark(layout.one, { kind: 'one' });
  mark(layout.star, { kind: 'star' });
  mark(layout.accept, { kind: 'accept' });
  for (const [cp, list] of layout.literals) mark(list, { kind: 'literal', cp });
  for (const { state, cls } of layout.classes) states[state] = { kind: 'class', cls };
  return { starts: layout.starts, states };
}

function simulate(layout: Layout): GlobNfa {
  const size = layout.size;
  // built when first asked: matching never needs it
  let shape: GlobShape | null = null;
  const words = Math.ceil(size / 32);
  const mask = (...lists: number[][]): Uint32Array => {
    const bits = new Uint32Array(words);
    for (const list of lists) for (const state of list) bits[state >>> 5] = bits[state >>> 5]! | (1 << (state & 31));
    return bits;
  };
  const starts = mask(layout.starts);
  const accept = mask(layout.accept);
  const advanceOnSlash = mask(layout.advanceOnSlash);
  const stayOnSlash = mask(layout.inside);
  const stayOnOther = mask(layout.star, layout.inside);
  const epsilonNext = mask(layout.star, layout.inside);
  const epsilonSkip = mask(layout.globstar);
  const literals = new Map([...layout.literals].map(([cp, states]) => [cp, mask(states)] as const));
  const one = mask(layout.one);
  const classes = new Map<GlobClass, number[]>();
  for (const { state, cls } of layout.classes) {
    const states = classes.get(cls) ?? [];
    classes.set(cls, states);
    states.push(state);
  }
  const ascii: (Uint32Array | undefined)[] = new Array(128);
  const wide = new Map<number, Uint32Array>();
  let steps = 0;
  let current = new Uint32Array(words);
  let next = new Uint32Array(words);

  // the states that read `cp` and move on, built once per character
  const advanceOn = (cp: number): Uint32Array => {
    if (cp === SLASH) return advanceOnSlash;
    let bits = cp < 128 ? ascii[cp] : wide.get(cp);
    if (bits !== undefined) return bits;
    bits = buildAdvance(cp);
    if (cp < 128) ascii[cp] = bits;
    else {
      if (wide.size >= WIDE_CACHE_LIMIT) wide.clear();
      wide.set(cp, bits);
    }
    return bits;
  };

  const buildAdvance = (cp: number): Uint32Array => {
    const literal = literals.get(cp);
    // a class copied into many alternatives by braces is one object: test it once
    const matching: number[][] = [];
    for (const [cls, states] of classes) {
      steps += 1 + (cp >= 128 ? cls.wide.length >>> 1 : 0);
      if (globClassMatches(cls, cp)) matching.push(states);
    }
    // most characters are in no literal and no class: they share the `?` mask
    if (literal === undefined && matching.length === 0) return one;
    const bits = Uint32Array.from(one);
    steps += words;
    if (literal !== undefined) for (let w = 0; w < words; w++) bits[w] = bits[w]! | literal[w]!;
    for (const states of matching) {
      for (const state of states) bits[state >>> 5] = bits[state >>> 5]! | (1 << (state & 31));
      steps += states.length;
    }
    return bits;
  };

  // next = close(step(current, cp)); returns whether any state is live
  const feed = (cp: number): boolean => {
    const advance = advanceOn(cp);
    const stay = cp === SLASH ? stayOnSlash : stayOnOther;
    let carryAdvance = 0;
    let carryNext = 0;
    let carrySkip = 0;
    let live = 0;
    for (let w = 0; w < words; w++) {
      const now = current[w]!;
      const moved = now & advance[w]!;
      let set = (moved << 1) | carryAdvance | (now & stay[w]!);
      carryAdvance = moved >>> 31;
      const onward = set & epsilonNext[w]!;
      set |= (onward << 1) | carryNext;
      carryNext = onward >>> 31;
      const skipped = set & epsilonSkip[w]!;
      set |= (skipped << 2) | carrySkip;
      carrySkip = skipped >>> 30;
      next[w] = set;
      live |= set;
    }
    steps += words;
    const previous = current;
    current = next;
    next = previous;
    return live !== 0;
  };

  return {
    size,
    get shape() {
      return (shape ??= shapeOf(layout));
    },
    get steps() {
      return steps;
    },
    match(path: string): boolean {
      steps = 0;
      if (path.length === 0) return false;
      current.set(starts);
      closeInPlace(current, epsilonNext, epsilonSkip);
      let live = feed(SLASH);
      for (let i = 0; i < path.length && live; i++) {
        let cp = path.charCodeAt(i);
        // a surrogate pair is one character, as `?` and classes see it
        if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < path.length) {
          const low = path.charCodeAt(i + 1);
          if (low >= 0xdc00 && low <= 0xdfff) {
            cp = (cp - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
            i++;
          }
        }
        live = feed(cp);
      }
      if (!live) return false;
      for (let w = 0; w < words; w++) if ((current[w]! & accept[w]!) !== 0) return true;
      return false;
    },
  };
}

function closeInPlace(set: Uint32Array, epsilonNext: Uint32Array, epsilonSkip: Uint32Array): void {
  let carryNext = 0;
  let carrySkip = 0;
  for (let w = 0; w < set.length; w++) {
    let bits = set[w]!;
    const onward = bits & epsilonNext[w]!;
    bits |= (onward << 1) | carryNext;
    carryNext = onward >>> 31;
    const skipped = bits & epsilonSkip[w]!;
    bits |= (skipped << 2) | carrySkip;
    carrySkip = skipped >>> 30;
    set[w] = bits;
  }
}
