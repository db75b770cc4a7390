import {
  MERGE_STRATEGIES,
  RESOLUTION_SOURCES,
  TroupeError,
  ValidationError,
  conflictPaths,
  firstConflictMarker,
  isOpenConflict,
  markerPlace,
  resolutionPath,
  type ConflictRecord,
  type ConflictResolution,
  type ConflictResolutionPayload,
  type Decision,
  type MergePayload,
  type MergeStrategy,
  type PlanRecord,
} from '../../domain/index.js';
import type { MergeEmitted, PendingMerge, StrategyResolution } from '../../../machines/index.js';
import type { MergeFiles } from '../../../actors/index.js';
import { entryType, mergeEntry, type TreeFile } from '../../merge/index.js';
import { listed } from '../../sandbox/index.js';
import type { ConflictList, ConflictView, ResolveChoice } from './child-plan-api.js';

/**
 * The resolution a choice gives a conflicting file: `ours` / `theirs` merge
 * it with every conflicting hunk settled to that side, keeping what merged
 * cleanly (like `git merge-file --ours`; a whole-file conflict takes that
 * side's file — a submodule pointer, a symlink — or its absence, and a
 * directory that side has stays); `file` takes the user's file as it is,
 * refused for a submodule, whose pointer is a commit and not a file. A file
 * a side renamed is read where each side has it; a `rename-delete` takes
 * the chosen side's file as it is (the renamed file, or none).
 */
export async function resolutionFor(
  files: MergeFiles,
  merge: PendingMerge,
  conflict: Pick<ConflictRecord, 'file' | 'kind' | 'paths'>,
  choice: ResolveChoice,
  plan: string,
): Promise<ConflictResolution> {
  const { file } = conflict;
  const paths = conflict.paths ?? { base: file, ours: file, theirs: file };
  const read = (commit: string, path: string | null) =>
    path === null ? Promise.resolve(null) : files.readFile(commit, path);
  const [base, ours, theirs] = await Promise.all([
    read(merge.base, paths.base),
    read(merge.ours, paths.ours),
    read(merge.theirs, paths.theirs),
  ]);
  if (choice.with === 'file' || choice.with === 'content') {
    const mode = ownFileMode(ours, theirs);
    if (mode === null) throw submoduleFile(plan, file, choice.with === 'file' ? '--use' : 'content');
    const allowed = choice.allowMarkers === true ? { allowMarkers: true as const } : {};
    // the merged text an agent wrote (plan_resolve {content}): taken as it is, like a file the user edited
    if (choice.with === 'content') {
      if (!allowed.allowMarkers)
        refuseMarkers(choice.content, { field: 'content', name: `the merged text for ${file}` });
      return { with: 'content', content: Buffer.from(choice.content, 'utf8').toString('base64'), mode, ...allowed };
    }
    const given = await files.readProjectFile(choice.path);
    if (!allowed.allowMarkers)
      refuseMarkers(Buffer.from(given.content).toString('utf8'), { field: '--use', name: given.path });
    return { with: 'file', content: Buffer.from(given.content).toString('base64'), mode, path: given.path, ...allowed };
  }
  if (conflict.kind === 'rename-delete') {
    const side = choice.with === 'ours' ? ours : theirs;
    return side === null
      ? { with: choice.with, content: null, mode: null }
      : { with: choice.with, content: Buffer.from(side.content).toString('base64'), mode: side.mode };
  }
  const merged = mergeEntry({
    path: resolutionPath(conflict, choice.with) ?? file,
    base,
    ours,
    theirs,
    strategy: choice.with,
  });
  // ours and theirs settle every conflict; a conflict left would be an engine bug, and taking the side whole is the safe answer
  const entry = merged.status === 'clean' ? merged.file : choice.with === 'ours' ? ours : theirs;
  if (entry === null || entryType(entry.mode) === 'directory') return { with: choice.with, content: null, mode: null };
  return { with: choice.with, content: Buffer.from(entry.content).toString('base64'), mode: entry.mode };
}

// the mode your own bytes get: ours' where ours has a file or a symlink (else theirs'), a regular
// file's where the sides are of different types; null where neither side has bytes (submodules)
function ownFileMode(ours: TreeFile | null, theirs: TreeFile | null): string | null {
  const sides = [ours, theirs].filter(
    (side): side is TreeFile => side !== null && ['file', 'symlink'].includes(entryType(side.mode)),
  );
  const regular = sides.find((side) => entryType(side.mode) === 'file');
  const distinct = sides.length === 2 && entryType(sides[0]!.mode) !== entryType(sides[1]!.mode);
  return (distinct ? regular : sides[0])?.mode ?? null;
}

// a submodule's pointer names a commit of another repository: no file of yours can stand for it
function submoduleFile(plan: string, file: string, field: string): ValidationError {
  return new ValidationError(
    [
      {
        path: field,
        message: `${file} is a submodule, not a file: its pointer names a commit, which no file can stand for`,
      },
    ],
    {
      hint: `troupe plan resolve ${plan} ${file} --ours|--theirs takes one side's pointer; move it afterwards with git in the submodule`,
    },
  );
}

