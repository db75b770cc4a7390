import { describe, expect, it } from 'vitest';
import type { ActorServices } from '../../actors/index.js';
import type { JournalEntry, NetworkRefusal } from '../../src/domain/index.js';
import { journalRefusals } from '../../src/runtime/plans/network-refusals.js';

// What the journal keeps of a command's refused connections: once per host, or per cap, and step.

// a runner whose command is refused what `refusals` lists, each as often as it says
function refusing(refusals: [NetworkRefusal, number][]): ActorServices['commandRunner'] {
  return async () =>
    async (_command, options = {}) => {
      for (const [refusal, times] of refusals)
        for (let time = 0; time < times; time += 1) options.onDenied?.(refusal, true);
      return {
        exitCode: 0,
        signal: null,
        timedOut: false,
        cancelled: false,
        stdoutTail: '',
        stderrTail: '',
        durationMs: 1,
      };
    };
}

describe('refused connections in the journal', () => {
  it('journals a full cap once per cap and step, with the cap and its number, however many connections it refused', async () => {
    const recorded: JournalEntry[] = [];
    const runner = journalRefusals(
      refusing([
        [{ host: '127.0.0.1', port: 41827, reason: 'connections', cap: { per: 'plan', limit: 1024 } }, 30_000],
        [{ host: '127.0.0.1', port: 41827, reason: 'connections', cap: { per: 'command', limit: 256 } }, 5],
        [{ host: 'metadata.test', port: 80, reason: 'metadata' }, 3],
      ]),
      { phaseOf: () => 'execute', record: (_plan, entry) => recorded.push(entry) },
    );
    const run = await runner('P', '/w');
    await run('python3 flood.py', { log: { kind: 'step', step: 0, tool: 'shell/run' } });
    await run('python3 flood.py', { log: { kind: 'step', step: 1, tool: 'shell/run' } });
    const data = recorded.map((entry) => entry.data);
    expect(data.filter((entry) => entry.step === 0)).toEqual([
      {
        host: '127.0.0.1',
        port: 41827,
        command: 'python3 flood.py',
        step: 0,
        kind: 'step',
        tool: 'shell/run',
        reason: 'connections',
        cap: 'plan',
        limit: 1024,
      },
      {
        host: '127.0.0.1',
        port: 41827,
        command: 'python3 flood.py',
        step: 0,
        kind: 'step',
        tool: 'shell/run',
        reason: 'connections',
        cap: 'command',
        limit: 256,
      },
      {
        host: 'metadata.test',
        port: 80,
        command: 'python3 flood.py',
        step: 0,
        kind: 'step',
        tool: 'shell/run',
        reason: 'metadata',
      },
    ]);
    expect(data.filter((entry) => entry.step === 1)).toHaveLength(3);
  });
});
