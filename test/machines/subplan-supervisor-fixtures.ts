import { assign, createActor, fromPromise, setup, waitFor, type AnyActorLogic } from 'xstate';
import {
  initialState,
  subplanSupervisorMachine,
  type CancelChildrenInput,
  type GroupConfig,
  type MergeChildInput,
  type MergeChildOutput,
  type RunChildInput,
  type RunChildOutput,
  type StartChildInput,
  type SupervisedChild,
  type SupervisorOutput,
  type SupervisorReport,
} from '../../machines/index.js';

// The supervisor machine with scripted actors, invoked by a stand-in parent plan.

export const CONFIG: GroupConfig = {
  mode: 'parallel',
  maxParallel: 2,
  mergeStrategy: 'three-way',
  failurePolicy: 'fail-fast',
  retries: 0,
  timeoutMs: null,
  contextView: 'skeleton',
};

export function children(count: number, dependsOn: Record<number, number[]> = {}): SupervisedChild[] {
  return Array.from({ length: count }, (_, index) => ({
    childId: `C${index}`,
    name: `demo/x-${index + 1}`,
    decisionId: `D${index}`,
    dependsOn: (dependsOn[index] ?? []).map((dependency) => `C${dependency}`),
    project: null,
  }));
}

export interface Script {
  /** How each child's attempts end, in order (default: validates). */
  outcomes?: Record<string, RunChildOutput[]>;
  /** Children whose merge conflicts. */
  conflicts?: string[];
  /** Children whose run never answers on its own (until cancelled). */
  hangs?: string[];
}

/** A parent plan stand-in that invokes the supervisor by a string key (as the plan does: restore needs it). */
export function parentOf(supervisor: AnyActorLogic, input: unknown, reports: SupervisorReport[] = []) {
  return setup({
    types: {} as { context: { output: SupervisorOutput | null } },
    actors: { supervise: supervisor as typeof subplanSupervisorMachine },
  }).createMachine({
    context: { output: null },
    initial: 'running',
    states: {
      running: {
        invoke: {
          id: 'supervisor',
          src: 'supervise',
          input: input as never,
          onDone: { target: 'done', actions: assign({ output: ({ event }) => event.output as SupervisorOutput }) },
        },
        on: { 'subplans.changed': { actions: ({ event }) => void reports.push(event as SupervisorReport) } },
      },
      done: { type: 'final' },
    },
  });
}

/** The parts of a persisted parent this file reads. */
export interface PersistedParent {
  children: Record<
    string,
    {
      snapshot: {
        context: { state: { merging: unknown } };
        children: Record<string, { snapshot: { input: unknown } }>;
      };
    }
  >;
}

/** A scripted round: each child merged onto the head before it, up to the first that conflicts. */
export function mergeRound(input: MergeChildInput, conflicts: readonly string[]): MergeChildOutput {
  let head = input.ours;
  const merged: MergeChildOutput['merged'] = [];
  for (const { child, base, theirs } of input.children) {
    if (conflicts.includes(child.childId)) {
      return {
        merged,
        changeset: null,
        stopped: {
          childId: child.childId,
          merge: {
            base,
            ours: head,
            theirs,
            clean: 'clean',
            conflicts: [{ file: 'a.txt', kind: 'content', hunks: [], edit: null }],
          },
        },
      };
    }
    head = `${head}+${child.childId}`;
    merged.push({ childId: child.childId, head, settled: [], files: [] });
  }
  return { merged, changeset: null };
}

/** Every child the rounds merged, in order. */
export function merged(rounds: readonly MergeChildInput[]): string[] {
  return rounds.flatMap((round) => round.children.map(({ child }) => child.childId));
}

/** A parent that invokes the supervisor and keeps its reports, with scripted actors. */
export function supervise(config: Partial<GroupConfig>, kids: SupervisedChild[], script: Script = {}) {
  const log: string[] = [];
  const started: StartChildInput[] = [];
  const runs: RunChildInput[] = [];
  const merges: MergeChildInput[] = [];
  const cancels: CancelChildrenInput[] = [];
  const reports: SupervisorReport[] = [];
  const release = new Map<string, (output: RunChildOutput) => void>();
  let running = 0;
  let peak = 0;
  const supervisor = subplanSupervisorMachine.provide({
    actors: {
      startChild: fromPromise(async ({ input }: { input: StartChildInput }) => {
        started.push(input);
        return { startedAt: 1_000 };
      }),
      runChild: fromPromise(async ({ input }: { input: RunChildInput }): Promise<RunChildOutput> => {
        runs.push(input);
        running += 1;
        peak = Math.max(peak, running);
        log.push(`run ${input.childId}#${input.attempt}`);
        try {
          if (script.hangs?.includes(input.childId))
            return await new Promise((resolve) => release.set(input.childId, resolve));
          await new Promise((resolve) => setTimeout(resolve, 5));
          const attempts = script.outcomes?.[input.childId] ?? [];
          return attempts[input.attempt - 1] ?? { ok: true, head: `t-${input.childId}` };
        } finally {
          running -= 1;
        }
      }),
      mergeChild: fromPromise(async ({ input }: { input: MergeChildInput }): Promise<MergeChildOutput> => {
        merges.push(input);
        for (const { child } of input.children) log.push(`merge ${child.childId}`);
        return mergeRound(input, script.conflicts ?? []);
      }),
      cancelChildren: fromPromise(async ({ input }: { input: CancelChildrenInput }) => {
        cancels.push(input);
        for (const childId of input.childIds)
          release.get(childId)?.({ ok: false, error: { code: 'CANCELLED', message: 'cancelled' }, cancelled: true });
      }),
    },
  });
  const state = initialState({
    planId: 'P',
    stepIndex: 0,
    groupDecisionId: 'G',
    config: { ...CONFIG, ...config },
    children: kids,
    head: 'h0',
  });
  const parent = parentOf(supervisor, state, reports);
  const actor = createActor(parent).start();
  const done = async () =>
    (await waitFor(actor, (snapshot) => snapshot.status === 'done', { timeout: 5_000 })).context.output!;
  return { actor, done, log, started, runs, merges, cancels, reports, release, peak: () => peak };
}
