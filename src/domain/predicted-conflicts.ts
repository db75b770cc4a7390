import { z } from 'zod';
import { CONFLICT_KINDS, type ConflictKind } from './conflicts.js';

/**
 * Two running (or merged) children of a group whose changes would conflict
 * if merged now, found while they still run (docs/reference/subplans.md, Conflicts
 * predicted while children run): the group's step, the two children — the
 * one that merges first first — and each file with the kind of conflict
 * the merge engine found. Each pair and file is predicted once.
 *
 * @example
 * const { predictedConflicts } = await runtime.getPlan('demo/x');
 * for (const p of predictedConflicts) console.log(`${p.names.join(' ↔ ')}: ${p.files.join(', ')}`);
 */
export interface PredictedConflict {
  step: number;
  /** The two children's ids: the one that merges first, then the other. */
  children: string[];
  /** Their names, in the same order. */
  names: string[];
  files: string[];
  kinds: ConflictKind[];
}

/** The stored shape of a predicted conflict (in the plan record). */
export const predictedConflictSchema = z.object({
  step: z.number().int().nonnegative(),
  children: z.array(z.string()).length(2),
  names: z.array(z.string()).length(2),
  files: z.array(z.string()),
  kinds: z.array(z.enum(CONFLICT_KINDS)),
});

/**
 * `known` with the predictions of `found` added: a pair already known gets
 * only the files it did not have, a new pair is appended; what was known
 * already is left out of `added` (one journal entry per pair and new files).
 */
export function addPredictions(
  known: readonly PredictedConflict[],
  found: readonly PredictedConflict[],
): { all: PredictedConflict[]; added: PredictedConflict[] } {
  const all = [...known];
  const added: PredictedConflict[] = [];
  for (const prediction of found) {
    const at = all.findIndex(
      (other) =>
        other.step === prediction.step &&
        other.children[0] === prediction.children[0] &&
        other.children[1] === prediction.children[1],
    );
    const before = at === -1 ? null : all[at]!;
    const fresh = prediction.files.flatMap((file, index) =>
      before?.files.includes(file) ? [] : [{ file, kind: prediction.kinds[index]! }],
    );
    if (fresh.length === 0) continue;
    const news: PredictedConflict = {
      ...prediction,
      files: fresh.map(({ file }) => file),
      kinds: fresh.map(({ kind }) => kind),
    };
    added.push(news);
    if (before === null) all.push(news);
    else all[at] = { ...before, files: [...before.files, ...news.files], kinds: [...before.kinds, ...news.kinds] };
  }
  return { all, added };
}
