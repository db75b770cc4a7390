import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/index.js';
import { checkLogOptions, checkServiceName, checkServiceStart } from '../../src/runtime/agent/service-checks.js';
import type { ServiceStartRequest } from '../../src/runtime/agent/service-api.js';

// A background service's request, field by field: every bad field named at once, nothing started.

const issuesOf = (check: () => unknown): { path: string; message: string }[] => {
  try {
    check();
  } catch (error) {
    if (error instanceof ValidationError) return error.issues.map(({ path, message }) => ({ path, message }));
    throw error;
  }
  return [];
};
const start = (request: Partial<ServiceStartRequest> | null) => () => checkServiceStart(request as ServiceStartRequest);

describe('checkServiceStart', () => {
  it('accepts a request with every field right', () => {
    const request = {
      name: 'web-1',
      command: 'npm start',
      readyPort: 3000,
      readyTimeoutMs: 5000,
      env: { PORT: '3000' },
      rationale: 'the app',
    };
    expect(checkServiceStart(request)).toBe(request);
  });

  it('names every bad field of one request', () => {
    const paths = issuesOf(
      start({
        name: '1web',
        command: 'x'.repeat(16_385),
        readyPort: 70_000,
        readyLine: 'listening',
        readyTimeoutMs: 0,
        env: { 'BAD-NAME': 'x', LD_PRELOAD: '/tmp/x.so', OK: 'a\u0000b' },
        rationale: 3 as unknown as string,
      }),
    ).map((issue) => issue.path);
    expect(paths).toEqual([
      'name',
      'command',
      'readyPort',
      'readyLine',
      'readyTimeoutMs',
      'env.BAD-NAME',
      'env.LD_PRELOAD',
      'env.OK',
      'rationale',
    ]);
  });

  it('refuses what is not a request, an empty command, an env that is not a mapping and a bad readyLine', () => {
    expect(issuesOf(start(null))).toEqual([
      { path: '', message: 'must be {name, command, readyPort? | readyLine?, env?}' },
    ]);
    expect(issuesOf(start({ name: 'web', command: '  ' }))).toEqual([
      { path: 'command', message: 'must be a non-empty shell command' },
    ]);
    expect(issuesOf(start({ name: 'web', command: 'x', env: ['A=1'] as unknown as Record<string, string> }))).toEqual([
      { path: 'env', message: 'must be a mapping of names to text' },
    ]);
    expect(issuesOf(start({ name: 'web', command: 'x', readyLine: '' }))[0]?.path).toBe('readyLine');
    expect(issuesOf(start({ name: 'web', command: 'x', readyLine: '/(?<=a)b/' }))[0]?.path).toBe('readyLine');
  });
});

describe('checkServiceName and checkLogOptions', () => {
  it('takes a name of a letter then letters, digits, - or _', () => {
    expect(checkServiceName('db_1')).toBe('db_1');
    expect(issuesOf(() => checkServiceName('-db'))[0]?.path).toBe('name');
    expect(issuesOf(() => checkServiceName(7))[0]?.path).toBe('name');
  });

  it('takes lines 1–2000 or a byte offset, not both', () => {
    expect(checkLogOptions({ lines: 10 })).toEqual({ lines: 10 });
    expect(issuesOf(() => checkLogOptions({ lines: 0, offset: -1 })).map((issue) => issue.path)).toEqual([
      'lines',
      'offset',
      'offset',
    ]);
  });
});
