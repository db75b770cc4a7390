import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RESOURCE_LIMITS,
  effectiveLimits,
  limitHint,
  limitText,
  looserLimits,
  planFileSchema,
  resourceLimitsSchema,
} from '../../src/domain/index.js';

describe('sandbox.limits', () => {
  it('takes the defaults where the project sets nothing, and the lower of project and plan', () => {
    expect(effectiveLimits(undefined, undefined)).toEqual({ processes: 4096, memoryMB: 8192, fileSizeMB: 4096 });
    expect(effectiveLimits({ memoryMB: 2048 }, { processes: 64, memoryMB: 4096 })).toEqual({
      processes: 64,
      memoryMB: 2048,
      fileSizeMB: 4096,
    });
    expect(Object.isFrozen(DEFAULT_RESOURCE_LIMITS)).toBe(true);
  });

  it('refuses what is not a whole number in the range, and unknown keys', () => {
    for (const [limits, path, message] of [
      [{ processes: 0 }, 'processes', 'must be a whole number from 16 to 65536'],
      [{ processes: 65537 }, 'processes', 'must be a whole number from 16 to 65536'],
      [{ memoryMB: 63 }, 'memoryMB', 'must be a whole number from 64 to 1048576'],
      [{ fileSizeMB: 1.5 }, 'fileSizeMB', 'must be a whole number from 1 to 1048576'],
      [{ fileSizeMB: '1' }, 'fileSizeMB', 'must be a whole number from 1 to 1048576'],
    ] as const) {
      expect(
        resourceLimitsSchema.safeParse(limits).error?.issues.map((issue) => [issue.path.join('.'), issue.message]),
      ).toEqual([[path, message]]);
    }
    expect(resourceLimitsSchema.safeParse({ cpus: 2 }).success).toBe(false);
    expect(planFileSchema.parse({ name: 'demo/x', goal: 'g', sandbox: { limits: { processes: 64 } } }).sandbox).toEqual(
      { limits: { processes: 64 } },
    );
    expect(planFileSchema.safeParse({ name: 'demo/x', goal: 'g', sandbox: { mode: 'off' } }).success).toBe(false);
  });

  it('names every key a plan raises above the project, with both values and the range left', () => {
    expect(
      looserLimits(
        { processes: 100, memoryMB: 100, fileSizeMB: 100 },
        { processes: 64, memoryMB: 4096, fileSizeMB: 10 },
      ),
    ).toEqual([
      {
        path: 'sandbox.limits.processes',
        message: "is 100, above the project's limit of 64: a plan may only tighten it (allowed: 16 to 64)",
      },
      {
        path: 'sandbox.limits.fileSizeMB',
        message: "is 100 MB, above the project's limit of 10 MB: a plan may only tighten it (allowed: 1 to 10)",
      },
    ]);
    expect(looserLimits(undefined, DEFAULT_RESOURCE_LIMITS)).toEqual([]);
  });

  it('says a limit by its name, value and setting', () => {
    expect(limitText('memory', 512)).toBe('the memory limit of 512 MB (sandbox.limits.memoryMB)');
    expect(limitText('processes', 64)).toBe('the processes limit of 64 (sandbox.limits.processes)');
    expect(limitText('file size', undefined)).toBe('the file size limit (sandbox.limits.fileSizeMB)');
    expect(limitHint('file size')).toContain('raise sandbox.limits.fileSizeMB');
  });
});
