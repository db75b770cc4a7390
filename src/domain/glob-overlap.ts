import { globClassMatches, type GlobClass } from './glob-class.js';
import { compileGlobNfa } from './glob-compile.js';
import type { GlobShape, GlobState } from './glob-nfa.js';

/**
 * Whether two globs can match one path, and a path both match. `example` is
 * null only when the pair was too complex to decide within the work bound
 * ({@link MAX_OVERLAP_WORK}): such a pair counts as overlapping, the safe
 * answer for a caller that serializes what may collide.
 */
export type GlobOverlap = { overlaps: false } | { overlaps: true; example: string | null };

/** The most product states × characters one pair of globs may cost before it is called overlapping unproven. */
export const MAX_OVERLAP_WORK = 2_000_000;

const SLASH = 0x2f;
const DOT = 0x2e;
const MAX_CODE_POINT = 0x10ffff;

// What a normalized relative path allows, as a tiny automaton run beside the
// two globs (they read "/" + path): segments are never empty, "." or "..".
// PRE has read nothing; START is at the start of a segment.
const PRE = 0;
const START = 1;
const ONE_DOT = 2;
const TWO_DOTS = 3;
const NAME = 4;
const DEAD = -1;
const PATH_STATES = 5;

// `hidden: false` also refuses a segment that starts with "." (a dotfile): the search for a readable example
function pathStep(state: number, cp: number, hidden: boolean): number {
  if (cp === SLASH) return state === PRE || state === NAME ? START : DEAD;
  if (state === PRE) return DEAD;
  if (cp === DOT) return state === START ? (hidden ? ONE_DOT : DEAD) : state === ONE_DOT ? TWO_DOTS : NAME;
  return NAME;
}

/**
 * Whether some normalized relative path (`src/a.ts`: no empty, `.` or `..`
 * segment) matches both globs, decided exactly by searching the product of
 * their automata (glob-nfa.ts) breadth first — so the example is a shortest
 * path both match. Characters are handled symbolically: the search tries one
 * representative of every class of characters the two globs (and the path
 * rules) cannot tell apart, so `[a-f]` against `[d-z]` finds `d`, and `?`
 * against `x` finds `x`. A refused glob matches nothing and overlaps nothing.
 *
 * @example
 * globsOverlap('src/**', 'src/*.ts'); // { overlaps: true, example: 'src/s.ts' }
 * globsOverlap('packages/core/**', 'packages/cli/**'); // { overlaps: false }
 */
export function globsOverlap(a: string, b: string, options: { maxWork?: number } = {}): GlobOverlap {
  return shapesOverlap(shapeOfGlob(a), shapeOfGlob(b), options);
}

/**
 * A glob compiled for {@link shapesOverlap} (null: refused), for a caller
 * that compares each of many globs with many others and compiles each once.
 *
 * @example
 * const [a, b] = ['src/**', 'src/*.ts'].map(globShape);
 * shapesOverlap(a, b).overlaps; // true
 */
export function globShape(glob: string): GlobShape | null {
  return compileGlobNfa(glob).nfa?.shape ?? null;
}

/**
 * {@link globsOverlap} of two compiled globs ({@link globShape}); a refused
 * one (null) overlaps nothing.
 *
 * @example
 * shapesOverlap(globShape('a/*'), globShape('a')); // { overlaps: false }
 */
export function shapesOverlap(
  left: GlobShape | null,
  right: GlobShape | null,
  options: { maxWork?: number; budget?: OverlapBudget } = {},
): GlobOverlap {
  if (left === null || right === null) return { overlaps: false };
  // most scopes of a group differ in their first literal characters: no search needed
  if (!prefixesMeet(prefixesOf(left), prefixesOf(right))) return { overlaps: false };
  const { budget } = options;
  const maxWork = Math.min(options.maxWork ?? MAX_OVERLAP_WORK, budget?.left ?? Number.POSITIVE_INFINITY);
  const found = search(left, right, maxWork, true);
  if (budget) budget.left -= found.work;
  // the shortest path may be a dotfile ("src/.ts"): a path without one reads better, when there is one
  if (!found.overlaps || found.example === null || !/(^|\/)\./.test(found.example)) return answer(found);
  const plain = search(left, right, maxWork, false);
  if (budget) budget.left -= plain.work;
  return plain.overlaps && plain.example !== null ? answer(plain) : answer(found);
}

