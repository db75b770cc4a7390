import {
  TroupeError,
  ValidationError,
  conflictPaths,
  firstConflictMarker,
  isOpenConflict,
  markerPlace,
  resolutionPath,
  type Changeset,
  type ConflictResolution,
} from '../src/domain/index.js';
import type { FileWrite } from '../src/merge/index.js';
import type { CommitMergeInput, CommitMergeOutput } from '../machines/index.js';
import type { ActorServices } from './services.js';

/**
 * The `commitMerge` actor: every conflict of a waiting merge is resolved,
 * so make the merge commit — the clean parts plus each stored resolution on
 * top of ours (the project's then HEAD for apply; the plan's sandbox head
 * for a child's merge, whose sandbox then moves to it and whose child ends
 * done) — and drop the copies with conflict markers. A file the user or an
 * agent gave that still holds a conflict marker is refused
 * (VALIDATION_ERROR naming it) unless it was resolved with allowMarkers:
 * this commit is what apply brings onto the branch. Idempotent: it only
 * reads the stored resolutions and writes new objects; run again, it makes
 * an equal commit.
 */
export async function commitMerge(input: CommitMergeInput, services: ActorServices): Promise<CommitMergeOutput> {
  const { merge } = input;
  const records = new Map((await services.conflicts(input.planId)).map((record) => [record.file, record]));
  const writes: FileWrite[] = [];
  const resolved: CommitMergeOutput['resolved'] = [];
  for (const file of merge.files) {
    const record = records.get(file);
    if (!record || isOpenConflict(record) || !record.resolution) {
      throw new TroupeError(
        'INTERNAL_ERROR',
        `plan ${input.name}: the resolution of ${file} is missing from the store`,
        {
          hint: `resolve it again: troupe plan resolve ${input.name} ${file} --ours|--theirs|--use <path>`,
        },
      );
    }
    const { resolution } = record;
    refuseLeftMarkers(input.name, file, resolution);
    // a renamed file lands at one path (the chosen side's, or none): every other path of it goes, so no old path or copy is left
    const target = resolutionPath(record, resolution.with);
    for (const path of conflictPaths(record)) if (path !== target) writes.push({ path, file: null });
    if (target !== null) {
      writes.push({
        path: target,
        file:
          resolution.content === null
            ? null
            : { mode: resolution.mode ?? '100644', content: new Uint8Array(Buffer.from(resolution.content, 'base64')) },
      });
    }
    resolved.push({ file, with: resolution.with });
  }
  const count = `${merge.files.length} resolved ${merge.files.length === 1 ? 'conflict' : 'conflicts'}`;
  const commit = await services.merges.commitMerge({
    planId: input.planId,
    onto: merge.clean,
    writes,
    // into a sandbox the merge commit joins the child's history; onto the project, one parent
    parents: merge.target === 'sandbox' ? [merge.ours, merge.theirs] : [merge.ours],
    message:
      merge.target === 'sandbox'
        ? `troupe: merge child plan ${input.childName ?? merge.child} into ${input.name} with ${count}\n\nTroupe-Child-Id: ${merge.child}`
        : `troupe: merge of plan ${input.name} with ${count}`,
  });
  if (merge.target === 'sandbox' && input.sandbox) {
    await services.sandboxes.reset(input.sandbox, commit);
    services.cleanSandboxes.delete(input.planId);
    if (merge.child) {
      await services.children.merged(merge.child, commit);
      await services.children.release([merge.child]);
    }
  }
  await services.merges.removeEditCopies(input.planId);
  return { commit, resolved, changeset: await resolvedChangeset(input, commit, services) };
}

// the plan's changeset once the merge is made: into a sandbox from its base, onto the project from the branch it merged onto
async function resolvedChangeset(
  input: CommitMergeInput,
  commit: string,
  services: ActorServices,
): Promise<Changeset | null> {
  if (!input.sandbox) return null;
  const base = input.merge.target === 'sandbox' ? input.sandbox.baseCommit : input.merge.ours;
  const files = await services.sandboxes.diff(input.sandbox, base, commit);
  return {
    id: input.changesetId ?? services.newId(),
    planId: input.planId,
    baseCommit: base,
    headCommit: commit,
    files,
  };
}

// resolve refuses such a file already; this is the last look before a branch can get it
// (a resolution stored by an older troupe, or written around the runtime's check)
function refuseLeftMarkers(plan: string, file: string, resolution: ConflictResolution): void {
  if (
    (resolution.with !== 'file' && resolution.with !== 'content') ||
    resolution.allowMarkers ||
    resolution.content === null
  )
    return;
  const marker = firstConflictMarker(Buffer.from(resolution.content, 'base64').toString('utf8'));
  if (marker === null) return;
  throw new ValidationError(
    [
      {
        path: file,
        message: `its resolution still holds a conflict marker at ${markerPlace(marker)}: the merge was not committed`,
      },
    ],
    {
      subject: `plan ${plan}`,
      hint: `troupe plan rollback ${plan} goes back to before the merge, which then asks for its conflicts anew: resolve ${file} with a file without markers, or with --allow-markers if it is meant to hold them`,
    },
  );
}
