import { describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../src/domain/index.js';
import { formatElapsed, formatProgress, Progress } from '../../src/cli/format/progress.js';
import { Output } from '../../src/cli/output.js';

// the progress lines `plan run`, the phase commands, `plan finish`, `plan resume` and `plan correct` print on stderr

const out = new Output({ json: false, stream: false, color: false }, { stdout: () => {}, stderr: () => {} });
const event = (type: string, data: Record<string, unknown> = {}, phase?: string): JournalEvent =>
  ({
    seq: 1,
    ts: '2026-01-01T00:00:00.000Z',
    planId: '01J00000000000000000000000',
    type,
    data,
    ...(phase ? { phase } : {}),
  }) as JournalEvent;

const PARENT = 'P0000000000000000000000000';
const CHILD = 'C0000000000000000000000000';
const GRANDCHILD = 'G0000000000000000000000000';
let seq = 0;
// an event of a plan at a second from the start
const at = (
  second: number,
  planId: string,
  type: string,
  data: Record<string, unknown> = {},
  phase?: string,
): JournalEvent =>
  ({
    seq: ++seq,
    ts: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(),
    planId,
    type,
    data,
    ...(phase ? { phase } : {}),
  }) as JournalEvent;

function lines(progress: Progress, events: JournalEvent[]): string[] {
  return events.flatMap((journaled) => progress.line(journaled)?.split('\n') ?? []);
}

describe('progress lines', () => {
  it.each([
    [event('phase.started', {}, 'execute'), '▸ execute'],
    [event('phase.completed', { commit: 'abcdef1234567' }, 'apply'), '✓ apply complete (commit abcdef1)'],
    [event('phase.completed', {}, 'strategize'), '✓ strategize complete'],
    [
      event('phase.failed', { code: 'TOOL_FAILED', message: 'exit 3' }, 'execute'),
      '✗ execute failed: TOOL_FAILED exit 3',
    ],
    [event('phase.failed', {}, 'execute'), '✗ execute failed:'],
    [event('step.started', { index: 0, title: 'Write a' }), '  step 1: Write a'],
    [event('step.completed', { index: 0 }), null],
    [
      event('step.failed', { index: 1, code: 'TOOL_FAILED', message: 'shell/run exited with 3' }),
      '  ✗ step 2 failed: shell/run exited with 3',
    ],
    [event('step.failed', { index: 1, code: 'TIMEOUT' }), '  ✗ step 2 failed: TIMEOUT'],
    [event('plan.cancelled', { reason: 'not needed' }), '✗ cancelled'],
    [
      event('network.denied', { host: 'evil.example', port: 443, step: 0 }),
      '  ! refused evil.example:443 — not on the network allow-list',
    ],
    [event('plan.resumed', { status: 'processing' }), '↻ resumed after an interruption'],
    [event('plan.resumed', { attempt: 2, from: 'strategize' }), '↻ attempt 2 starts over'],
    [event('subplan.spawned', { name: 'demo/x-1' }), '    ↳ demo/x-1 started'],
    [event('subplan.status', { name: 'demo/x-1', status: 'running', attempt: 1 }), null],
    [
      event('subplan.status', { name: 'demo/x-1', status: 'retrying', attempt: 2 }),
      '    ↻ demo/x-1 retrying (attempt 2)',
    ],
    [event('subplan.status', { name: 'demo/x-1', status: 'complete' }), '    ✓ demo/x-1 validated'],
    [event('subplan.status', { name: 'demo/x-1', status: 'cancelled' }), '    ✗ demo/x-1 cancelled'],
    [
      event('subplan.status', {
        name: 'demo/x-1',
        status: 'failed',
        error: { code: 'TOOL_FAILED', message: 'exit 3' },
      }),
      '    ✗ demo/x-1 failed: TOOL_FAILED exit 3',
    ],
    [event('merge.completed', { childId: '01J1', name: 'demo/x-1' }), '    ✓ merged demo/x-1'],
    [event('merge.completed', { childId: '01J1' }), '    ✓ merged 01J1'],
    [event('merge.completed', { commit: '1234567890' }), '✓ conflicts resolved: the merge is ready to apply'],
    [
      event('merge.conflict', { files: ['a.txt', 'b.txt'] }),
      '! 2 conflicting files: a.txt, b.txt — troupe plan conflicts 01J00000000000000000000000 shows them',
    ],
    [
      event('merge.conflict', { childId: '01J1', name: 'demo/x-1', files: ['a.txt'] }),
      '! 1 conflicting file merging demo/x-1: a.txt — troupe plan conflicts 01J00000000000000000000000 shows them',
    ],
    [event('conflict.resolved', { file: 'a.txt', with: 'theirs' }), '  ✓ resolved a.txt (theirs)'],
    [event('checkpoint.created', { checkpointId: '01J2', trigger: 'step' }), null],
    // issue 74: an overlap found at strategize is said, whatever its policy
    [
      event('overlap.detected', {
        step: 0,
        policy: 'warn',
        pairs: [
          {
            entries: ['demo/node', 'demo/npm'],
            patterns: ['package.json', '*.json'],
            example: 'package.json',
            files: ['package.json'],
            fileCount: 1,
          },
        ],
        edges: [],
        pairCount: 1,
        edgeCount: 0,
      }),
      '  ! step 1: demo/node ↔ demo/npm (package.json) may write the same files; they run side by side',
    ],
    [
      event('overlap.detected', {
        step: 1,
        policy: 'serialize',
        pairs: [
          {
            entries: ['demo/a', 'demo/b'],
            patterns: ['src/**', 'src/x.ts'],
            example: 'src/x.ts',
            files: [],
            fileCount: 0,
          },
        ],
        edges: [{ from: 'demo/a', to: 'demo/b' }],
        pairCount: 4,
        edgeCount: 1,
      }),
      '  ! step 2: demo/a ↔ demo/b (src/x.ts) and 3 more pairs may write the same files; serialized: demo/b waits for demo/a',
    ],
  ])('%j reads %j', (journaled, line) => {
    expect(formatProgress(journaled, out)).toBe(line);
  });

  it('lists each invariant that failed under a violation', () => {
    const violated = event('invariant.violated', {
      trigger: 'post-step',
      step: 0,
      results: [
        { id: 'readme', tier: 'project', passed: true, message: 'ok' },
        { id: 'build', tier: 'plan', passed: false, message: 'npm run build exited with 1' },
      ],
    });
    const [head, ...failed] = formatProgress(violated, out)!.split('\n');
    expect(head).toMatch(/^ {2}✗ /);
    expect(failed).toEqual(['    ✗ build (plan): npm run build exited with 1']);
  });

  it('says how long a step, a phase and a child took when it was over 2 s, and nothing more for a quick one', () => {
    const progress = new Progress(out);
    progress.show(PARENT, 'demo/fan');
    expect(
      lines(progress, [
        at(0, PARENT, 'phase.started', {}, 'execute'),
        at(0, PARENT, 'step.started', { index: 0, title: 'Quick' }),
        at(1, PARENT, 'step.completed', { index: 0 }),
        at(1, PARENT, 'step.started', { index: 1, title: 'Run the tests' }),
        at(14, PARENT, 'step.completed', { index: 1 }),
        at(14, PARENT, 'step.started', { index: 2, title: 'Fan out' }),
        at(14, PARENT, 'subplan.spawned', { childId: CHILD, name: 'demo/fan-1', status: 'running', attempt: 1 }),
        at(20, PARENT, 'subplan.status', { childId: CHILD, name: 'demo/fan-1', status: 'complete', attempt: 1 }),
        at(95, PARENT, 'step.failed', { index: 2, code: 'TOOL_FAILED', message: 'a child failed' }),
        at(95, PARENT, 'phase.failed', { code: 'TOOL_FAILED', message: 'a child failed' }, 'execute'),
      ]),
    ).toEqual([
      '▸ execute',
      '  step 1: Quick',
      '  step 2: Run the tests',
      '  ✓ step 2: Run the tests (13.0 s)',
      '  step 3: Fan out',
      '    ↳ demo/fan-1 started',
      '    ✓ demo/fan-1 validated (6.0 s)',
      '  ✗ step 3 failed (1 min 21 s): a child failed',
      '✗ execute failed (1 min 35 s): TOOL_FAILED a child failed',
    ]);
  });

  it('names a child by its name, never its id alone, even where the event carries only the id', () => {
    const progress = new Progress(out);
    progress.show(PARENT, 'demo/fan');
    expect(
      lines(progress, [
        at(0, PARENT, 'subplan.spawned', { childId: CHILD, name: 'demo/fan-2', status: 'running', attempt: 1 }),
        at(1, PARENT, 'merge.conflict', { childId: CHILD, files: ['package.json'] }),
      ]),
    ).toEqual([
      '    ↳ demo/fan-2 started',
      '! 1 conflicting file merging demo/fan-2: package.json — troupe plan conflicts demo/fan shows them',
    ]);
  });

  it('shows a child plan’s own steps by name, a level deeper per generation, only with --verbose', () => {
    const events = () => [
      at(0, PARENT, 'step.started', { index: 0, title: 'Fan out' }),
      at(0, PARENT, 'subplan.spawned', { childId: CHILD, name: 'demo/fan-1', status: 'running', attempt: 1 }),
      at(0, CHILD, 'plan.created', { name: 'demo/fan-1', parentId: PARENT }),
      at(0, CHILD, 'phase.started', {}, 'execute'),
      at(0, CHILD, 'step.started', { index: 0, title: 'Nest' }),
      at(0, GRANDCHILD, 'plan.created', { name: 'demo/fan-1-1', parentId: CHILD }),
      at(1, GRANDCHILD, 'step.started', { index: 0, title: 'Write' }),
      at(5, GRANDCHILD, 'step.completed', { index: 0 }),
      at(6, CHILD, 'step.failed', { index: 0, code: 'TOOL_FAILED', message: 'exit 1' }),
      at(6, 'X0000000000000000000000000', 'step.started', { index: 0, title: 'Another plan' }),
      at(7, PARENT, 'subplan.status', { childId: CHILD, name: 'demo/fan-1', status: 'failed', attempt: 1 }),
    ];
    const verbose = new Progress(out, { verbose: true });
    verbose.show(PARENT, 'demo/fan');
    expect(lines(verbose, events())).toEqual([
      '  step 1: Fan out',
      '    ↳ demo/fan-1 started',
      '      demo/fan-1 › step 1: Nest',
      '        demo/fan-1-1 › step 1: Write',
      '        demo/fan-1-1 › ✓ step 1: Write (4.0 s)',
      '      demo/fan-1 › ✗ step 1 failed (6.0 s): exit 1',
      '    ✗ demo/fan-1 failed (7.0 s)',
    ]);
    const quiet = new Progress(out);
    quiet.show(PARENT, 'demo/fan');
    expect(lines(quiet, events())).toEqual([
      '  step 1: Fan out',
      '    ↳ demo/fan-1 started',
      '    ✗ demo/fan-1 failed (7.0 s)',
    ]);
    expect(quiet.accepts(at(8, CHILD, 'step.started', { index: 1, title: 'Next' }))).toBe(false);
    expect(verbose.accepts(at(8, CHILD, 'step.started', { index: 1, title: 'Next' }))).toBe(true);
  });

  it('puts each plan’s run of lines under its name when it shows several plans', () => {
    const progress = new Progress(out, { others: 'show' });
    progress.show(PARENT, 'demo/one');
    expect(
      lines(progress, [
        at(0, PARENT, 'phase.started', {}, 'execute'),
        at(0, PARENT, 'step.started', { index: 0, title: 'A' }),
        at(0, CHILD, 'plan.created', { name: 'demo/two' }),
        at(0, CHILD, 'phase.started', {}, 'strategize'),
        at(1, PARENT, 'phase.completed', {}, 'execute'),
      ]),
    ).toEqual(['demo/one', '▸ execute', '  step 1: A', 'demo/two', '▸ strategize', 'demo/one', '✓ execute complete']);
  });

  it.each([
    [2_480, '2.5 s'],
    [59_949, '59.9 s'],
    [65_000, '1 min 05 s'],
    [3_725_000, '1 h 02 min'],
  ])('writes %i ms as %s', (ms, text) => {
    expect(formatElapsed(ms)).toBe(text);
  });
});
