import { describe, expect, it } from 'vitest';
import type { Decision, JournalEvent, ModelCallPayload } from '../../src/domain/index.js';
import { conversationOf } from '../../src/runtime/llm/index.js';

// The conversation of a model-driven plan, rebuilt from its records after a restart (issue 40).

let ids = 0;
const id = () => `01J00000000000000000000${String(++ids).padStart(3, '0')}`;
function decision(type: Decision['type'], payload: Record<string, unknown>, extra: Partial<Decision> = {}): Decision {
  return {
    id: id(),
    planId: 'P',
    parentId: null,
    type,
    title: type,
    rationale: '',
    payload,
    actor: 'openai:x',
    createdAt: '',
    status: 'active',
    ...extra,
  };
}
function modelCall(
  text: string,
  calls: { id: string; name: string }[],
  extra: Partial<Decision> = {},
  purpose: ModelCallPayload['purpose'] = 'execute',
): Decision {
  const payload: ModelCallPayload = {
    model: 'openai:x',
    purpose,
    call: 1,
    toolCalls: calls.map((call) => ({ ...call, input: {} })),
    inputTokens: 1,
    outputTokens: 1,
    totalTokens: 2,
    latencyMs: 1,
    finishReason: 'stop',
    attempts: 1,
  };
  return decision('model_call', payload, { rationale: text, ...extra });
}
let seq = 0;
function result(call: string, text: string, isError = false): JournalEvent {
  return {
    seq: ++seq,
    ts: '',
    planId: 'P',
    type: 'model.tool_result',
    data: { call, tool: 'write_file', text, isError },
  };
}

describe('conversationOf', () => {
  it('answers each call with its journaled result and counts the calls made', () => {
    const talk = conversationOf(
      'brief',
      [
        modelCall('write', [{ id: 'c1', name: 'write_file' }]),
        decision('step', { index: 0, call: 'c1' }),
        modelCall('done', []),
      ],
      [result('c1', 'created a.txt — step 1')],
    );
    expect(talk.messages).toEqual([
      { role: 'user', text: 'brief' },
      { role: 'assistant', text: 'write', toolCalls: [{ id: 'c1', name: 'write_file', input: {} }] },
      { role: 'tool', results: [{ id: 'c1', name: 'write_file', text: 'created a.txt — step 1', isError: false }] },
      { role: 'assistant', text: 'done', toolCalls: [] },
    ]);
    expect(talk).toMatchObject({ pending: null, done: true, used: 2, made: 2 });
  });

  it('leaves pending only the calls of the last answer that never became anything, and runs nothing recorded again', () => {
    const talk = conversationOf(
      'brief',
      [
        modelCall('three things', [
          { id: 'c1', name: 'write_file' },
          { id: 'c2', name: 'run_command' },
          { id: 'c3', name: 'write_file' },
        ]),
        decision('step', { index: 0, call: 'c1' }),
        decision('tool_call', { tool: 'shell/exec', outcome: 'read', read: 1, call: 'c2' }),
      ],
      [result('c1', 'created a.txt')],
    );
    expect(talk.pending).toEqual({
      calls: [{ id: 'c3', name: 'write_file', input: {} }],
      rationale: 'three things',
      results: [
        { id: 'c1', name: 'write_file', text: 'created a.txt', isError: false },
        {
          id: 'c2',
          name: 'run_command',
          text: expect.stringMatching(/^this call ran as read 1 before troupe restarted, and its answer was not kept/),
          isError: false,
        },
      ],
    });
    expect(talk.done).toBe(false);
  });

  it('tells the model a call was undone by a rollback, refused, or lost with an earlier turn', () => {
    const talk = conversationOf(
      'brief',
      [
        modelCall('first', [
          { id: 'c1', name: 'write_file' },
          { id: 'c2', name: 'write_file' },
          { id: 'c3', name: 'read_file' },
        ]),
        decision('step', { index: 0, call: 'c1' }, { status: 'discarded' }),
        decision('tool_call', { tool: 'fs/write-file', outcome: 'refused', code: 'SCOPE_VIOLATION', call: 'c2' }),
        modelCall('second', []),
      ],
      [],
    );
    const answers = (talk.messages[2] as { results: { text: string; isError: boolean }[] }).results;
    expect(answers.map((answer) => answer.isError)).toEqual([true, true, true]);
    expect(answers[0]!.text).toMatch(/^undone: the plan was rolled back/);
    expect(answers[1]!.text).toMatch(/^error\[SCOPE_VIOLATION\]/);
    expect(answers[2]!.text).toMatch(/^not run: troupe stopped before it/);
    expect(talk.pending).toBeNull();
  });

  it('skips discarded answers and the strategist’s calls, and counts toward maxSteps only the calls since the last correction', () => {
    const talk = conversationOf(
      'brief',
      [
        modelCall('plan it', [], {}, 'strategize'),
        modelCall('gone', [], { status: 'discarded' }),
        modelCall('one', [{ id: 'c1', name: 'read_file' }]),
        decision('correction', {}),
        modelCall('two', [{ id: 'c2', name: 'read_file' }]),
      ],
      [result('c1', 'a'), result('c2', 'b')],
    );
    expect(
      talk.messages
        .filter((message) => message.role === 'assistant')
        .map((message) => (message as { text: string }).text),
    ).toEqual(['one', 'two']);
    expect(talk).toMatchObject({ used: 1, made: 3, done: false, pending: null });
  });
});
