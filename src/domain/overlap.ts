import { compileGlobs } from './glob.js';
import { globShape, shapesOverlap, type OverlapBudget } from './glob-overlap.js';
import type { GlobShape } from './glob-nfa.js';

/**
 * What troupe does about sibling children whose `resourceScopes` can match
 * the same path (docs/reference/subplans.md, Overlapping children): `warn` records and
 * journals it, `serialize` also makes the later entry wait until the earlier
 * one is merged, `allow` says nothing.
 */
export const OVERLAP_POLICIES = ['warn', 'serialize', 'allow'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

/** The policy a group has when neither it nor the project names one. */
export const DEFAULT_OVERLAP_POLICY: OverlapPolicy = 'warn';

/** One entry of a group as overlap detection sees it: its name, its scopes (null: anywhere in its sandbox), its project (null: the parent's). */
export interface OverlapEntry {
  name: string;
  scopes: readonly string[] | null;
  project: string | null;
}

/** The work overlap detection may do for one group, all pairs together (`MAX_OVERLAP_WORK` of glob-overlap.ts bounds one pair). */
export const MAX_GROUP_OVERLAP_WORK = 20_000_000;

/** Two entries (by index, `a` before `b` in entry order) whose scopes can match one path. */
export interface OverlappingPair {
  a: number;
  b: number;
  /** A scope of each that meet (null: the entry has no scopes, it may write anywhere). */
  patterns: [string | null, string | null];
  /** A path both match (null: too complex to decide, counted as overlapping). */
  example: string | null;
}

/**
 * Every pair of entries whose scopes can match a common path, in entry
 * order (docs/reference/subplans.md, Overlapping children). Entries of different
 * projects never overlap; an entry without scopes overlaps every entry of
 * its project. Exact for literal paths and for globs alike (glob-overlap.ts),
 * within {@link MAX_GROUP_OVERLAP_WORK} for the whole group: past it a pair
 * counts as overlapping with no example.
 *
 * @example
 * overlappingPairs([{ name: 'a', scopes: ['src/**'], project: null }, { name: 'b', scopes: ['src/index.ts'], project: null }]);
 * // [{ a: 0, b: 1, patterns: ['src/**', 'src/index.ts'], example: 'src/index.ts' }]
 */
export function overlappingPairs(
  entries: readonly OverlapEntry[],
  options: { maxWork?: number } = {},
): OverlappingPair[] {
  // each scope compiled once, however many entries it is compared with
  const compiled = entries.map(
    (entry) => entry.scopes?.map((pattern) => ({ pattern, shape: globShape(pattern) })) ?? null,
  );
  // adversarial globs in a big group: past this much work, pairs are called overlapping unproven (no example)
  const budget: OverlapBudget = { left: options.maxWork ?? MAX_GROUP_OVERLAP_WORK };
  const pairs: OverlappingPair[] = [];
  for (let b = 1; b < entries.length; b++) {
    for (let a = 0; a < b; a++) {
      if (entries[a]!.project !== entries[b]!.project) continue;
      const found = scopesMeet(compiled[a]!, compiled[b]!, budget);
      if (found) pairs.push({ a, b, ...found });
    }
  }
  return pairs;
}

type Scopes = { pattern: string; shape: GlobShape | null }[] | null;

function scopesMeet(
  left: Scopes,
  right: Scopes,
  budget: OverlapBudget,
): Pick<OverlappingPair, 'patterns' | 'example'> | null {
  if (left === null || right === null) {
    const scoped = left ?? right;
    // anywhere meets any scope that matches something: its own example will do
    if (scoped === null) return { patterns: [null, null], example: null };
    for (const { pattern, shape } of scoped) {
      const found = shapesOverlap(shape, shape, { budget });
      if (found.overlaps)
        return { patterns: left === null ? [null, pattern] : [pattern, null], example: found.example };
    }
    return null;
  }
  for (const a of left) {
    for (const b of right) {
      const found = shapesOverlap(a.shape, b.shape, { budget });
      if (found.overlaps) return { patterns: [a.pattern, b.pattern], example: found.example };
    }
  }
  return null;
}

/** The most files an overlap decision lists per pair; `fileCount` says how many there are. */
export const MAX_OVERLAP_FILES = 50;

/**
 * The files of `tree` both entries of each pair match, at most
 * {@link MAX_OVERLAP_FILES} per pair, with how many there are.
 *
 * @example
 * overlapFiles(entries, pairs, ['src/index.ts', 'README.md']); // [{ files: ['src/index.ts'], fileCount: 1 }]
 */
export function overlapFiles(
  entries: readonly OverlapEntry[],
  pairs: readonly OverlappingPair[],
  tree: readonly string[],
): { files: string[]; fileCount: number }[] {
  const matchers = new Map<number, (path: string) => boolean>();
  const matcherOf = (index: number) => {
    let matcher = matchers.get(index);
    if (!matcher) {
      const scopes = entries[index]!.scopes;
      matcher = scopes === null ? () => true : compileGlobs(scopes, { refused: 'match-nothing' });
      matchers.set(index, matcher);
    }
    return matcher;
  };
  return pairs.map(({ a, b }) => {
    // another project's tree is not the one listed here
    if (entries[a]!.project !== null) return { files: [], fileCount: 0 };
    const both = tree.filter((path) => matcherOf(a)(path) && matcherOf(b)(path));
    return { files: both.slice(0, MAX_OVERLAP_FILES), fileCount: both.length };
  });
}

/**
 * The waits `serialize` adds (docs/reference/subplans.md): for each overlapping pair,
 * the later entry waits for the earlier one — by index, `[earlier, later]`.
 * `sequential` groups already run one at a time: they get none. Throws
 * nothing; {@link serializeCycle} says whether the waits and the declared
 * `dependsOn` (indexes of what each entry depends on) go round in a circle.
 *
 * @example
 * serializeEdges(pairs, 'parallel'); // [[0, 1]]
 */
export function serializeEdges(
  pairs: readonly OverlappingPair[],
  mode: 'sequential' | 'parallel' | 'dependency-ordered',
): [number, number][] {
  if (mode === 'sequential') return [];
  return pairs.map(({ a, b }) => [a, b]);
}

/**
 * A cycle of entries (indexes, first repeated last) formed by the waits
 * `serialize` adds and the declared dependencies, or null when there is none.
 * `dependsOn[i]` lists the entries entry i depends on.
 *
 * @example
 * serializeCycle([[0, 1]], [[1], []]); // [0, 1, 0]: 1 waits for 0, which depends on 1
 */
export function serializeCycle(
  edges: readonly (readonly [number, number])[],
  dependsOn: readonly (readonly number[])[],
): number[] | null {
  // an edge x → y: y cannot start before x
  const next = dependsOn.map(() => [] as number[]);
  dependsOn.forEach((dependencies, entry) => dependencies.forEach((dependency) => next[dependency]?.push(entry)));
  for (const [from, to] of edges) next[from]?.push(to);
  const state = new Map<number, 'open' | 'closed'>();
  const stack: number[] = [];
  const visit = (node: number): number[] | null => {
    state.set(node, 'open');
    stack.push(node);
    for (const after of next[node] ?? []) {
      if (state.get(after) === 'open') return [...stack.slice(stack.indexOf(after)), after];
      if (!state.has(after)) {
        const found = visit(after);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(node, 'closed');
    return null;
  };
  for (let node = 0; node < next.length; node++) {
    if (state.has(node)) continue;
    const found = visit(node);
    if (found) return found;
  }
  return null;
}
