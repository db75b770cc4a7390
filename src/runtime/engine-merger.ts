import { TroupeError } from '../domain/index.js';
import { mergeTrees } from '../merge/index.js';
import { GitTrees, listed, type TreeMerger } from '../sandbox/index.js';

/**
 * The merge apply uses when the project moved on since the sandbox's base
 * (SPEC §9): troupe's resource-type-aware engine file by file over base,
 * ours = the project's HEAD and theirs = the sandbox head, written as a
 * tree without touching the project. Any conflict refuses the apply with
 * `MERGE_CONFLICT` naming each file and its kind; the project stays as it
 * was. (Conflicts that wait for the user to resolve them come next.)
 */
export function engineMerger(projectRoot: string): TreeMerger {
  const trees = new GitTrees(projectRoot);
  return async ({ base, ours, theirs, planId }) => {
    const result = await mergeTrees({ base, ours, theirs, reader: trees });
    if (result.conflicts.length > 0) {
      const files = result.conflicts.map((conflict) => conflict.file);
      throw new TroupeError('MERGE_CONFLICT', `cannot apply plan ${planId}: ${files.length} ${files.length === 1 ? 'file conflicts' : 'files conflict'}: ${listed(files)}`, {
        details: { files, conflicts: result.conflicts.map((conflict) => ({ file: conflict.file, kind: conflict.kind, hunks: conflict.hunks })) },
        hint: 'the project changed the same lines since the plan started: commit a resolution in the project, then run troupe plan apply again',
      });
    }
    return trees.writeTree(ours, result.writes);
  };
}