/**
 * Work several searches share (`left` goes down as they run): past it, every
 * pair not told apart by its first literal characters counts as overlapping,
 * with no example — a group of many scopes of adversarial globs stays bounded.
 */
export interface OverlapBudget {
  left: number;
}

function answer(found: GlobOverlap & { work: number }): GlobOverlap {
  return found.overlaps ? { overlaps: true, example: found.example } : { overlaps: false };
}

// compiled shapes, by glob text, for callers that pass text
const shapes = new Map<string, GlobShape | null>();
const SHAPE_CACHE_LIMIT = 512;

function shapeOfGlob(glob: string): GlobShape | null {
  let shape = shapes.get(glob);
  if (shape === undefined) {
    shape = globShape(glob);
    if (shapes.size >= SHAPE_CACHE_LIMIT) shapes.clear();
    shapes.set(glob, shape);
  }
  return shape;
}

// what every path of each alternative starts with (as the automaton reads it, "/" first): its states up to the first that is no literal or separator
const prefixes = new WeakMap<GlobShape, string[]>();

function prefixesOf(shape: GlobShape): string[] {
  let found = prefixes.get(shape);
  if (found === undefined) {
    found = shape.starts.map((start) => {
      const cps: number[] = [];
      for (let at = start; ; at++) {
        const state = shape.states[at]!;
        if (state.kind === 'separator') cps.push(SLASH);
        else if (state.kind === 'literal') cps.push(state.cp);
        else break;
      }
      return String.fromCodePoint(...cps);
    });
    prefixes.set(shape, found);
  }
  return found;
}

// two alternatives can meet only if one's fixed start is a start of the other's
function prefixesMeet(left: readonly string[], right: readonly string[]): boolean {
  return left.some((a) => right.some((b) => a.startsWith(b) || b.startsWith(a)));
}

// the intersection search over two shapes; `hidden`: dotfile segments allowed
function search(a: GlobShape, b: GlobShape, maxWork: number, hidden: boolean): GlobOverlap & { work: number } {
  const chars = representatives(a, b);
  const sizeB = b.states.length;
  const keyOf = (p: number, q: number, n: number) => (p * sizeB + q) * PATH_STATES + n;
  // how each product state was reached: the one before it and the character read (-1: an ε-move)
  const from = new Map<number, { prev: number; cp: number }>();
  let level: number[] = [];
  const reach = (p: number, q: number, n: number, prev: number, cp: number, into: number[]) => {
    const key = keyOf(p, q, n);
    if (from.has(key)) return;
    from.set(key, { prev, cp });
    into.push(key);
    // the ε-moves of either side belong to the same level: they read nothing
    const [pNext, qNext] = [epsilon(a, p), epsilon(b, q)];
    if (pNext !== NONE) reach(pNext, q, n, key, -1, into);
    if (qNext !== NONE) reach(p, qNext, n, key, -1, into);
  };
  for (const p of a.starts) for (const q of b.starts) reach(p, q, PRE, -1, -1, level);
  let work = 0;
  while (level.length > 0) {
    const next: number[] = [];
    for (const key of level) {
      const n = key % PATH_STATES;
      const q = Math.floor(key / PATH_STATES) % sizeB;
      const p = Math.floor(key / PATH_STATES / sizeB);
      if (n === NAME && a.states[p]!.kind === 'accept' && b.states[q]!.kind === 'accept')
        return { overlaps: true, example: exampleOf(from, key), work };
      work += chars.length;
      if (work > maxWork) return { overlaps: true, example: null, work };
      for (const cp of chars) {
        const path = pathStep(n, cp, hidden);
        if (path === DEAD) continue;
        const p2 = consume(a.states[p]!, p, cp);
        if (p2 === NONE) continue;
        const q2 = consume(b.states[q]!, q, cp);
        if (q2 !== NONE) reach(p2, q2, path, key, cp, next);
      }
    }
    level = next;
  }
  return { overlaps: false, work };
}