/**
 * Refuse a resolution that still holds a conflict marker (VALIDATION_ERROR
 * naming `field`, the file and the marker's line): what the user or agent
 * gives is what the merge commit — and then the branch — gets.
 *
 * @example
 * refuseMarkers(text, { field: '--use', name: 'conflict.txt' });
 * // throws: --use: conflict.txt still holds a conflict marker at line 12 (<<<<<<< ours)
 */
export function refuseMarkers(text: string, where: { field: string; name: string }): void {
  const marker = firstConflictMarker(text);
  if (marker === null) return;
  throw new ValidationError(
    [{ path: where.field, message: `${where.name} still holds a conflict marker at ${markerPlace(marker)}` }],
    {
      hint: 'edit out every <<<<<<< ======= >>>>>>> block; a file meant to hold markers (a test fixture, docs about git) is taken with --allow-markers (allowMarkers: true in MCP and the embedding API)',
    },
  );
}

/** The largest merged text a `content` resolution takes: 5 MiB, as `fs/read-file` reads. */
export const MAX_RESOLUTION_BYTES = 5 * 1024 * 1024;

/** A resolve request as the host may receive it: checked before anything is read. */
export function checkResolveRequest(file: unknown, choice: unknown): asserts choice is ResolveChoice {
  if (typeof file !== 'string' || file === '')
    throw new ValidationError([{ path: 'file', message: 'is required: the path of a conflicting file' }]);
  const candidate = choice as { with?: unknown; path?: unknown } | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    !(RESOLUTION_SOURCES as readonly unknown[]).includes(candidate.with)
  ) {
    throw new ValidationError([{ path: 'resolution', message: 'choose one of --ours, --theirs, --use <path>' }]);
  }
  if (candidate.with === 'file' && (typeof candidate.path !== 'string' || candidate.path === '')) {
    throw new ValidationError([{ path: '--use', message: 'needs the path of a file' }]);
  }
  const allowMarkers = (candidate as { allowMarkers?: unknown }).allowMarkers;
  if (
    allowMarkers !== undefined &&
    (typeof allowMarkers !== 'boolean' || (allowMarkers && candidate.with !== 'file' && candidate.with !== 'content'))
  ) {
    throw new ValidationError([
      { path: '--allow-markers', message: 'is true or false, and goes with --use <path> (or content)' },
    ]);
  }
  const content = (candidate as { content?: unknown }).content;
  if (
    candidate.with === 'content' &&
    (typeof content !== 'string' || Buffer.byteLength(content) > MAX_RESOLUTION_BYTES)
  ) {
    throw new ValidationError([
      {
        path: 'content',
        message: `must be the merged file as text, at most ${MAX_RESOLUTION_BYTES / 1024 / 1024} MiB`,
      },
    ]);
  }
}

/** A merge strategy as the host may receive it. */
export function checkStrategy(strategy: unknown): MergeStrategy | undefined {
  if (strategy === undefined) return undefined;
  if ((MERGE_STRATEGIES as readonly unknown[]).includes(strategy)) return strategy as MergeStrategy;
  throw new ValidationError([
    { path: '--strategy', message: `must be one of ${MERGE_STRATEGIES.join(', ')} (got ${JSON.stringify(strategy)})` },
  ]);
}

/**
 * The conflict a path names: the one recorded at it, or else the one open
 * conflict of a renamed file that has a version there (its old path, or
 * the other side's new one) — so `plan resolve` takes any path `plan
 * conflicts` shows. Undefined when none does.
 */
export function conflictAt(records: readonly ConflictRecord[], path: string): ConflictRecord | undefined {
  const exact = records.find((record) => record.file === path);
  if (exact) return exact;
  const covering = records.filter(
    (record) => isOpenConflict(record) && record.paths !== undefined && conflictPaths(record).includes(path),
  );
  return covering.length === 1 ? covering[0] : undefined;
}

/** Why a file cannot be resolved: the plan waits on no merge, or not on that file. */
export function notResolvable(name: string, file: string, open: readonly string[], where: string): ValidationError {
  if (open.length === 0) {
    return new ValidationError([{ path: 'file', message: `plan ${name} has no open conflicts (it is at ${where})` }], {
      hint: `troupe plan status ${name}`,
    });
  }
  return new ValidationError(
    [{ path: 'file', message: `${file} has no open conflict in plan ${name}; open: ${listed(open)}` }],
    {
      hint: `troupe plan conflicts ${name} lists them`,
    },
  );
}

/** The error of a command that needs the plan to move on while conflicts remain (exit 3). */
export function conflictsRemain(name: string, action: string, open: readonly string[]): TroupeError {
  return new TroupeError(
    'MERGE_CONFLICT',
    `cannot ${action} ${name}: ${open.length} ${open.length === 1 ? 'file has' : 'files have'} unresolved conflicts: ${listed(open)}`,
    {
      details: { files: [...open] },
      hint: `troupe plan conflicts ${name} shows them; resolve each with troupe plan resolve ${name} <file> --ours|--theirs|--use <path>`,
    },
  );
}

