import { describe, expect, it } from 'vitest';
import { formatPlanTree } from '../../src/cli/commands/plan-tree.js';
import { hunkLines } from '../../src/cli/format/conflicts.js';
import { formatPlanRecord } from '../../src/cli/format/plan-record.js';
import { planDetails } from '../../src/cli/ui/model.js';
import { detailLines } from '../../src/cli/ui/text.js';
import { Output } from '../../src/cli/output.js';
import type { JournalEvent, PredictedConflict } from '../../src/domain/index.js';
import type { PlanTree } from '../../src/runtime/index.js';
import { planRecord } from '../store/fixtures.js';

// Issue 38: conflicts predicted between running children show in plan
// status, plan tree and troupe ui; overlap.detected reads in a few words.

const out = new Output({ json: false, stream: false, color: false }, { stdout: () => {}, stderr: () => {} });
const predicted: PredictedConflict = {
  step: 0,
  children: ['C1', 'C2'],
  names: ['demo/fan-1', 'demo/fan-2'],
  files: ['src/a.ts', 'package.json'],
  kinds: ['content', 'add-add'],
};
const parent = planRecord({
  name: 'demo/fan',
  phase: 'execute',
  status: 'processing',
  predictedConflicts: [predicted],
});

describe('predicted conflicts in the CLI and troupe ui', () => {
  it('plan status has a row per pair, each file with its kind', () => {
    expect(formatPlanRecord(parent, out)).toContain(
      '  predicted   conflict between demo/fan-1 and demo/fan-2 in src/a.ts (content), package.json (add-add)',
    );
    expect(formatPlanRecord(planRecord(), out)).not.toContain('predicted');
  });

  it('plan tree says it under the parent, before its children', () => {
    const node = (name: string, children: PlanTree[] = [], predictedConflicts: PredictedConflict[] = []): PlanTree => ({
      id: name,
      name,
      project: 'default',
      phase: 'execute',
      status: 'processing',
      subplan: null,
      predictedConflicts,
      children,
    });
    const tree = node(
      'demo/fan',
      [
        { ...node('demo/fan-1'), subplan: { status: 'running', attempt: 1 } },
        { ...node('demo/fan-2'), subplan: { status: 'running', attempt: 1 } },
      ],
      [predicted],
    );
    expect(formatPlanTree(tree, out).split('\n')).toEqual([
      'demo/fan  execute · processing',
      '│  ! predicted conflict demo/fan-1 ↔ demo/fan-2: src/a.ts, package.json',
      '├─ demo/fan-1  execute · processing  (running, attempt 1)',
      '└─ demo/fan-2  execute · processing  (running, attempt 1)',
    ]);
  });

  it('a JSON key one side did not have reads "no such key", not "no file" (the add/add rule)', () => {
    expect(hunkLines({ ours: '{}', base: null, theirs: '[]', path: 'engines' }, { indent: '' })).toContain(
      'base   │ (no such key)',
    );
    expect(hunkLines({ ours: 'a', base: null, theirs: 'b' }, { indent: '' })).toContain('base   │ (no file)');
  });

  it('troupe ui lists them in the detail pane, and says what overlap.detected and conflict.predicted were about', () => {
    const event = (seq: number, type: JournalEvent['type'], data: Record<string, unknown>): JournalEvent => ({
      seq,
      ts: '2026-01-01T00:00:00.000Z',
      planId: parent.id,
      type,
      phase: 'execute',
      data,
    });
    const events = [
      event(1, 'overlap.detected', {
        step: 0,
        policy: 'warn',
        pairs: [{ entries: ['demo/fan-1', 'demo/fan-2'], patterns: ['src/**', 'src/a.ts'] }],
        edges: [],
      }),
      event(2, 'conflict.predicted', {
        step: 0,
        children: [
          { childId: 'C1', name: 'demo/fan-1' },
          { childId: 'C2', name: 'demo/fan-2' },
        ],
        files: ['src/a.ts'],
        kinds: ['content'],
      }),
    ];
    const lines = detailLines(planDetails(parent, events, [], []));
    expect(lines).toContain('  predicted conflicts');
    expect(lines).toContain('    demo/fan-1 ↔ demo/fan-2  src/a.ts (content), package.json (add-add)');
    expect(lines).toContain('    #1 overlap.detected (execute)  warn: demo/fan-1 ↔ demo/fan-2');
    expect(lines).toContain('    #2 conflict.predicted (execute)  demo/fan-1 ↔ demo/fan-2: src/a.ts');
  });
});
