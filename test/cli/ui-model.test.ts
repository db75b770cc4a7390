import { describe, expect, it } from 'vitest';
import type { CheckpointSummary, JournalEvent, PlanStatus } from '../../src/domain/index.js';
import { hiddenEnded, planDetails, planProgress, timelineOf, treeRows } from '../../src/cli/ui/model.js';
import { moved } from '../../src/cli/ui/navigate.js';
import { conflictLines, detailLines, formatUi, rowColor, rowText } from '../../src/cli/ui/text.js';
import { planRecord } from '../store/fixtures.js';

const parent = planRecord({
  id: 'P1',
  name: 'demo/fan',
  phase: 'execute',
  status: 'processing',
  strategyDecisionIds: ['d1', 'd2', 'd3'],
  lastCompletedStep: 0,
  subplanStatuses: {
    C1: { name: 'demo/fan-1', status: 'complete', attempt: 1, error: null },
    C2: { name: 'demo/fan-2', status: 'retrying', attempt: 2, error: null },
  },
});
const child1 = planRecord({
  id: 'C1',
  name: 'demo/fan-1',
  parentId: 'P1',
  rootId: 'P1',
  phase: 'apply',
  status: 'done',
  strategyDecisionIds: ['e1'],
  lastCompletedStep: 0,
});
const child2 = planRecord({
  id: 'C2',
  name: 'demo/fan-2',
  parentId: 'P1',
  rootId: 'P1',
  project: 'lib',
  phase: 'execute',
  status: 'processing',
  strategyDecisionIds: ['f1', 'f2'],
});
const other = planRecord({ id: 'Q1', name: 'demo/other', createdAt: '2024-05-01T09:00:00.000Z' });
const records = [parent, child1, child2, other];

function event(
  seq: number,
  type: JournalEvent['type'],
  phase: JournalEvent['phase'],
  data: Record<string, unknown> = {},
): JournalEvent {
  return {
    seq,
    ts: `2024-05-01T10:00:${String(seq).padStart(2, '0')}.000Z`,
    planId: 'P1',
    type,
    ...(phase ? { phase } : {}),
    data,
  };
}

