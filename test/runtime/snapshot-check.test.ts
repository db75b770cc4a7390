import { describe, expect, it } from 'vitest';
import { PLAN_MACHINE_VERSION } from '../../machines/index.js';
import { restorablePlanSnapshot } from '../../src/runtime/persistence/snapshot-check.js';

const valid = {
  status: 'active',
  value: { strategize: 'queued' },
  context: {
    planId: 'P',
    name: 'demo/x',
    automation: 'review',
    phase: 'strategize',
    stepCount: 0,
    toolCalls: 0,
    invariants: [{ id: 'tests', check: 'command', run: 'true', tier: 'plan' }],
    reconciliation: true,
    pendingReconcile: null,
    applyStrategy: 'three-way',
    merge: null,
    child: null,
    groupSteps: [],
    group: null,
    subplanStatuses: {},
    subplanConfig: null,
    clean: true,
    sideEffects: 0,
    open: false,
    correction: null,
  },
  children: {},
};

// what version 6 stored: no agent-driven plans, no deferred corrections; version 4: no checkpoints yet; version 3: no subplans yet; version 2: no waiting merges either; version 1: no invariants either
const { open: _open, correction: _correction, ...version6Context } = valid.context;
const { clean: _clean, sideEffects: _sideEffects, ...version4Context } = version6Context;
const {
  child: _child,
  groupSteps: _groupSteps,
  group: _group,
  subplanStatuses: _statuses,
  subplanConfig: _config,
  ...version3Context
} = version4Context;
const { applyStrategy: _strategy, merge: _merge, ...version2Context } = version3Context;
const {
  invariants: _invariants,
  reconciliation: _reconciliation,
  pendingReconcile: _pending,
  ...version1Context
} = version2Context;

