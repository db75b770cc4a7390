import { describe, expect, it } from 'vitest';
import { CheckRegistry } from '../../actors/index.js';
import { DEFAULT_RESOURCE_LIMITS, looserLimits, type ResourceLimits } from '../../src/domain/index.js';
import { checkPlanFile } from '../../src/runtime/plans/plan-file-check.js';
import { ToolRunner } from '../../src/tools/index.js';

// A plan may only tighten the project's sandbox.limits: a value equal to the
// project's is no loosening, and is taken; one more than it is refused.

const project: ResourceLimits = { processes: 256, memoryMB: 2048, fileSizeMB: 100 };

describe('a plan limit against the project limit', () => {
  it('accepts a plan limit equal to the project limit, for each key and all at once', () => {
    expect(looserLimits({ processes: 256 }, project)).toEqual([]);
    expect(looserLimits({ memoryMB: 2048 }, project)).toEqual([]);
    expect(looserLimits({ fileSizeMB: 100 }, project)).toEqual([]);
    expect(looserLimits({ ...project }, project)).toEqual([]);
    expect(looserLimits({ ...DEFAULT_RESOURCE_LIMITS }, DEFAULT_RESOURCE_LIMITS)).toEqual([]);
  });

  it('refuses a plan limit one above the project limit, for each key', () => {
    expect(
      looserLimits({ processes: 257, memoryMB: 2049, fileSizeMB: 101 }, project).map((issue) => issue.path),
    ).toEqual(['sandbox.limits.processes', 'sandbox.limits.memoryMB', 'sandbox.limits.fileSizeMB']);
  });

  it('creates a plan file whose sandbox.limits equal the project limits', async () => {
    const checkers = {
      tools: new ToolRunner(),
      checks: new CheckRegistry([]),
      hasProject: async () => false,
      limits: project,
    };
    const spec = await checkPlanFile({ name: 'demo/limits', goal: 'g', sandbox: { limits: { ...project } } }, checkers);
    expect(spec.name).toBe('demo/limits');
    await expect(
      checkPlanFile({ name: 'demo/limits', goal: 'g', sandbox: { limits: { processes: 257 } } }, checkers),
    ).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
  });
});
