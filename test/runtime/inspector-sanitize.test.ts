import { describe, expect, it } from 'vitest';
import { summarizeContext, summarizeEvent } from '../../src/runtime/inspector/inspector-sanitize.js';

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
    expect(summarizeEvent({ type: 'xstate.done.actor.x', output: { results: [1, 2, 3], ok: true } })).toEqual({
      type: 'xstate.done.actor.x',
      output: { results: '[3 items]', ok: true },
    });
  });

  it('shows what cannot go over JSON as what it is: bigints as digits, functions and symbols by their kind', () => {
    expect(summarizeContext({ total: 12345678901234567890n, onDone: () => {}, tag: Symbol('x'), count: 1 })).toEqual({
      total: '12345678901234567890',
      onDone: '[function]',
      tag: '[symbol]',
      count: 1,
    });
  });

  it('shows an object with its own JSON (a date, an actor ref) as that JSON', () => {
    const ref = { id: 'child-1', toJSON: () => ({ xstate$$type: 1, id: 'child-1' }) };
    expect(summarizeContext({ createdAt: new Date('2026-01-02T03:04:05.000Z'), child: ref })).toEqual({
      createdAt: '2026-01-02T03:04:05.000Z',
      child: { xstate$$type: 1, id: 'child-1' },
    });
  });

  it('keeps the first 40 keys of a wide object and says how many more there were', () => {
    const wide = Object.fromEntries(Array.from({ length: 45 }, (_, index) => [`k${index}`, index]));
    const summary = summarizeContext(wide) as Record<string, unknown>;
    expect(Object.keys(summary)).toHaveLength(41);
    expect(summary['k39']).toBe(39);
    expect(summary['k40']).toBeUndefined();
    expect(summary['…']).toBe('5 more keys');
  });
});
