import { describe, expect, it } from 'vitest';
import { explainRefusal, planPosition } from '../../machines/index.js';

// Where a plan stands (planPosition) and why a phase command is refused there (explainRefusal).

describe('planPosition', () => {
  it('reads inner states of a running phase as processing', () => {
    expect(planPosition({ execute: { processing: 'step' } }, { phase: 'execute' })).toEqual({
      phase: 'execute',
      status: 'processing',
    });
    expect(planPosition('done', { phase: 'apply' })).toEqual({ phase: 'apply', status: 'done' });
  });
  it('refuses a state value that is not a plan state, naming it', () => {
    expect(() => planPosition('limbo', { phase: 'execute' })).toThrow('unexpected plan state "limbo"');
    expect(() => planPosition({ deploy: 'queued' }, { phase: 'execute' })).toThrow(
      'unexpected plan state {"deploy":"queued"}',
    );
    expect(() => planPosition({}, { phase: 'execute' })).toThrow('unexpected plan state {}');
    expect(() => planPosition({ execute: undefined } as never, { phase: 'execute' })).toThrow(
      'unexpected plan state {}',
    );
  });
});

describe('explainRefusal', () => {
  const ctx = { name: 'demo/x', error: null };
  it('says what is missing when a phase comes too early', () => {
    expect(explainRefusal('execute', { phase: 'strategize', status: 'processing' }, ctx).reason).toBe(
      'strategize is processing (needs complete)',
    );
    expect(explainRefusal('apply', { phase: 'strategize', status: 'complete' }, ctx).reason).toBe(
      'strategize is complete; apply needs validate complete',
    );
  });
  it('says when a phase is already done or failed', () => {
    expect(explainRefusal('execute', { phase: 'execute', status: 'complete' }, ctx)).toEqual({
      reason: 'execute is already complete',
      hint: 'next: troupe plan validate demo/x',
    });
    expect(
      explainRefusal(
        'execute',
        { phase: 'execute', status: 'failed' },
        { name: 'demo/x', error: { code: 'TOOL_FAILED', message: 'x', phase: 'execute', retryable: false } },
      ).reason,
    ).toBe('execute failed (TOOL_FAILED) and cannot simply be run again');
    expect(explainRefusal('strategize', { phase: 'validate', status: 'complete' }, ctx).reason).toBe(
      'strategize is behind it: the plan is at (validate, complete)',
    );
  });
  it('says a phase already running or waiting is not complete yet', () => {
    expect(explainRefusal('execute', { phase: 'execute', status: 'processing' }, ctx)).toEqual({
      reason: 'execute is already processing',
    });
    // waiting on conflicts or manual children: no command to suggest, the plan says what it waits on
    expect(explainRefusal('validate', { phase: 'execute', status: 'waiting' }, ctx)).toEqual({
      reason: 'execute is waiting (needs complete)',
      hint: undefined,
    });
  });
  it('says a terminal plan does not move', () => {
    expect(explainRefusal('execute', { phase: 'apply', status: 'done' }, ctx)).toEqual({
      reason: 'the plan is done (nothing leaves a terminal status)',
      hint: 'troupe plan status demo/x shows how it ended',
    });
  });
  it('says what to do instead, for every position a phase command can meet', () => {
    const failed = {
      name: 'demo/x',
      error: { code: 'TOOL_FAILED' as const, message: 'x', phase: 'execute' as const, retryable: false },
    };
    const refusals: [
      Parameters<typeof explainRefusal>[0],
      Parameters<typeof explainRefusal>[1],
      Parameters<typeof explainRefusal>[2],
      ReturnType<typeof explainRefusal>,
    ][] = [
      // the phase before is not complete: how to get it there
      [
        'execute',
        { phase: 'strategize', status: 'queued' },
        ctx,
        { reason: 'strategize is queued (needs complete)', hint: 'run troupe plan strategize demo/x first' },
      ],
      [
        'execute',
        { phase: 'strategize', status: 'processing' },
        ctx,
        { reason: 'strategize is processing (needs complete)', hint: 'wait for it: troupe plan status demo/x --watch' },
      ],
      [
        'validate',
        { phase: 'execute', status: 'failed' },
        ctx,
        { reason: 'execute failed (needs complete)', hint: 'troupe plan status demo/x shows why execute failed' },
      ],
      // a phase further back: run up to the one needed
      [
        'apply',
        { phase: 'strategize', status: 'complete' },
        ctx,
        {
          reason: 'strategize is complete; apply needs validate complete',
          hint: 'run troupe plan run demo/x --until validate',
        },
      ],
      // the phase itself failed: a correction or a cancel, except strategize, which runs again
      [
        'execute',
        { phase: 'execute', status: 'failed' },
        failed,
        {
          reason: 'execute failed (TOOL_FAILED) and cannot simply be run again',
          hint: 'troupe plan status demo/x shows the error; correct it (troupe plan correct demo/x --mode revert|append) or cancel it (troupe plan cancel demo/x)',
        },
      ],
      [
        'validate',
        { phase: 'validate', status: 'failed' },
        ctx,
        {
          reason: 'validate failed and cannot simply be run again',
          hint: 'troupe plan status demo/x shows the error; correct it (troupe plan correct demo/x --mode revert|append) or cancel it (troupe plan cancel demo/x)',
        },
      ],
      [
        'strategize',
        { phase: 'strategize', status: 'failed' },
        failed,
        { reason: 'strategize failed (TOOL_FAILED) and cannot simply be run again', hint: undefined },
      ],
      // complete: what comes next, and nothing after apply
      [
        'validate',
        { phase: 'validate', status: 'complete' },
        ctx,
        { reason: 'validate is already complete', hint: 'next: troupe plan apply demo/x' },
      ],
      ['apply', { phase: 'apply', status: 'complete' }, ctx, { reason: 'apply is already complete', hint: undefined }],
      [
        'apply',
        { phase: 'apply', status: 'cancelled' },
        ctx,
        {
          reason: 'the plan is cancelled (nothing leaves a terminal status)',
          hint: 'troupe plan status demo/x shows how it ended',
        },
      ],
    ];
    for (const [command, at, context, refusal] of refusals)
      expect(explainRefusal(command, at, context), `${command} at (${at.phase}, ${at.status})`).toStrictEqual(refusal);
  });
});
