import { describe, expect, it } from 'vitest';
import { planDetails } from '../../src/cli/ui/model.js';
import { detailLines } from '../../src/cli/ui/text.js';
import type { JournalEvent, PredictedConflict } from '../../src/domain/index.js';
import { planRecord } from '../store/fixtures.js';

// Issue 74: troupe ui drops a predicted conflict once both children merged, and lists what strategize warned of.

const predicted: PredictedConflict = {
  step: 0,
  children: ['C1', 'C2'],
  names: ['demo/fan-1', 'demo/fan-2'],
  files: ['src/a.ts'],
  kinds: ['content'],
};
const parent = planRecord({
  name: 'demo/fan',
  phase: 'execute',
  status: 'processing',
  predictedConflicts: [predicted],
});
let seq = 0;
const event = (
  type: JournalEvent['type'],
  data: Record<string, unknown>,
  phase: JournalEvent['phase'] = 'execute',
): JournalEvent => ({ seq: ++seq, ts: '2026-01-01T00:00:00.000Z', planId: parent.id, type, phase, data });
const merged = (childId: string) => event('merge.completed', { childId, files: ['src/a.ts'], commit: 'abc' });
const overlap = event(
  'overlap.detected',
  {
    step: 0,
    policy: 'warn',
    pairs: [
      {
        entries: ['demo/fan-1', 'demo/fan-2'],
        patterns: ['src/**', 'src/a.ts'],
        example: 'src/a.ts',
        files: ['src/a.ts'],
        fileCount: 1,
      },
    ],
    edges: [],
    pairCount: 1,
    edgeCount: 0,
  },
  'strategize',
);

describe('troupe ui: what a group warned of', () => {
  it('keeps a predicted conflict while a child of the pair has not merged, and drops it once both did', () => {
    expect(planDetails(parent, [merged('C1')], [], []).predicted).toEqual([
      { names: ['demo/fan-1', 'demo/fan-2'], files: ['src/a.ts'], kinds: ['content'] },
    ]);
    const resolved = planDetails(
      parent,
      [merged('C1'), event('conflict.resolved', { file: 'src/a.ts', with: 'ours', remaining: 0 }), merged('C2')],
      [],
      [],
    );
    expect(resolved.predicted).toEqual([]);
    expect(detailLines(resolved)).not.toContain('  predicted conflicts');
    // a rollback may undo the merges: the prediction counts again
    expect(
      planDetails(parent, [merged('C1'), merged('C2'), event('plan.rolled_back', {})], [], []).predicted,
    ).toHaveLength(1);
  });

  it('lists the overlap strategize found under overlaps, as plan run printed it', () => {
    const lines = detailLines(planDetails(parent, [overlap], [], []));
    expect(lines).toContain('  overlaps');
    expect(lines).toContain(
      '    ! step 1: demo/fan-1 ↔ demo/fan-2 (src/a.ts) may write the same files; they run side by side',
    );
    expect(detailLines(planDetails(parent, [], [], []))).not.toContain('  overlaps');
  });
});
