import {
  advance,
  initialState,
  type Advance,
  type GroupConfig,
  type Happening,
  type SupervisedChild,
  type SupervisorState,
} from '../../machines/index.js';

// A group fed to the supervisor's rules (advance) one happening at a time, and the happenings.

export const CONFIG: GroupConfig = {
  mode: 'parallel',
  maxParallel: 2,
  mergeStrategy: 'three-way',
  failurePolicy: 'continue',
  retries: 0,
  timeoutMs: null,
  contextView: 'skeleton',
};

export function children(count: number, extra: Record<number, Partial<SupervisedChild>> = {}): SupervisedChild[] {
  return Array.from({ length: count }, (_, index) => ({
    childId: `C${index}`,
    name: `demo/x-${index + 1}`,
    decisionId: `D${index}`,
    dependsOn: [],
    project: null,
    ...extra[index],
  }));
}

export function group(config: Partial<GroupConfig>, kids: SupervisedChild[]): SupervisorState {
  return initialState({
    planId: 'P',
    stepIndex: 0,
    groupDecisionId: 'G',
    config: { ...CONFIG, ...config },
    children: kids,
    head: 'h0',
  });
}

/** Feed the happenings in order; the answer to the last one. */
export function feed(state: SupervisorState, ...happenings: Happening[]): Advance {
  let result: Advance = advance(state, happenings[0]!);
  for (const happening of happenings.slice(1)) result = advance(result.state, happening);
  return result;
}

export const started = (childId: string, attempt = 1): Happening => ({
  kind: 'started',
  childId,
  attempt,
  startedAt: 1,
});
export const validated = (childId: string, attempt = 1): Happening => ({
  kind: 'ran',
  childId,
  attempt,
  output: { ok: true, head: `t-${childId}` },
});
export const broke = (childId: string, attempt = 1): Happening => ({
  kind: 'ran',
  childId,
  attempt,
  output: { ok: false, error: { code: 'TOOL_FAILED', message: 'broke' } },
});
export const mergedAs = (childId: string, head: string, changeset: { id: string } | null = null): Happening => ({
  kind: 'merged',
  childId,
  output: { merged: [{ childId, head, settled: [], files: [] }], changeset: changeset as never },
});