describe('the troupe ui model', () => {
  it('counts steps done of steps decided and child plans complete of child plans spawned', () => {
    expect(planProgress(parent)).toEqual({ steps: { done: 1, total: 3 }, children: { done: 1, total: 2 } });
    expect(planProgress(other)).toEqual({ steps: { done: 0, total: 0 }, children: { done: 0, total: 0 } });
  });

  it('lists root plans with their children below them, as their parent sees them', () => {
    const rows = treeRows(records);
    expect(rows.map((row) => [row.name, row.depth, row.subplanStatus, row.attempt])).toEqual([
      ['demo/fan', 0, null, null],
      ['demo/fan-1', 1, 'complete', 1],
      ['demo/fan-2', 1, 'retrying', 2],
      ['demo/other', 0, null, null],
    ]);
    expect(rows.map(rowText)).toEqual([
      '● ▾ demo/fan  execute · processing  steps 1/3  children 1/2',
      '      demo/fan-1  apply · done  (complete, attempt 1)  steps 1/1',
      '●     demo/fan-2 [lib]  execute · processing  (retrying, attempt 2)  steps 0/2',
      '    demo/other  strategize · queued  steps 0/0',
    ]);
  });

  it('puts root plans that have not ended first, newest first, and hides ended ones but those asked for', () => {
    const at = (hour: number) => `2024-05-01T${String(hour).padStart(2, '0')}:00:00.000Z`;
    const plans = [
      planRecord({ id: 'A', name: 'demo/old-done', status: 'done', phase: 'apply', createdAt: at(1) }),
      planRecord({ id: 'B', name: 'demo/old-queued', createdAt: at(2) }),
      planRecord({ id: 'C', name: 'demo/new-cancelled', status: 'cancelled', createdAt: at(5) }),
      planRecord({ id: 'D', name: 'demo/new-waiting', phase: 'apply', status: 'waiting', createdAt: at(4) }),
      planRecord({ id: 'E', name: 'demo/failed', phase: 'execute', status: 'failed', createdAt: at(3) }),
    ];
    expect(treeRows(plans).map((row) => row.name)).toEqual([
      'demo/new-waiting',
      'demo/failed',
      'demo/old-queued',
      'demo/new-cancelled',
      'demo/old-done',
    ]);
    expect(treeRows(plans, { ended: new Set(['A']) }).map((row) => row.name)).toEqual([
      'demo/new-waiting',
      'demo/failed',
      'demo/old-queued',
      'demo/old-done',
    ]);
    expect(hiddenEnded(plans, new Set(['A']))).toBe(1);
    // a flag that reads without colour, and the colour for a terminal
    expect(treeRows(plans).map((row) => [rowText(row).slice(0, 1), rowColor(row)])).toEqual([
      ['!', 'yellow'],
      ['✗', 'red'],
      [' ', undefined],
      [' ', undefined],
      [' ', undefined],
    ]);
  });

  it('hides the children of a collapsed plan and shows only the named roots', () => {
    expect(treeRows(records, { collapsed: new Set(['P1']) }).map((row) => [row.name, row.expanded])).toEqual([
      ['demo/fan', false],
      ['demo/other', true],
    ]);
    expect(treeRows(records, { rootIds: ['C2'] }).map((row) => row.name)).toEqual(['demo/fan-2']);
  });

  it('does not loop on a record that names an ancestor as its child', () => {
    const loop = [
      planRecord({ id: 'A', name: 'demo/a', parentId: 'B' }),
      planRecord({ id: 'B', name: 'demo/b', parentId: 'A' }),
    ];
    expect(treeRows(loop, { rootIds: ['A'] }).map((row) => row.name)).toEqual(['demo/a', 'demo/b']);
  });

  it('shows a phase as started only while it runs: a queued one has not started (again), and phases a rollback undid are gone', () => {
    const events = [
      event(1, 'phase.started', 'strategize'),
      event(2, 'phase.completed', 'strategize'),
      event(3, 'phase.started', 'execute'),
      event(4, 'phase.completed', 'execute'),
      event(5, 'phase.started', 'validate'),
      event(6, 'phase.completed', 'validate'),
      event(7, 'plan.rolled_back', undefined),
    ];
    const states = (phase: 'execute' | 'strategize', status: PlanStatus, upTo = events.length) =>
      timelineOf({ phase, status }, events.slice(0, upTo)).map((entry) => `${entry.phase} ${entry.state}`);
    expect(states('execute', 'queued')).toEqual(['strategize completed', 'execute queued']);
    expect(states('execute', 'processing', 3)).toEqual(['strategize completed', 'execute started']);
    expect(states('execute', 'waiting', 3)).toEqual(['strategize completed', 'execute waiting']);
    expect(states('execute', 'cancelled', 3)).toEqual(['strategize completed', 'execute stopped']);
    expect(states('strategize', 'queued', 0)).toEqual([]);
    const text = detailLines({
      ...planDetails(parent, [], [], []),
      timeline: timelineOf({ phase: 'execute', status: 'queued' }, events),
    });
    expect(text).toContain('  phases  strategize ✓  execute ○');
  });

  it('builds the phase timeline, the latest events, checkpoints and open conflicts', () => {
    const events = [
      event(1, 'plan.created', undefined),
      event(2, 'phase.started', 'strategize'),
      event(3, 'phase.completed', 'strategize'),
      event(4, 'phase.started', 'execute'),
      event(5, 'step.started', 'execute', { index: 0, title: 'Fan out' }),
      event(6, 'subplan.spawned', 'execute', { childId: 'C1', name: 'demo/fan-1', status: 'pending', attempt: 1 }),
      event(7, 'step.failed', 'execute', { index: 0, title: 'Fan out' }),
      event(8, 'phase.failed', 'execute'),
      event(9, 'plan.resumed', undefined),
      event(10, 'phase.started', 'execute'),
      event(11, 'merge.conflict', 'execute', { childId: 'C2', files: ['a.txt', 'b.txt'] }),
    ];
    const checkpoint = {
      id: 'K1',
      planId: 'P1',
      label: 'before',
      trigger: 'manual',
      createdAt: '',
      phase: 'execute',
      status: 'queued',
    } as CheckpointSummary;
    const hunks = [{ ours: '"2"', base: '"1"', theirs: '"3"', path: 'dependencies.react' }];
    const details = planDetails(
      parent,
      events,
      [checkpoint],
      [{ file: 'a.txt', child: 'C2', childName: 'demo/fan-2', kind: 'content', hunks, edit: null }],
    );
    expect(details.timeline.map(({ phase, state }) => [phase, state])).toEqual([
      ['strategize', 'completed'],
      ['execute', 'started'],
    ]);
    expect(details.recent.map((entry) => entry.seq)).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
    expect(details.recent.map((entry) => entry.summary)).toEqual([
      '',
      'step 1 Fan out',
      'demo/fan-1 pending',
      'step 1 Fan out',
      '',
      '',
      '',
      'a.txt, b.txt',
    ]);
    expect(details.checkpoints).toEqual([
      { id: 'K1', label: 'before', trigger: 'manual', phase: 'execute', status: 'queued' },
    ]);
    expect(details.conflicts).toEqual([
      { file: 'a.txt', kind: 'content', child: 'C2', childName: 'demo/fan-2', hunks, edit: null },
    ]);

    const text = formatUi(treeRows(records), details);
    expect(text).toContain('  phases  strategize ✓  execute …');
    expect(text).toContain('    #11 merge.conflict (execute)  a.txt, b.txt');
    expect(text).toContain('    K1  manual  (execute, queued)  before');
    expect(text).toContain('    a.txt  content  from demo/fan-2');
    // the conflict view: whose side is whose, the files, the selected one's hunks
    expect(conflictLines(details, 0).map((line) => line.text)).toEqual([
      "ours: demo/fan's sandbox · theirs: the child plan demo/fan-2",
      '› a.txt  content  from demo/fan-2',
      '  at dependencies.react',
      '  ours   │ "2"',
      '  base   │ "1"',
      '  theirs │ "3"',
    ]);
    expect(conflictLines({ ...details, conflicts: [] }, 0).map((line) => line.text)).toEqual([
      'no conflicts left in demo/fan: g runs it on (as troupe plan run), c goes back',
    ]);
    // a rename conflict says where each side put the file
    const renamed = planDetails(
      parent,
      events,
      [],
      [
        {
          file: 'b.txt',
          child: 'C2',
          childName: 'demo/fan-2',
          kind: 'rename-rename',
          hunks: [],
          edit: null,
          paths: { base: 'a.txt', ours: 'b.txt', theirs: 'c.txt' },
        },
      ],
    );
    expect(conflictLines(renamed, 0).map((line) => line.text)).toEqual([
      "ours: demo/fan's sandbox · theirs: the child plan demo/fan-2",
      '› b.txt  rename-rename  from demo/fan-2',
      '  renamed: a.txt → ours b.txt, theirs c.txt',
    ]);
  });

  it.each([
    ['down', 3, 4],
    ['up', 0, 0],
    ['page-down', 3, 13],
    ['page-down', 35, 39],
    ['page-up', 13, 3],
    ['page-up', 3, 0],
    ['home', 17, 0],
    ['end', 17, 39],
  ] as const)('moves %s from row %i to row %i of 40, ten a page', (move, from, to) => {
    expect(moved(from, 40, move, 10)).toBe(to);
  });

  it('says when there are no plans', () => {
    expect(formatUi([], null)).toBe('no plans yet');
  });
});
