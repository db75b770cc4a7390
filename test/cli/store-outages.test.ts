import { describe, expect, it } from 'vitest';
import { TroupeError } from '../../src/domain/index.js';
import type { CommandContext } from '../../src/cli/context.js';
import { watchOutages } from '../../src/cli/store-outages.js';

// A follower's watch over the store (issue 37): an outage is said once and
// waited out, the store coming back is said once, and any other error ends
// the follow with that error.

function notes(): { context: CommandContext; said: string[] } {
  const said: string[] = [];
  return { context: { out: { note: (text: string) => said.push(text) } } as unknown as CommandContext, said };
}

describe('watchOutages', () => {
  it('says an outage once, waits it out, says the store is back, and fails on any other error', async () => {
    const { context, said } = notes();
    const answers: (Error | null)[] = [
      new TroupeError('STORE_UNAVAILABLE', 'connect ECONNREFUSED'),
      new TroupeError('STORE_UNAVAILABLE', 'connect ECONNREFUSED'),
      null,
      new Error('disk on fire'),
    ];
    const watch = watchOutages(context, async () => {
      const next = answers.shift();
      if (next) throw next;
    });
    await expect(watch.failed).rejects.toThrow('disk on fire');
    watch.stop();
    expect(said).toEqual([
      'troupe: the store is unavailable (connect ECONNREFUSED); waiting for it, Ctrl-C stops',
      'troupe: the store is back; carrying on from the last event shown',
    ]);
  }, 20_000);

  it('says the store is back when an event comes through first, and nothing after it stopped', async () => {
    const { context, said } = notes();
    let away = true;
    const watch = watchOutages(context, async () => {
      if (away) throw new TroupeError('STORE_UNAVAILABLE', 'gone');
    });
    while (said.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    away = false;
    watch.heard();
    watch.heard();
    watch.stop();
    watch.heard();
    expect(said).toEqual([
      'troupe: the store is unavailable (gone); waiting for it, Ctrl-C stops',
      'troupe: the store is back; carrying on from the last event shown',
    ]);
  }, 20_000);
});