// the path a product state was reached by, without the leading "/" the automata read first
function exampleOf(from: ReadonlyMap<number, { prev: number; cp: number }>, key: number): string {
  const cps: number[] = [];
  for (let at = key; at !== -1;) {
    const step = from.get(at)!;
    if (step.cp !== -1) cps.push(step.cp);
    at = step.prev;
  }
  return String.fromCodePoint(...cps.reverse().slice(1));
}

// -1: no move. A state has at most one ε-move and one move per character (a star's is to itself)
const NONE = -1;

function epsilon(shape: GlobShape, state: number): number {
  const kind = shape.states[state]!.kind;
  if (kind === 'star' || kind === 'inside') return state + 1;
  if (kind === 'globstar') return state + 2;
  return NONE;
}

// where `state` goes on reading `cp`
function consume(state: GlobState, index: number, cp: number): number {
  switch (state.kind) {
    case 'separator':
    case 'globstar':
      return cp === SLASH ? index + 1 : NONE;
    case 'literal':
      return cp === state.cp ? index + 1 : NONE;
    case 'one':
      return cp === SLASH ? NONE : index + 1;
    case 'class':
      return globClassMatches(state.cls, cp) ? index + 1 : NONE;
    case 'star':
      return cp === SLASH ? NONE : index;
    case 'inside':
      return index;
    case 'accept':
      return NONE;
  }
}

/**
 * One character for every way the two automata and the path rules can tell
 * characters apart: "/", ".", every literal of either glob, and for the
 * rest one character per combination of class memberships that occurs —
 * each ASCII character is tried, and above ASCII the first character of
 * every range a class starts or ends (set differences of ranges begin at
 * one of those), stepping past literals. Readable ones come first, so an
 * example path reads like a file name where it can.
 */
function representatives(a: GlobShape, b: GlobShape): number[] {
  const literals = new Set<number>();
  const classes: GlobClass[] = [];
  for (const state of [...a.states, ...b.states]) {
    if (state.kind === 'literal') literals.add(state.cp);
    else if (state.kind === 'class' && !classes.includes(state.cls)) classes.push(state.cls);
  }
  const chosen = [SLASH, DOT, ...[...literals].filter((cp) => cp !== SLASH && cp !== DOT)];
  if (classes.length === 0) {
    // without classes every other character behaves alike: the first readable one stands for them all
    const other = preferredAscii().find((cp) => cp !== SLASH && cp !== DOT && !literals.has(cp));
    return other === undefined ? [...chosen, firstWide(literals)] : [...chosen, other];
  }
  const seen = new Set<string>();
  const consider = (cp: number) => {
    // NUL is no path's character; "/", "." and literals are chosen already
    if (cp === 0 || cp === SLASH || cp === DOT || literals.has(cp)) return;
    const signature = classes.map((cls) => (globClassMatches(cls, cp) ? '1' : '0')).join('');
    if (seen.has(signature)) return;
    seen.add(signature);
    chosen.push(cp);
  };
  for (const cp of preferredAscii()) consider(cp);
  const starts = new Set<number>([0x80]);
  for (const cls of classes) {
    for (let i = 0; i < cls.wide.length; i += 2) {
      starts.add(cls.wide[i]!);
      if (cls.wide[i + 1]! < MAX_CODE_POINT) starts.add(cls.wide[i + 1]! + 1);
    }
  }
  for (const start of [...starts].sort((x, y) => x - y)) {
    let cp = start;
    while (literals.has(cp) && cp < MAX_CODE_POINT) cp += 1;
    consider(cp);
  }
  return chosen;
}

// a character above ASCII that is no literal (every printable ASCII one is)
function firstWide(literals: ReadonlySet<number>): number {
  let cp = 0x80;
  while (literals.has(cp)) cp += 1;
  return cp;
}

let preferred: number[] | null = null;

// letters, digits, then the rest of printable ASCII, then control characters
function preferredAscii(): number[] {
  if (preferred) return preferred;
  const order: number[] = [];
  const add = (from: number, to: number) => {
    for (let cp = from; cp <= to; cp++) if (!order.includes(cp)) order.push(cp);
  };
  add(0x61, 0x7a);
  add(0x30, 0x39);
  add(0x41, 0x5a);
  add(0x20, 0x7e);
  add(0x01, 0x1f);
  add(0x7f, 0x7f);
  return (preferred = order);
}
