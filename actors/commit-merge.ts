import { TroupeError, isOpenConflict } from '../src/domain/index.js';
import type { FileWrite } from '../src/merge/index.js';
import type { CommitMergeInput, CommitMergeOutput } from '../machines/index.js';
import type { ActorServices } from './services.js';

/**
 * The `commitMerge` actor: every conflict of a waiting merge is resolved,
 * so make the merge commit — the clean parts plus each stored resolution on
 * top of the project's then HEAD — and drop the copies with conflict
 * markers. Idempotent: it only reads the stored resolutions and writes new
 * objects; run again, it makes an equal commit.
 */
export async function commitMerge(input: CommitMergeInput, services: ActorServices): Promise<CommitMergeOutput> {
  const { merge } = input;
  const records = new Map((await services.conflicts(input.planId)).map((record) => [record.file, record]));
  const writes: FileWrite[] = [];
  const resolved: CommitMergeOutput['resolved'] = [];
  for (const file of merge.files) {
    const record = records.get(file);
    if (!record || isOpenConflict(record) || !record.resolution) {
      throw new TroupeError('INTERNAL_ERROR', `plan ${input.name}: the resolution of ${file} is missing from the store`, {
        hint: `resolve it again: troupe plan resolve ${input.name} ${file} --ours|--theirs|--use <path>`,
      });
    }
    const { resolution } = record;
    writes.push({
      path: file,
      file: resolution.content === null ? null : { mode: resolution.mode ?? '100644', content: new Uint8Array(Buffer.from(resolution.content, 'base64')) },
    });
    resolved.push({ file, with: resolution.with });
  }
  const commit = await services.merges.commitMerge({
    planId: input.planId,
    onto: merge.clean,
    writes,
    parents: [merge.ours],
    message: `troupe: merge of plan ${input.name} with ${merge.files.length} resolved ${merge.files.length === 1 ? 'conflict' : 'conflicts'}`,
  });
  await services.merges.removeEditCopies(input.planId);
  return { commit, resolved };
}
