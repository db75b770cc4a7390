import { describe, expect, it } from 'vitest';
import { project, THREE_STEPS } from './checkpoint-fixture.js';

// Bad checkpoint, rollback and correction requests (SPEC §10): a coded error, and the plan as it was.

describe.each(['level', 'memory'] as const)(
  'refused checkpoint, rollback and correction requests on the %s store',
  (store) => {
    it('refuses bad requests with a coded error and changes nothing', async () => {
      const { runtime } = await project({ store });
      const plan = await runtime.run((await runtime.createPlan(THREE_STEPS)).id);
      const other = await runtime.createPlan(THREE_STEPS.replace('demo/three', 'demo/other'));
      const otherCheckpoint = await runtime.createCheckpoint(other.id, { label: 'mine' });
      const unchanged = async () => {
        expect(await runtime.getPlan(plan.id)).toEqual(plan);
        expect(await runtime.checkpoints(plan.id)).toHaveLength(7);
      };
      await expect(runtime.rollback(plan.id, { to: '01J0000000000000000000NOPE' })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await expect(runtime.rollback(plan.id, { to: otherCheckpoint.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(runtime.correct(plan.id, {} as never)).rejects.toMatchObject({
        code: 'VALIDATION_ERROR',
        details: { issues: [{ path: 'mode' }] },
      });
      await expect(runtime.correct(plan.id, { mode: 'sideways' } as never)).rejects.toMatchObject({
        code: 'VALIDATION_ERROR',
      });
      await expect(
        runtime.correct(plan.id, { mode: 'append', steps: { title: 'x', tool: 'fs/nope', input: {} } }),
      ).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
      await expect(
        runtime.correct(plan.id, { mode: 'append', steps: [{ tool: 'fs/write-file', input: {} }] } as never),
      ).rejects.toMatchObject({
        code: 'VALIDATION_ERROR',
        message: expect.stringContaining('step[0].title: is required'),
        hint: expect.stringContaining('a step is {"title"'),
      });
      await expect(
        runtime.correct(plan.id, {
          mode: 'append',
          steps: { title: 'x', tool: 'fs/write-file', input: { path: '../out', content: '' } },
        }),
      ).rejects.toMatchObject({
        code: 'SANDBOX_ESCAPE',
      });
      await expect(runtime.createCheckpoint(plan.id, { label: '' })).rejects.toMatchObject({
        code: 'VALIDATION_ERROR',
      });
      await expect(runtime.pruneCheckpoints(plan.id, -1)).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
      await unchanged();
      // a plan that has not run: no checkpoint before where it stands, and nothing to append steps to
      await expect(runtime.rollback(other.id)).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: expect.stringContaining('before the current state of demo/other'),
      });
      await expect(
        runtime.correct(other.id, {
          mode: 'append',
          steps: { title: 'x', tool: 'fs/write-file', input: { path: 'x.txt', content: '' } },
        }),
      ).rejects.toMatchObject({
        code: 'PHASE_GUARD',
        message: expect.stringContaining(
          'steps are appended to a plan past strategize and at rest; it is (strategize, queued)',
        ),
      });
      await runtime.cancel(other.id);
      await expect(runtime.rollback(other.id, { to: otherCheckpoint.id })).rejects.toMatchObject({
        code: 'PHASE_GUARD',
      });
    });
  },
);
