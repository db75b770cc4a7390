import { describe, expect, it } from 'vitest';
import { EventFeed } from '../../src/runtime/events/event-feed.js';
import { namedPlan } from '../../src/runtime/report-line.js';
import type { Store } from '../../src/store/index.js';

// the feed's relay of another process's events, over a store that hears a commit and then cannot read it
describe('EventFeed', () => {
  it('names a plan whose events it could not read by name and id', async () => {
    let heard: (planId: string, fromSeq: number) => void = () => {};
    const store = {
      kind: 'postgres',
      watchPlans: (listener: typeof heard) => ((heard = listener), () => {}),
      readEvents: () => Promise.reject(new Error('the database went away')),
      getPlan: async (planId: string) => (planId === 'P1' ? { id: 'P1', name: 'demo/far' } : null),
    } as unknown as Store;
    const reports: string[] = [];
    const feed = new EventFeed({
      store,
      report: (message) => reports.push(message),
      named: (id) => namedPlan(id, undefined, store),
      runsHere: () => false,
      heard: () => {},
    });
    const stop = feed.subscribe('*', () => {});
    heard('P1', 1);
    heard('P2', 1);
    await expect.poll(() => reports.length).toBe(2);
    // a plan the store does not know (or cannot say) is named by its id
    expect(reports.sort()).toEqual([
      'could not read the events of plan P2',
      'could not read the events of plan demo/far (P1)',
    ]);
    stop();
    feed.close();
  });
});
