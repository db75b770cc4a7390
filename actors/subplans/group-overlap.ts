import {
  MAX_OVERLAP_LISTED,
  ValidationError,
  overlapFiles,
  overlappingPairs,
  serializeCycle,
  serializeEdges,
  type Decision,
  type JournalEntry,
  type OverlapEntry,
  type OverlapPayload,
  type OverlapPolicy,
  type SubplanMode,
  type SubplanSpawnPayload,
} from '../../src/domain/index.js';

/** What a group's step decision holds of its overlap (`payload.subplans.overlap`): the policy, and under `serialize` who waits for whom, by spawn decision id. */
export interface GroupOverlap {
  policy: OverlapPolicy;
  /** spawn decision id → the spawn decisions it waits for (each merged or ended) before it starts. */
  after: Record<string, string[]>;
}

/** What {@link groupOverlap} found: the group's overlap setting, and the `overlap` decision and `overlap.detected` entry when some entries overlap. */
export interface GroupOverlapResult {
  overlap: GroupOverlap;
  decisions: Decision[];
  entries: JournalEntry[];
}

/**
 * Overlap detection for a group at strategize (docs/reference/subplans.md,
 * Overlapping children): which spawned entries' scopes can match a common
 * path and which files of the sandbox's tree both match, recorded as an
 * `overlap` decision under the group's step decision and journaled as
 * `overlap.detected` — unless the policy is `allow`. Under `serialize` the
 * later entry of each pair waits for the earlier one; waits that would go
 * round in a circle with declared `dependsOn` are a `VALIDATION_ERROR`
 * naming the entries, at `steps[index].subplans.overlap`.
 */
export async function groupOverlap(options: {
  policy: OverlapPolicy;
  mode: SubplanMode;
  /** The group's step (0-based), for the error's field path. */
  index: number;
  /** The group's step decision: the overlap decision goes under it. */
  decision: Decision;
  /** The spawn decisions, in entry order. */
  spawns: readonly Decision[];
  /** The files of the sandbox's tree, read only when some entries overlap. */
  tree: () => Promise<string[]>;
  newId: () => string;
}): Promise<GroupOverlapResult> {
  const { policy, decision, spawns } = options;
  const none: GroupOverlapResult = { overlap: { policy, after: {} }, decisions: [], entries: [] };
  if (policy === 'allow') return none;
  const payloads = spawns.map((spawn) => spawn.payload as SubplanSpawnPayload);
  const entries: OverlapEntry[] = payloads.map((payload) => ({
    name: payload.childName,
    scopes: payload.resourceScopes ?? null,
    project: payload.project ?? null,
  }));
  const pairs = overlappingPairs(entries);
  if (pairs.length === 0) return none;
  const edges = policy === 'serialize' ? serializeEdges(pairs, options.mode) : [];
  if (edges.length > 0) {
    const indexOf = new Map(spawns.map((spawn, at) => [spawn.id, at]));
    const dependsOn = payloads.map((payload) =>
      payload.dependencies.flatMap((id) => (indexOf.has(id) ? [indexOf.get(id)!] : [])),
    );
    const cycle = serializeCycle(edges, dependsOn);
    if (cycle) throw cycleError(cycle, edges, entries, options.index);
  }
  // a group of hundreds of entries that all overlap lists the first ones; the waits themselves are all kept (`after`)
  const listed = pairs.slice(0, MAX_OVERLAP_LISTED);
  const files = overlapFiles(entries, listed, await options.tree());
  const payload: OverlapPayload = {
    policy,
    pairs: listed.map(({ a, b, patterns, example }, at) => ({
      entries: [entries[a]!.name, entries[b]!.name],
      patterns,
      example,
      ...files[at]!,
    })),
    edges: edges
      .slice(0, MAX_OVERLAP_LISTED)
      .map(([from, to]) => ({ from: entries[from]!.name, to: entries[to]!.name })),
    pairCount: pairs.length,
    edgeCount: edges.length,
  };
  const after: Record<string, string[]> = {};
  for (const [from, to] of edges) (after[spawns[to]!.id] ??= []).push(spawns[from]!.id);
  const overlap: Decision = {
    id: options.newId(),
    planId: decision.planId,
    parentId: decision.id,
    type: 'overlap',
    title: titleOf(payload),
    rationale: rationaleOf(payload),
    payload,
    actor: decision.actor,
    createdAt: decision.createdAt,
    status: 'active',
  };
  const entry: JournalEntry = {
    type: 'overlap.detected',
    phase: 'strategize',
    data: { step: options.index, ...payload },
  };
  return { overlap: { policy, after }, decisions: [overlap], entries: [entry] };
}

function titleOf(payload: OverlapPayload): string {
  const what =
    payload.pairCount === 1
      ? `${payload.pairs[0]!.entries.join(' and ')} may write the same files`
      : `${payload.pairCount} pairs of children may write the same files`;
  return `${what}: ${payload.policy === 'serialize' ? (payload.edges.length > 0 ? 'serialized' : 'already one at a time') : 'they run side by side'}`;
}

function rationaleOf(payload: OverlapPayload): string {
  const pairs = payload.pairs.map(({ entries: [a, b], patterns: [pa, pb], example, files, fileCount }) => {
    const scope = (pattern: string | null | undefined) => pattern ?? 'anywhere';
    const both = example === null ? 'may both match a path (too complex to decide)' : `both match ${example}`;
    const tree =
      fileCount === 0
        ? 'no file of the tree yet'
        : `${fileCount} file(s) of the tree: ${files.slice(0, 5).join(', ')}${fileCount > 5 ? ', …' : ''}`;
    return `${a} (${scope(pa)}) and ${b} (${scope(pb)}) ${both}; ${tree}`;
  });
  const waits = payload.edges.map(({ from, to }) => `${to} waits until ${from} is merged`);
  const policy =
    payload.policy === 'serialize'
      ? waits.length > 0
        ? `serialize: ${waits.join('; ')}`
        : 'serialize: the group already runs one at a time'
      : 'warn: they run side by side; a conflict, if any, shows when they merge (or is predicted while they run)';
  const more =
    payload.pairCount > payload.pairs.length
      ? ` (and ${payload.pairCount - payload.pairs.length} more pairs, ${payload.edgeCount} waits in all)`
      : '';
  return `${pairs.join('. ')}${more}. ${policy}.`;
}

// the waits and the dependencies go round: name every entry on the way and why each waits
function cycleError(
  cycle: readonly number[],
  edges: readonly (readonly [number, number])[],
  entries: readonly OverlapEntry[],
  index: number,
): ValidationError {
  const name = (at: number) => entries[at]!.name;
  const hops = cycle.slice(1).map((to, at) => {
    const from = cycle[at]!;
    const waits = edges.some(([x, y]) => x === from && y === to);
    return waits
      ? `${name(to)} waits for ${name(from)} (their scopes overlap)`
      : `${name(to)} depends on ${name(from)}`;
  });
  return new ValidationError(
    [
      {
        path: `steps[${index}].subplans.overlap`,
        message: `serialize would make a cycle with dependsOn: ${cycle.map(name).join(' → ')} (${hops.join('; ')})`,
      },
    ],
    {
      subject: 'strategy',
      hint: 'let dependsOn alone say which of them goes first (entries overlap in entry order), or use overlap: warn for this group',
    },
  );
}
