import { describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../src/domain/index.js';
import { formatProgress } from '../../src/cli/format/progress.js';
import { Output } from '../../src/cli/output.js';

// the progress lines `plan run`, `plan resume` and `plan correct` print on stderr, one per event

const out = new Output({ json: false, stream: false, color: false }, { stdout: () => {}, stderr: () => {} });
const event = (type: string, data: Record<string, unknown> = {}, phase?: string): JournalEvent => ({ seq: 1, ts: '2026-01-01T00:00:00.000Z', planId: '01J00000000000000000000000', type, data, ...(phase ? { phase } : {}) }) as JournalEvent;

describe('progress lines', () => {
  it.each([
    [event('phase.started', {}, 'execute'), '▸ execute'],
    [event('phase.completed', { commit: 'abcdef1234567' }, 'apply'), '✓ apply complete (commit abcdef1)'],
    [event('phase.completed', {}, 'strategize'), '✓ strategize complete'],
    [event('phase.failed', { code: 'TOOL_FAILED', message: 'exit 3' }, 'execute'), '✗ execute failed: TOOL_FAILED exit 3'],
    [event('phase.failed', {}, 'execute'), '✗ execute failed:'],
    [event('step.started', { index: 0, title: 'Write a' }), '  step 1: Write a'],
    [event('step.failed', { index: 1, code: 'TOOL_FAILED', message: 'shell/run exited with 3' }), '  ✗ step 2 failed: shell/run exited with 3'],
    [event('step.failed', { index: 1, code: 'TIMEOUT' }), '  ✗ step 2 failed: TIMEOUT'],
    [event('plan.cancelled', { reason: 'not needed' }), '✗ cancelled'],
    [event('plan.resumed', { status: 'processing' }), '↻ resumed after an interruption'],
    [event('plan.resumed', { attempt: 2, from: 'strategize' }), '↻ attempt 2 starts over'],
    [event('subplan.spawned', { name: 'demo/x-1' }), '    ↳ demo/x-1 started'],
    [event('subplan.status', { name: 'demo/x-1', status: 'running', attempt: 1 }), null],
    [event('subplan.status', { name: 'demo/x-1', status: 'retrying', attempt: 2 }), '    ↻ demo/x-1 retrying (attempt 2)'],
    [event('subplan.status', { name: 'demo/x-1', status: 'complete' }), '    ✓ demo/x-1 validated'],
    [event('subplan.status', { name: 'demo/x-1', status: 'cancelled' }), '    ✗ demo/x-1 cancelled'],
    [event('subplan.status', { name: 'demo/x-1', status: 'failed', error: { code: 'TOOL_FAILED', message: 'exit 3' } }), '    ✗ demo/x-1 failed: TOOL_FAILED exit 3'],
    [event('merge.completed', { childId: '01J1', name: 'demo/x-1' }), '    ✓ merged demo/x-1'],
    [event('merge.completed', { childId: '01J1' }), '    ✓ merged 01J1'],
    [event('merge.completed', { commit: '1234567890' }), '✓ merge commit 1234567 made'],
    [event('merge.conflict', { files: ['a.txt', 'b.txt'] }), '! 2 conflicting file(s): a.txt, b.txt — troupe plan conflicts shows them'],
    [event('merge.conflict', { childId: '01J1', name: 'demo/x-1', files: ['a.txt'] }), '! 1 conflicting file(s) merging demo/x-1: a.txt — troupe plan conflicts shows them'],
    [event('conflict.resolved', { file: 'a.txt', with: 'theirs' }), '  ✓ resolved a.txt (theirs)'],
    [event('checkpoint.created', { checkpointId: '01J2', trigger: 'step' }), null],
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
});
