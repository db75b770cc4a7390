import { describe, expect, it } from 'vitest';
import { summarizeContext, summarizeEvent } from '../../src/runtime/inspector-sanitize.js';

describe('summarizeContext', () => {
  it('keeps ids, phase and counters, and turns lists and deep objects into counts', () => {
    const context = {
      planId: '01J',
      phase: 'execute',
      toolCalls: 3,
      error: null,
      invariants: [{ id: 'a' }, { id: 'b' }],
      sandbox: { branch: 'troupe/x', baseCommit: 'abc', nested: { deep: true, more: 1 } },
      goal: 'g'.repeat(500),
    };
    expect(summarizeContext(context)).toEqual({
      planId: '01J',
      phase: 'execute',
      toolCalls: 3,
      error: null,
      invariants: '[2 items]',
      sandbox: { branch: 'troupe/x', baseCommit: 'abc', nested: '{2 keys}' },
      goal: `${'g'.repeat(200)}… (500 chars)`,
    });
  });

  it('keeps an event type and summarises its data', () => {
    expect(summarizeEvent({ type: 'xstate.done.actor.x', output: { results: [1, 2, 3], ok: true } })).toEqual({ type: 'xstate.done.actor.x', output: { results: '[3 items]', ok: true } });
  });
});
