import { pathSet, type PathSet } from '../../merge/index.js';
import type { PredictedConflict } from '../../domain/index.js';
import type { SupervisorState } from '../../../machines/index.js';

/** What a child changed so far: its sandbox's head and base, and the paths it changed since that base. */
export interface ChildChanges {
  head: string;
  base: string;
  files: readonly string[];
}

/** Two children to merge ahead of time: the one that merges first (`first`), the other, and the paths each changed that the other did too. */
export interface ForecastPair {
  first: string;
  second: string;
  /** Paths of `first` that meet a path of `second` (the same path, or a file where the other has files under it), and the reverse. */
  paths: { first: string[]; second: string[] };
}

// a child whose changes can still meet another's: under way, validated, or merged
const LIVE = new Set(['running', 'retrying', 'complete']);

/**
 * The pairs worth a merge after `moved` children made step commits: each
 * moved child against every sibling of the group under way or merged (same
 * project: another project's children are not merged here), keeping only
 * paths both changed that no earlier prediction of the pair named. Pure and
 * cheap: set lookups over what each child changed, so children that touch
 * separate files cost no git at all.
 *
 * @example
 * forecastPairs(group, new Set([childId]), changesOf, plan.predictedConflicts); // [] when the files are disjoint
 */
export function forecastPairs(
  group: SupervisorState,
  moved: ReadonlySet<string>,
  changes: ReadonlyMap<string, ChildChanges>,
  predicted: readonly PredictedConflict[],
): ForecastPair[] {
  const order = new Map(group.mergeOrder.map((childId, at) => [childId, at]));
  const project = new Map(group.children.map((child) => [child.childId, child.project]));
  const candidates = group.children
    .map((child) => child.childId)
    .filter((childId) => {
      const status = group.statuses[childId];
      return (
        status !== undefined &&
        (status.merged || LIVE.has(status.status)) &&
        project.get(childId) === null &&
        changes.has(childId)
      );
    });
  const pairs: ForecastPair[] = [];
  const seen = new Set<string>();
  // a path set per child, built only when needed: most pairs share nothing, found from the moved child's side
  const sets = new Map<string, PathSet>();
  const setOf = (childId: string) =>
    sets.get(childId) ?? sets.set(childId, pathSet(changes.get(childId)!.files)).get(childId)!;
  for (const childId of candidates) {
    if (!moved.has(childId) || changes.get(childId)!.files.length === 0) continue;
    const mine = setOf(childId);
    for (const other of candidates) {
      if (other === childId) continue;
      const [first, second] = order.get(childId)! < order.get(other)! ? [childId, other] : [other, childId];
      const key = `${first} ${second}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const theirs = changes.get(other)!.files.filter((path) => mine.meets(path));
      if (theirs.length === 0) continue;
      const ours = changes.get(childId)!.files.filter((path) => setOf(other).meets(path));
      const known = new Set(
        predicted
          .filter((p) => p.step === group.stepIndex && p.children[0] === first && p.children[1] === second)
          .flatMap((p) => p.files),
      );
      const [firstPaths, secondPaths] = (first === childId ? [ours, theirs] : [theirs, ours]).map((paths) =>
        paths.filter((path) => !known.has(path)),
      );
      if (firstPaths!.length > 0 || secondPaths!.length > 0)
        pairs.push({ first, second, paths: { first: firstPaths!, second: secondPaths! } });
    }
  }
  return pairs;
}
