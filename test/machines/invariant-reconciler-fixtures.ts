import { fromPromise } from 'xstate';
import { invariantReconcilerMachine, type CheckInput, type ReconcileInput } from '../../machines/index.js';
import type { InvariantResult, TieredInvariant } from '../../src/domain/index.js';
import { SANDBOX } from './plan-lifecycle-fixtures.js';

/** Three invariants, one of each tier: project, plan, parent. */
export const INVARIANTS: TieredInvariant[] = [
  { id: 'tests-pass', check: 'command', run: 'npm test --silent', tier: 'project' },
  { id: 'header-exists', check: 'file-exists', path: 'LICENSE_HEADER', tier: 'plan' },
  { id: 'in-scope', check: 'paths-within', tier: 'parent' },
];

/** `count` file-exists invariants of tier plan, `inv-0` onwards. */
export function invariants(count: number): TieredInvariant[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `inv-${index}`,
    check: 'file-exists' as const,
    path: `f${index}`,
    tier: 'plan' as const,
  }));
}

/** A reconciliation of {@link INVARIANTS} after strategize in the scripted sandbox, with `overrides`. */
export function reconcileInput(overrides: Partial<ReconcileInput> = {}): ReconcileInput {
  return { planId: 'P', trigger: 'post-strategize', invariants: INVARIANTS, sandbox: SANDBOX, ...overrides };
}

/** The result a check of `input` reports: `holds` or `broken` unless `message` says otherwise. */
export function resultOf(input: CheckInput, passed: boolean, message = passed ? 'holds' : 'broken'): InvariantResult {
  const { id, tier, check } = input.invariant;
  return { id, tier, check, passed, message, durationMs: 5 };
}

/** A reconciler whose checks answer at once: `holds` decides each one. */
export function immediate(holds: (input: CheckInput) => boolean = () => true) {
  const checked: CheckInput[] = [];
  const machine = invariantReconcilerMachine.provide({
    actors: {
      runCheck: fromPromise<InvariantResult, CheckInput>(async ({ input }) => {
        checked.push(input);
        return resultOf(input, holds(input));
      }),
    },
  });
  return { machine, checked };
}

/** A reconciler whose checks answer only when the test says so; it counts how many run at once. */
export function gated() {
  const open = new Map<
    string,
    { pass: (message?: string) => void; fail: (message?: string) => void; reject: (error: unknown) => void }
  >();
  const started: string[] = [];
  const aborted: string[] = [];
  const stats = { running: 0, maxRunning: 0 };
  const machine = invariantReconcilerMachine.provide({
    actors: {
      runCheck: fromPromise<InvariantResult, CheckInput>(({ input, signal }) => {
        const id = input.invariant.id;
        started.push(id);
        stats.running += 1;
        stats.maxRunning = Math.max(stats.maxRunning, stats.running);
        signal.addEventListener('abort', () => aborted.push(id));
        return new Promise<InvariantResult>((resolve, reject) => {
          const settle = () => {
            stats.running -= 1;
            open.delete(id);
          };
          open.set(id, {
            pass: (message) => (settle(), resolve(resultOf(input, true, message))),
            fail: (message) => (settle(), resolve(resultOf(input, false, message))),
            reject: (error) => (settle(), reject(error)),
          });
        });
      }),
    },
  });
  const check = (id: string) => {
    const entry = open.get(id);
    if (!entry) throw new Error(`check ${id} is not running (running: ${[...open.keys()].join(', ')})`);
    return entry;
  };
  return { machine, started, aborted, stats, check, running: () => [...open.keys()] };
}
