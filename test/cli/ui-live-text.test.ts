import { describe, expect, it } from 'vitest';
import type { PlanDetails, TreeRow } from '../../src/cli/ui/model.js';
import { detailLines, rowColor, rowText } from '../../src/cli/ui/text.js';

// what troupe ui says of a plan a process drives, and of one whose process died

const row = (stopped: boolean): TreeRow => ({
  id: '01M89J0Q5QK3JJC4K41926FKC4',
  name: 'demo/slow',
  project: 'default',
  depth: 0,
  phase: 'execute',
  status: 'processing',
  subplanStatus: null,
  attempt: null,
  steps: { done: 0, total: 1 },
  children: { done: 0, total: 0 },
  hasChildren: false,
  expanded: true,
  stopped,
});

const details = (fields: Partial<PlanDetails>): PlanDetails => ({
  id: '01M89J0Q5QK3JJC4K41926FKC4',
  name: 'demo/slow',
  goal: 'Wait a while',
  phase: 'execute',
  status: 'processing',
  error: null,
  stoppedSince: null,
  running: null,
  timeline: [],
  recent: [],
  checkpoints: [],
  conflicts: [],
  predicted: [],
  overlaps: [],
  ...fields,
});

const since = '2026-11-25T14:33:37.970Z';

describe('troupe ui: live or stopped', () => {
  it('flags a running plan ● in cyan and a stopped one ■ in red, saying stopped', () => {
    expect(rowText(row(false))).toBe('●   demo/slow  execute · processing  steps 0/1');
    expect(rowColor(row(false))).toBe('cyan');
    expect(rowText(row(true))).toBe('■   demo/slow  execute · processing · stopped  steps 0/1');
    expect(rowColor(row(true))).toBe('red');
  });

  it('shows the running step with its clock and the last line its command wrote, escaped', () => {
    const lines = detailLines(
      details({ running: { index: 0, title: 'Count slowly', since, output: 'tick \u001b[32m7\u001b[39m\u0007' } }),
      { now: Date.parse(since) + 12_300 },
    );
    expect(lines).toContain('  running  step 1: Count slowly (for 12.3 s)');
    expect(lines).toContain('    │ tick 7\\x07');
    expect(lines.join('\n')).not.toContain('stopped');
  });

  it('shows a stopped plan without a clock, since when, and how to resume it', () => {
    const lines = detailLines(
      details({ stoppedSince: since, running: { index: 0, title: 'Count slowly', since, output: null } }),
      { now: Date.parse(since) + 60_000 },
    );
    expect(lines[1]).toBe('  execute · processing · stopped  Wait a while');
    expect(lines).toContain(`  stopped  no process drives it since ${since} · hint: troupe plan resume demo/slow`);
    expect(lines).toContain('  running  step 1: Count slowly (interrupted)');
  });
});
