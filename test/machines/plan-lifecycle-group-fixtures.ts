import { planPosition, type PlanContext, type PlanEmitted } from '../../machines/index.js';
import type { GroupPlanScript } from './plan-lifecycle-fixtures.js';

// The group of subplans the plan-lifecycle-group tests run: its configuration, children and script.

export const position = (snapshot: { value: unknown; context: PlanContext }) =>
  planPosition(snapshot.value as never, snapshot.context);

export const CONFIG = {
  mode: 'parallel' as const,
  maxParallel: 2,
  mergeStrategy: 'three-way' as const,
  failurePolicy: 'fail-fast' as const,
  retries: 0,
  timeoutMs: null,
  contextView: 'skeleton' as const,
};

/** Children `C1`…`Cn`, named `demo/x-1`…, independent. */
export const children = (n: number, from = 1) =>
  Array.from({ length: n }, (_, index) => ({
    childId: `C${from + index}`,
    name: `demo/x-${from + index}`,
    decisionId: `D-C${from + index}`,
    dependsOn: [],
    project: null,
  }));

/** Every child's run validates at once, and every round merges clean. */
export const CLEAN: GroupPlanScript = {
  runChild: async (input) => ({ ok: true, head: `t-${input.childId}` }),
  mergeChild: async (input) => ({
    merged: input.children.map(({ child }) => ({
      childId: child.childId,
      head: `m-${child.childId}`,
      settled: [],
      files: [],
    })),
    changeset: null,
  }),
};

// the subplan entries of a journal, whole: each in execute
export const subplanEntries = (emitted: PlanEmitted[]) =>
  emitted.flatMap((event) =>
    event.type === 'journal' && event.entry.type.startsWith('subplan.') ? [event.entry] : [],
  );
export const entry = (type: string, data: Record<string, unknown>) => ({ type, phase: 'execute', data });
export const never = new Promise<never>(() => {});
