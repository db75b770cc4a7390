import {
  DEFAULT_OVERLAP_POLICY,
  ValidationError,
  type Decision,
  type FieldIssue,
  type JournalEntry,
  type OverlapPolicy,
  type Step,
  type SubplanSpawnInput,
  type SubplanSpawnPayload,
  type SubplanStep,
} from '../../src/domain/index.js';
import type { ToolResult } from '../../src/tools/types.js';
import { groupOverlap, type GroupOverlap } from './group-overlap.js';

/** A step as strategize records it: a plan file step, or the group of spawns a strategist made with the tool itself. */
export type GroupStep = Step | StrayGroup;

/** A group of spawns already recorded (by a strategist calling the tool), run as one subplans step. */
export type StrayGroup = SubplanStep & { spawned: Decision[] };

/** What a group's step decision holds (its `payload.subplans`): how the group runs, and its spawn decisions in entry order. */
export interface GroupPayload extends Record<string, unknown> {
  mode: SubplanStep['subplans']['mode'];
  maxParallel: number;
  mergeStrategy: SubplanStep['subplans']['mergeStrategy'];
  failurePolicy: SubplanStep['subplans']['failurePolicy'];
  retries: number;
  timeoutMs?: number;
  contextView: SubplanStep['subplans']['contextView'];
  spawns: string[];
  /** Overlapping scopes (absent in groups decided before overlap detection, and under `allow`): docs/reference/subplans.md. */
  overlap?: GroupOverlap;
}

/** A recorded group: its step decision (payload `subplans`), and what overlap detection recorded beside it. */
export interface RecordedGroup {
  decision: Decision;
  /** The `overlap` decision, when entries overlap (and the policy is not `allow`). */
  decisions: Decision[];
  /** `overlap.detected`, journaled with the strategy. */
  entries: JournalEntry[];
}

/**
 * Record a `subplans` step (SPEC §8): its step decision becomes the group,
 * and each entry is spawned through `builtin/plan-subplan` — in dependency
 * order, so an entry's `dependsOn` names become the ids of the spawn
 * decisions before it. A spawn the tool refuses fails strategize with a
 * `VALIDATION_ERROR` naming the entry's field. Then the entries' scopes are
 * checked for overlap under the group's policy (the step's `overlap`, else
 * `overlapDefault`, else `warn`; group-overlap.ts). Returns the step
 * decision with the group's payload, and what overlap detection recorded.
 */
