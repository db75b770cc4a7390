import { describe, expect, it } from 'vitest';
import { RuntimeAgentCalls, type AgentHost } from '../../src/runtime/agent/agent-calls.js';
import type { PlanRecord } from '../../src/domain/index.js';

// Only the order matters here: every call meets an ended plan and is refused
// with PHASE_GUARD as soon as its turn in the plan's queue comes.
function hostWithSlowLookup(slowMs: number): AgentHost {
  const ended = { id: 'p1', name: 'demo/agent', status: 'done' } as PlanRecord;
  return {
    resolve: (ref: string) =>
      new Promise<string>((resolve) => setTimeout(() => resolve('p1'), ref === 'demo/agent' ? slowMs : 0)),
    live: async () => null,
    readPlan: async () => ended,
  } as unknown as AgentHost;
}

describe('agent calls on one plan', () => {
  it('take their turns in the order they arrived, however long finding the plan by its ref takes', async () => {
    const calls = new RuntimeAgentCalls(hostWithSlowLookup(40));
    const settled: string[] = [];
    const note = (what: string) => (error: { code: string; message: string }) => {
      expect(error.code).toBe('PHASE_GUARD');
      settled.push(`${what}: ${error.message}`);
    };
    // the first names the plan (a slower lookup), the second gives its id
    await Promise.all([
      calls
        .callTool('demo/agent', { tool: 'fs/read-file', input: { path: 'a.txt' } })
        .then(() => settled.push('unexpected'), note('call')),
      calls.finish('p1').then(() => settled.push('unexpected'), note('finish')),
    ]);
    expect(settled).toHaveLength(2);
    expect(settled[0]).toMatch(/^call: .*take a tool call on/);
    expect(settled[1]).toMatch(/^finish: .*finish/);
  });

  it('still take calls after a lookup failed', async () => {
    const host = hostWithSlowLookup(0);
    host.resolve = async (ref: string) => {
      if (ref === 'nope') throw Object.assign(new Error('no plan "nope"'), { code: 'NOT_FOUND' });
      return 'p1';
    };
    const calls = new RuntimeAgentCalls(host);
    await expect(calls.finish('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(calls.finish('p1')).rejects.toMatchObject({ code: 'PHASE_GUARD' });
  });
});