describe('restoring a stored snapshot', () => {
  it('returns a fresh copy of a valid snapshot of the current version', () => {
    const stored = { machineVersion: PLAN_MACHINE_VERSION, snapshot: valid };
    const restored = restorablePlanSnapshot('P', stored);
    expect(restored).toEqual(valid);
    expect(restored).not.toBe(valid);
  });

  it('refuses a snapshot written by a newer troupe with STORE_VERSION and an upgrade hint', () => {
    expect(() => restorablePlanSnapshot('P', { machineVersion: PLAN_MACHINE_VERSION + 1, snapshot: valid })).toThrow(
      expect.objectContaining({ code: 'STORE_VERSION', hint: 'upgrade troupe to work with this plan' }),
    );
  });

  it('migrates a version 6 snapshot: a plan stored before is not agent-driven and runs no deferred correction', () => {
    const restored = restorablePlanSnapshot('P', {
      machineVersion: 6,
      snapshot: { ...valid, value: { execute: 'failed' }, context: version6Context },
    }) as typeof valid;
    expect(restored.context).toEqual(valid.context);
    expect(restored.value).toEqual({ execute: 'failed' });
  });

  it('migrates a version 1 snapshot: the plan keeps running with no invariants', () => {
    const restored = restorablePlanSnapshot('P', {
      machineVersion: 1,
      snapshot: { ...valid, context: version1Context },
    }) as typeof valid;
    expect(restored.context).toEqual({ ...valid.context, invariants: [] });
    expect(restored.value).toEqual(valid.value);
  });

  it('migrates a version 3 snapshot: no subplans, a waiting apply merge keeps waiting', () => {
    const merge = {
      target: 'project',
      base: 'b',
      ours: 'o',
      theirs: 't',
      clean: 'c',
      files: ['a'],
      open: ['a'],
      commit: null,
    };
    const restored = restorablePlanSnapshot('P', {
      machineVersion: 3,
      snapshot: { ...valid, value: { apply: 'waiting' }, context: { ...version3Context, merge } },
    }) as typeof valid;
    expect(restored.context).toEqual({ ...valid.context, merge: { ...merge, child: null } });
  });

  it('migrates a version 4 snapshot: clean unless it stopped on a violated invariant, no side effects counted', () => {
    const restored = restorablePlanSnapshot('P', {
      machineVersion: 4,
      snapshot: { ...valid, context: version4Context },
    }) as typeof valid;
    expect(restored.context).toEqual(valid.context);
    const violated = {
      ...version4Context,
      error: { code: 'INVARIANT_VIOLATED', message: 'x', phase: 'execute', retryable: false },
    };
    const failed = restorablePlanSnapshot('P', {
      machineVersion: 4,
      snapshot: { ...valid, value: { execute: 'failed' }, context: violated },
    }) as typeof valid;
    expect(failed.context).toMatchObject({ clean: false, sideEffects: 0 });
  });

  it('migrates a version 5 snapshot: the group and its supervisor name the merge under way as a round of one child (none when null)', () => {
    const group = (merging: unknown) => ({ planId: 'P', head: 'h', merging, statuses: {} });
    const mergeInput = {
      planId: 'P',
      child: { childId: 'C1' },
      base: 'b',
      ours: 'o',
      theirs: 't',
      strategy: 'ours',
      changesetId: null,
    };
    const supervisor = {
      src: 'supervise',
      snapshot: {
        status: 'active',
        context: { state: group('C1'), end: null },
        children: { 'merge:C1': { src: 'mergeChild', snapshot: { status: 'active', input: mergeInput } } },
      },
    };
    const stored = {
      ...valid,
      value: { execute: { processing: { spawning: 'supervising' } } },
      context: { ...valid.context, phase: 'execute', group: group('C1') },
      children: { supervisor },
    };
    const restored = restorablePlanSnapshot('P', { machineVersion: 5, snapshot: stored }) as typeof stored;
    expect(restored.context.group).toEqual(group(['C1']));
    expect(restored.children.supervisor.snapshot.context.state).toEqual(group(['C1']));
    expect(restored.children.supervisor.snapshot.children['merge:C1'].snapshot.input).toEqual({
      planId: 'P',
      ours: 'o',
      strategy: 'ours',
      changesetId: null,
      children: [{ child: { childId: 'C1' }, base: 'b', theirs: 't' }],
    });
    const idle = restorablePlanSnapshot('P', {
      machineVersion: 5,
      snapshot: { ...valid, context: { ...valid.context, group: group(null) } },
    }) as typeof stored;
    expect(idle.context.group).toEqual(group([]));
    // a plan without a group is as it was
    expect(restorablePlanSnapshot('P', { machineVersion: 5, snapshot: valid })).toEqual(valid);
  });

  it('migrates a version 2 snapshot: no merge waits, apply merges three-way', () => {
    const restored = restorablePlanSnapshot('P', {
      machineVersion: 2,
      snapshot: { ...valid, context: version2Context },
    }) as typeof valid;
    expect(restored.context).toEqual(valid.context);
  });

  it('refuses a snapshot whose invariants name no tier with STORE_CORRUPT', () => {
    const damaged = { ...valid, context: { ...valid.context, invariants: [{ id: 'a', check: 'command' }] } };
    expect(() => restorablePlanSnapshot('P', { machineVersion: PLAN_MACHINE_VERSION, snapshot: damaged })).toThrow(
      expect.objectContaining({
        code: 'STORE_CORRUPT',
        message: expect.stringContaining('context.invariants[0].tier'),
      }),
    );
  });

  it('refuses an older version without a migration with STORE_VERSION', () => {
    expect(() => restorablePlanSnapshot('P', { machineVersion: 0, snapshot: valid })).toThrow(
      expect.objectContaining({ code: 'STORE_VERSION' }),
    );
  });

  it('refuses a damaged snapshot with STORE_CORRUPT naming the plan and the field', () => {
    expect(() =>
      restorablePlanSnapshot('P', {
        machineVersion: PLAN_MACHINE_VERSION,
        snapshot: { ...valid, context: { ...valid.context, stepCount: 'x' } },
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'STORE_CORRUPT',
        message: 'stored snapshot of plan P is corrupt: context.stepCount: must be a number, got the string "x"',
      }),
    );
  });
});
