import { afterEach, describe, expect, it } from 'vitest';
import type { PlanRecord } from '../../src/domain/index.js';
import { applyTakes, truncatedText } from '../../src/runtime/housekeeping/apply-preview.js';
import { git } from '../helpers/temp.js';
import { rejection } from '../helpers/rejection.js';
import { planYaml, projectWithRuntime, step } from './fixtures.js';

// runtime.previewApply (plan apply --dry-run, SPEC §18) in an embedding
// runtime, whose plan's actor is live, on LevelDB and on the memory store.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const writing = planYaml({
  name: 'demo/preview',
  automation: 'review',
  strategy: { steps: [step('Write', 'fs/write-file', { path: 'new.txt', content: 'new\n' })] },
});

describe.each(['level', 'memory'] as const)('previewApply on the %s store', (store) => {
  it('describes the commit of a live plan, changes nothing, and refuses as apply does', async () => {
    const made = await projectWithRuntime(undefined, store === 'memory' ? { store: 'memory' } : {});
    cleanups.push(made.close);
    const { dir, runtime } = made;
    const created = await runtime.createPlan(writing);
    const early = await rejection(runtime.previewApply(created.id));
    expect(early).toMatchObject({
      code: 'PHASE_GUARD',
      message: 'cannot apply demo/preview: strategize is queued; apply needs validate complete',
    });
    const validated = await runtime.run(created.id);
    expect([validated.phase, validated.status]).toEqual(['validate', 'complete']);
    const head = git(dir, 'rev-parse', 'HEAD');
    const events = await runtime.events(created.id);

    const preview = await runtime.previewApply('demo/preview', { patch: true, maxBytes: 40 });
    expect(preview).toMatchObject({
      planId: created.id,
      name: 'demo/preview',
      outcome: 'commit',
      onto: head,
      merged: false,
      truncated: true,
    });
    expect(preview.files.map((file) => [file.action, file.path])).toEqual([['added', 'new.txt']]);
    expect(Buffer.byteLength(preview.patch!)).toBeLessThanOrEqual(40);
    expect(preview.patch).toMatch(/^diff --git a\/new.txt b\/new.txt\n/);
    expect(await runtime.events(created.id)).toEqual(events);
    expect(await runtime.getPlan(created.id)).toEqual(validated);
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(head);

    await expect(runtime.previewApply('demo/preview', { strategy: 'sideways' as never })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
    });
    await runtime.runPhase(created.id, 'apply');
    await expect(runtime.previewApply('demo/preview')).rejects.toMatchObject({ code: 'PHASE_GUARD' });
    await expect(runtime.previewApply('demo/nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('applyTakes', () => {
  const record = (fields: Partial<PlanRecord>) =>
    ({ parentId: null, phase: 'validate', status: 'complete', error: null, ...fields }) as PlanRecord;
  it.each([
    [{}, true],
    [{ phase: 'apply', status: 'queued' }, true],
    [
      {
        phase: 'apply',
        status: 'failed',
        error: { code: 'DIRTY_WORKTREE', message: '', phase: 'apply', retryable: true },
      },
      true,
    ],
    [{ phase: 'apply', status: 'failed', error: { code: 'INTERNAL_ERROR', message: '', phase: 'apply' } }, false],
    [{ phase: 'apply', status: 'done' }, false],
    [{ phase: 'apply', status: 'waiting' }, false],
    [{ phase: 'validate', status: 'running' }, false],
    [{ phase: 'execute', status: 'complete' }, false],
    [{ parentId: '01J00000000000000000000000' }, false],
  ] as const)('%j → %s, as the machine’s canApply', (fields, expected) => {
    expect(applyTakes(record(fields as Partial<PlanRecord>))).toBe(expected);
  });

  it('cuts text at a byte bound, never inside a character', () => {
    expect(truncatedText('héllo', 2)).toEqual({ patch: 'h', truncated: true });
    expect(truncatedText('héllo', 3)).toEqual({ patch: 'hé', truncated: true });
    expect(truncatedText('héllo', 6)).toEqual({ patch: 'héllo', truncated: false });
  });
});