/**
 * `troupe plan conflicts`: the open records as views, and what was resolved
 * so far; a child's name comes from the plan's own record of its children.
 */
export function conflictList(
  planId: string,
  plan: Pick<PlanRecord, 'phase' | 'status' | 'subplanStatuses'>,
  records: readonly ConflictRecord[],
): ConflictList {
  const conflicts: ConflictView[] = [];
  const resolved: ConflictList['resolved'] = [];
  for (const record of records) {
    if (!isOpenConflict(record)) resolved.push({ file: record.file, with: record.resolution!.with });
    else {
      const childName = record.child === null ? null : (plan.subplanStatuses[record.child]?.name ?? null);
      conflicts.push({
        file: record.file,
        child: record.child,
        childName,
        kind: record.kind,
        hunks: record.hunks,
        edit: record.edit ?? null,
        ...(record.paths ? { paths: record.paths } : {}),
      });
    }
  }
  const position = { phase: plan.phase, status: plan.status };
  return { planId, ...position, conflicts, resolved };
}

/** The `conflict_resolution` decision of a file the user resolved. */
export function userResolutionDecision(
  base: Pick<Decision, 'id' | 'planId' | 'parentId' | 'createdAt'>,
  record: ConflictRecord,
  resolution: ConflictResolution,
): Decision {
  const how =
    resolution.with === 'file'
      ? `the user's file ${resolution.path}`
      : resolution.with === 'content'
        ? 'merged text given with the resolution'
        : `${resolution.with === 'ours' ? "the project's" : "the plan's"} version (${resolution.with})`;
  const payload: ConflictResolutionPayload = {
    file: record.file,
    kind: record.kind,
    with: resolution.with,
    by: 'user',
    hunks: record.hunks.length,
    child: record.child,
    ...(resolution.path === undefined ? {} : { path: resolution.path }),
  };
  return {
    ...base,
    type: 'conflict_resolution',
    title: `Resolve ${record.file} with ${how}`,
    rationale: `The ${record.kind} conflict in ${record.file} (${record.hunks.length} ${record.hunks.length === 1 ? 'hunk' : 'hunks'}) was resolved by the user with ${how}${resolution.content === null ? ', which deletes the file' : ''}${resolution.allowMarkers ? ', conflict markers allowed (--allow-markers)' : ''}.`,
    payload,
    actor: 'user',
    status: 'active',
  };
}

/** The `conflict_resolution` decision of a conflict the `ours` / `theirs` strategy settled. */
export function strategyResolutionDecision(
  base: Pick<Decision, 'id' | 'planId' | 'parentId' | 'createdAt'>,
  settled: StrategyResolution,
): Decision {
  const payload: ConflictResolutionPayload = {
    file: settled.file,
    kind: settled.kind,
    with: settled.with,
    by: 'strategy',
    hunks: settled.hunks,
    child: null,
  };
  return {
    ...base,
    type: 'conflict_resolution',
    title: `Resolve ${settled.file} to ${settled.with} (strategy ${settled.with})`,
    rationale: `The merge strategy "${settled.with}" resolved ${settled.hunks} conflicting ${settled.hunks === 1 ? 'region' : 'regions'} (${settled.kind}) in ${settled.file} to the ${settled.with === 'ours' ? "project's" : "plan's"} side; everything else merged as usual.`,
    payload,
    actor: 'runtime',
    status: 'active',
  };
}

/** The `merge` decision of a merge whose conflicts the user resolved. */
export function mergeDecision(base: Pick<Decision, 'id' | 'planId' | 'createdAt'>, emitted: MergeEmitted): Decision {
  const { merge, resolved } = emitted;
  const payload: MergePayload = {
    target: merge.target,
    child: merge.child,
    base: merge.base,
    ours: merge.ours,
    theirs: merge.theirs,
    commit: merge.commit,
    resolved,
  };
  const count = `${resolved.length} ${resolved.length === 1 ? 'conflict' : 'conflicts'}`;
  const how = resolved.map((entry) => `${entry.file}: ${entry.with}`).join(', ');
  const child = merge.target === 'sandbox';
  return {
    ...base,
    parentId: emitted.parentId,
    type: 'merge',
    title: child
      ? `Merge child plan ${emitted.childName ?? merge.child ?? ''} into the sandbox with ${count} resolved`
      : `Merge into the project with ${count} resolved`,
    // apply commits the merged files on the project's branch as a commit of its own: naming the merge's commit here would name one the branch never has
    rationale: child
      ? `The child plan's result merged onto the plan's sandbox at ${merge.ours.slice(0, 7)} with ${count} resolved by the user (${how}); merge commit ${merge.commit.slice(0, 7)} becomes the sandbox's head when the plan runs on.`
      : `The plan's changes merged onto the project's ${merge.ours.slice(0, 7)} with ${count} resolved by the user (${how}); the next apply commits the merged files on the project's branch.`,
    payload,
    actor: 'runtime',
    status: 'active',
  };
}