export async function groupDecisions(options: {
  step: SubplanStep | StrayGroup;
  index: number;
  decision: Decision;
  run: (spawn: SubplanSpawnInput) => Promise<ToolResult>;
  /** A spawn decision the tool just recorded, by id. */
  spawnOf: (decisionId: string) => Decision | undefined;
  /** The project's policy for groups that name none. */
  overlapDefault?: OverlapPolicy | undefined;
  /** The files of the sandbox's tree (read only when entries overlap). */
  tree: () => Promise<string[]>;
  newId: () => string;
}): Promise<RecordedGroup> {
  const { step, index, decision } = options;
  const group = step.subplans;
  const ids = new Map<number, string>();
  const byName = new Map(group.entries.flatMap((entry, at) => (entry.name ? [[entry.name, at] as const] : [])));
  for (const at of dependencyOrder(group)) {
    const entry = group.entries[at]!;
    const spawn: SubplanSpawnInput = {
      goal: entry.goal,
      ...(entry.name === undefined ? {} : { name: entry.name }),
      ...(entry.definitionOfDone === undefined ? {} : { definitionOfDone: entry.definitionOfDone }),
      ...(entry.resourceScopes === undefined ? {} : { resourceScopes: entry.resourceScopes }),
      ...(entry.project === undefined ? {} : { project: entry.project }),
      parallel: group.mode !== 'sequential',
      mode: group.mode,
      maxParallel: group.maxParallel,
      mergeStrategy: group.mergeStrategy,
      contextView: group.contextView,
      failurePolicy: group.failurePolicy,
      retries: group.retries,
      ...(group.timeoutMs === undefined ? {} : { timeoutMs: group.timeoutMs }),
      dependencies: entry.dependsOn.map((name) => ids.get(byName.get(name)!)!),
      parentDecisionId: decision.id,
      invariants: entry.invariants,
      validate: entry.validate,
      ...(entry.strategy === undefined ? {} : { strategy: entry.strategy }),
    };
    const result = await options.run(spawn);
    if (!result.success) {
      const issues = (
        (result.error.details?.issues as FieldIssue[] | undefined) ?? [{ path: 'input', message: result.error.message }]
      ).map((issue) => ({
        path: issue.path.replace(/^input/, `steps[${index}].subplans.entries[${at}]`),
        message: issue.message,
      }));
      throw new ValidationError(issues, { subject: 'strategy' });
    }
    ids.set(at, (result.output as { decisionId: string }).decisionId);
  }
  const spawns = [...group.entries.keys()]
    .map((at) => ids.get(at)!)
    .concat('spawned' in step ? step.spawned.map((spawned) => spawned.id) : []);
  const spawnDecisions = spawns.map(
    (id) => options.spawnOf(id) ?? ('spawned' in step ? step.spawned.find((spawned) => spawned.id === id) : undefined)!,
  );
  const overlap = await groupOverlap({
    policy: group.overlap ?? options.overlapDefault ?? DEFAULT_OVERLAP_POLICY,
    mode: group.mode,
    index,
    decision,
    spawns: spawnDecisions,
    tree: options.tree,
    newId: options.newId,
  });
  const payload: GroupPayload = {
    mode: group.mode,
    maxParallel: group.maxParallel,
    mergeStrategy: group.mergeStrategy,
    failurePolicy: group.failurePolicy,
    retries: group.retries,
    ...(group.timeoutMs === undefined ? {} : { timeoutMs: group.timeoutMs }),
    contextView: group.contextView,
    spawns,
    ...(Object.keys(overlap.overlap.after).length > 0 || overlap.decisions.length > 0
      ? { overlap: overlap.overlap }
      : {}),
  };
  return {
    decision: { ...decision, payload: { ...decision.payload, subplans: payload } },
    decisions: overlap.decisions,
    entries: overlap.entries,
  };
}

/**
 * The spawns a strategist made itself with `builtin/plan-subplan` (not
 * through a subplans step), as one group run after its steps: its settings
 * come from the first spawn, and it runs dependency-ordered when any spawn
 * names dependencies.
 */
export function strayGroup(spawned: Decision[]): StrayGroup {
  const first = spawned[0]!.payload as SubplanSpawnPayload;
  const ordered = spawned.some((decision) => (decision.payload as SubplanSpawnPayload).dependencies.length > 0);
  return {
    title: `Run the ${spawned.length} subplan(s) the strategist spawned`,
    subplans: {
      mode: ordered ? 'dependency-ordered' : first.mode,
      maxParallel: first.maxParallel,
      mergeStrategy: first.mergeStrategy,
      failurePolicy: first.failurePolicy,
      retries: first.retries,
      ...(first.timeoutMs === undefined ? {} : { timeoutMs: first.timeoutMs }),
      contextView: first.contextView,
      entries: [],
    },
    spawned,
  };
}

// entries in an order where each comes after what it depends on, entry order otherwise
function dependencyOrder(group: SubplanStep['subplans']): number[] {
  const byName = new Map(group.entries.flatMap((entry, at) => (entry.name ? [[entry.name, at] as const] : [])));
  const order: number[] = [];
  const placed = new Set<number>();
  while (order.length < group.entries.length) {
    const next = group.entries.findIndex(
      (entry, at) => !placed.has(at) && entry.dependsOn.every((name) => placed.has(byName.get(name) ?? -1)),
    );
    // a cycle or an unknown name was refused by the plan file's schema; never loop on one
    const at = next === -1 ? group.entries.findIndex((_, candidate) => !placed.has(candidate)) : next;
    order.push(at);
    placed.add(at);
  }
  return order;
}
