import { describe, expect, it } from 'vitest';
import { HostRetryError, type Runtime } from '../../src/runtime/index.js';
import { textOf } from './mcp-client.js';
import { session } from './server-fixture.js';

// how the backend of `troupe mcp` reaches the runtime again when the owner of the store shuts down or goes away
describe('the backend', () => {
  it('asks the next owner again when the one it asked was shutting down, and reconnects when the owner goes away', async () => {
    let reopened = 0;
    let lose: () => void = () => {};
    const mcp = await session(undefined, {
      access: (runtime) => {
        let refusals = 1;
        // the first owner refuses once, as a host closing down does; the next one is the runtime itself
        const closing = new Proxy(runtime, {
          get(target, key) {
            const value = Reflect.get(target, key, target);
            if (key === 'listPlans' && refusals > 0) {
              refusals -= 1;
              return () => Promise.reject(new HostRetryError('STORE_LOCKED', 'the troupe host is shutting down'));
            }
            return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
          },
        }) as unknown as Runtime;
        return {
          runtime: async () => closing,
          reopen: async () => {
            reopened += 1;
            return runtime;
          },
          lost: () => new Promise<void>((resolve) => (lose = resolve)),
        };
      },
    });
    expect(textOf(await mcp.call('plan_list', {}))).toBe('no plans');
    expect(reopened).toBe(1);
    lose();
    await expect.poll(() => reopened).toBe(2);
    expect(textOf(await mcp.call('plan_list', {}))).toBe('no plans');
  });
});
