import { describe, expect, it } from 'vitest';
import { textOf } from './mcp-client.js';
import { openPlan, session } from './server-fixture.js';

// service_start, service_stop, service_list and service_logs of `troupe mcp`: what they refuse, and what they record
describe('the service tools (issue 35)', () => {
  it('refuse bad arguments, a running name, an unknown service and a plan not in execute, with a coded error and the next step', async () => {
    const mcp = await session();
    const plan = await openPlan(mcp);
    const refused = async (name: string, args: Record<string, unknown>) => {
      const result = await mcp.call(name, args);
      expect(result.isError, textOf(result)).toBe(true);
      return result.structuredContent as { error: { code: string; message: string; hint?: string } };
    };
    expect(
      (await refused('service_start', { plan: plan.id, name: 'web', command: 'true', readyPort: 0 })).error,
    ).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('readyPort') });
    expect((await refused('service_start', { plan: plan.id, name: 'web' })).error).toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringContaining('command'),
    });
    expect((await refused('service_start', { plan: plan.id, name: '9lives', command: 'true' })).error).toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringContaining('name'),
    });
    expect((await refused('service_logs', { plan: plan.id, name: 'web', lines: 5, offset: 0 })).error).toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringContaining('offset'),
    });
    expect((await refused('service_stop', { plan: plan.id, name: 'web', extra: 1 })).error).toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringContaining('extra'),
    });
    // nothing was started or recorded by any of them
    expect(textOf(await mcp.call('service_list', { plan: plan.id }))).toBe('no services');

    await mcp.ok('service_start', { plan: plan.id, name: 'web', command: 'echo up; exec sleep 600', readyLine: 'up' });
    expect((await refused('service_start', { plan: plan.id, name: 'web', command: 'sleep 1' })).error).toMatchObject({
      code: 'VALIDATION_ERROR',
      hint: expect.stringContaining('service_stop'),
    });
    expect((await refused('service_stop', { plan: plan.id, name: 'db' })).error).toMatchObject({
      code: 'NOT_FOUND',
      hint: expect.stringContaining('web'),
    });
    expect(textOf(await mcp.call('service_list', { plan: plan.id }))).toBe('web: running — echo up; exec sleep 600');
    await mcp.ok('plan_finish', { plan: plan.id });
    expect(textOf(await mcp.call('service_list', { plan: plan.id }))).toMatch(/^web: stopped/);
    expect((await refused('service_start', { plan: plan.id, name: 'web', command: 'sleep 1' })).error).toMatchObject({
      code: 'PHASE_GUARD',
      hint: expect.any(String),
    });
    expect((await refused('service_stop', { plan: plan.id, name: 'web' })).error).toMatchObject({ code: 'NOT_FOUND' });
    expect(textOf(await mcp.call('service_logs', { plan: plan.id, name: 'web' }))).toMatch(/^up\n\[web: ended/);
  });
});
