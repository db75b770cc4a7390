import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newId, type Checkpoint, type Decision } from '../../src/domain/index.js';
import {
  checkLabel,
  defaultTarget,
  prunable,
  revertedChanges,
  statusChangesTo,
} from '../../src/runtime/checkpoints/checkpoint-records.js';

// The record-keeping of checkpoints (SPEC §10) as pure functions: decision
// statuses found by replay, the files a rollback reverts, what prune keeps,
// which checkpoint is the default target, what a label may be.

function decision(type: Decision['type'] = 'step', payload: Record<string, unknown> = {}): Decision {
  return {
    id: newId(),
    planId: 'P',
    parentId: null,
    type,
    title: type,
    rationale: '',
    payload,
    actor: 'test',
    createdAt: '',
    status: 'active',
  };
}

function checkpoint(overrides: Partial<Checkpoint> = {}): Checkpoint {
  const id = newId();
  return {
    id,
    planId: 'P',
    label: null,
    trigger: 'step',
    createdAt: '',
    phase: 'execute',
    status: 'queued',
    sandboxCommit: 'c',
    decisionCursor: id,
    childPlanIds: [],
    stepIds: [],
    sideEffects: 0,
    toolCalls: 0,
    clean: true,
    snapshot: { machineVersion: 5, snapshot: {} },
    ...overrides,
  };
}

describe('decision statuses after a rollback', () => {
  // a model of a plan's history: decisions made, checkpoints taken (the
  // active set then), rollbacks to any earlier checkpoint (each with its
  // undo checkpoint first), applied with statusChangesTo as the runtime does
  it('equal the statuses the checkpoint saw, plus the rollback itself, after any history', () => {
    const operation = fc.oneof(
      fc.constant({ kind: 'decide' as const }),
      fc.constant({ kind: 'checkpoint' as const }),
      fc.nat().map((pick) => ({ kind: 'rollback' as const, pick })),
    );
    fc.assert(
      fc.property(fc.array(operation, { minLength: 1, maxLength: 40 }), (operations) => {
        const decisions: Decision[] = [];
        const taken: { cursor: string; active: Set<string> }[] = [];
        const active = () => new Set(decisions.filter((d) => d.status === 'active').map((d) => d.id));
        for (const op of operations) {
          if (op.kind === 'decide') decisions.push(decision());
          else if (op.kind === 'checkpoint') taken.push({ cursor: newId(), active: active() });
          else if (taken.length > 0) {
            const target = taken[op.pick % taken.length]!;
            taken.push({ cursor: newId(), active: active() });
            const changes = statusChangesTo(decisions, target.cursor);
            for (const d of decisions) {
              if (changes.discarded.includes(d.id)) d.status = 'discarded';
              if (changes.restored.includes(d.id)) d.status = 'active';
            }
            const rollback = decision('rollback', { statuses: changes });
            decisions.push(rollback);
            expect(active()).toEqual(new Set([...target.active, rollback.id]));
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('undoing a rollback, then going back to after the undo', () => {
  it('keeps active what the undo made active again', () => {
    const apply = (decisions: Decision[], cursor: string) => {
      const changes = statusChangesTo(decisions, cursor);
      for (const d of decisions) {
        if (changes.discarded.includes(d.id)) d.status = 'discarded';
        if (changes.restored.includes(d.id)) d.status = 'active';
      }
      const rollback = decision('rollback', { statuses: changes });
      decisions.push(rollback);
      return rollback;
    };
    const decisions: Decision[] = [];
    const before = newId();
    const x = decision();
    decisions.push(x);
    const undoFirst = newId();
    const first = apply(decisions, before);
    expect(x.status).toBe('discarded');
    apply(decisions, undoFirst);
    expect([x.status, first.status]).toEqual(['active', 'discarded']);
    const afterUndo = newId();
    decisions.push(decision());
    apply(decisions, afterUndo);
    // replaying to a cursor after the undo: the first rollback discarded x, the undo made it active again
    expect([x.status, first.status]).toEqual(['active', 'discarded']);
  });
});

describe('checkpoint records', () => {
  it('reverts what the sandbox gained by deleting it, what it lost by recreating it, and the rest by restoring it', () => {
    const changes = revertedChanges(
      [
        { path: 'new.txt', action: 'added' },
        { path: 'gone.txt', action: 'deleted' },
        { path: 'a.txt', action: 'modified' },
      ],
      ['a.txt', 'wip.txt'],
    );
    expect(changes).toEqual([
      { file: 'a.txt', action: 'restored' },
      { file: 'gone.txt', action: 'recreated' },
      { file: 'new.txt', action: 'deleted' },
      { file: 'wip.txt', action: 'restored' },
    ]);
  });

  it('prunes all but the newest N, keeping the newest, undo points of active rollbacks, and what undoes a running child', () => {
    const [a, b, c, d, e] = [
      checkpoint(),
      checkpoint({ childPlanIds: [] }),
      checkpoint({ childPlanIds: ['K'] }),
      checkpoint({ trigger: 'pre-rollback', childPlanIds: ['K'] }),
      checkpoint({ childPlanIds: ['K'] }),
    ];
    const all = [a!, b!, c!, d!, e!];
    const rollback = { ...decision('rollback', { checkpointId: a!.id, undoCheckpointId: d!.id }) };
    expect(prunable(all, 1, { decisions: [rollback], liveChildren: ['K'] }).map((x) => x.id)).toEqual([a!.id, c!.id]);
    // the rollback undone (discarded): its undo point may go; the child ended: what undoes it may go
    expect(
      prunable(all, 1, { decisions: [{ ...rollback, status: 'discarded' }], liveChildren: [] }).map((x) => x.id),
    ).toEqual([a!.id, b!.id, c!.id, d!.id]);
    expect(prunable(all, 0, { decisions: [], liveChildren: [] }).map((x) => x.id)).toEqual([
      a!.id,
      b!.id,
      c!.id,
      d!.id,
    ]);
  });

  it('picks as default target the newest checkpoint that changes something, skipping undo points and clean-less ones for a revert', () => {
    const older = checkpoint({ sandboxCommit: 'c1' });
    const dirty = checkpoint({ sandboxCommit: 'c2', clean: false });
    const undo = checkpoint({ trigger: 'pre-rollback', sandboxCommit: 'c0' });
    const same = checkpoint({ trigger: 'post-execute', status: 'complete', sandboxCommit: 'c3' });
    const now = { phase: 'execute', status: 'complete', sandboxCommit: 'c3' };
    expect(defaultTarget([older, dirty, undo, same], now, [])?.id).toBe(dirty.id);
    expect(defaultTarget([older, dirty, undo, same], now, [], { clean: true })?.id).toBe(older.id);
    expect(defaultTarget([same], now, [])).toBeNull();
  });

  it('takes a label of 1-120 characters, refusing control characters and what looks like an id', () => {
    expect(checkLabel(' before-refactor ')).toBe('before-refactor');
    for (const bad of ['', '   ', 'x'.repeat(121), 'a\nb', newId(), 42]) {
      expect(() => checkLabel(bad)).toThrow(expect.objectContaining({ code: 'VALIDATION_ERROR' }));
    }
  });
});
