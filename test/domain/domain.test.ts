import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  TroupeError,
  asTroupeError,
  childPlanName,
  decisionForest,
  driveTarget,
  isPlanName,
  isUlid,
  isTerminalStatus,
  newId,
  nextPhase,
  normalizeRelativePath,
  sandboxBranchName,
  scopeGlobProblem,
  toFieldIssues,
  toPlanError,
  unsafePathProblem,
  type Decision,
} from '../../src/domain/index.js';

describe('ids and names', () => {
  it('makes ULIDs that sort in creation order, even within one millisecond', () => {
    const ids = Array.from({ length: 100 }, () => newId(1_700_000_000_000));
    expect(ids.every(isUlid)).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(100);
    expect(isUlid('01ARZ3NDEKTSV4RRFFQ69G5FAU')).toBe(false); // U is not Crockford base32
    expect(isUlid(42)).toBe(false);
  });

  it('accepts namespace/name with lowercase segments of up to 64 characters', () => {
    expect(isPlanName('demo/license-headers')).toBe(true);
    expect(isPlanName(`a/${'b'.repeat(64)}`)).toBe(true);
    expect(isPlanName(`a/${'b'.repeat(65)}`)).toBe(false);
    for (const bad of ['demo', 'demo/x/y', 'Demo/x', 'demo/1x', 'demo/', '/x', 'demo/x_y', 'demo/ x'])
      expect(isPlanName(bad), bad).toBe(false);
  });

  it('names sandbox branches and unnamed children as SPEC §2–3 say', () => {
    expect(sandboxBranchName('demo/license-headers', '01JD4Y3V8Q6ZK4M1T9E2XW0R5N')).toBe(
      'troupe/demo-license-headers-xw0r5n',
    );
    expect(childPlanName('demo/x', 2)).toBe('demo/x-2');
  });
});

describe('phases', () => {
  it('drives manual one phase, review through validate, auto through apply, until wins', () => {
    expect(driveTarget('manual', 'execute')).toBe('execute');
    expect(driveTarget('review', 'strategize')).toBe('validate');
    expect(driveTarget('auto', 'strategize')).toBe('apply');
    expect(driveTarget('auto', 'strategize', 'execute')).toBe('execute');
    expect(nextPhase('validate')).toBe('apply');
    expect(nextPhase('apply')).toBeNull();
    expect(isTerminalStatus('done')).toBe(true);
    expect(isTerminalStatus('failed')).toBe(false);
  });
});

describe('paths', () => {
  it.each([
    ['', 'must not be empty'],
    ['a\u0000b', 'must not contain a NUL byte'],
    ['/etc/passwd', 'must be relative to the sandbox root, not absolute ("/etc/passwd")'],
    ['C:\\x', 'must be relative to the sandbox root, not absolute ("C:\\x")'],
    ['a/../../b', 'must not contain ".." segments ("a/../../b")'],
    ['.git/config', 'must not point into .git (".git/config")'],
    ['sub/.GIT/hooks', 'must not point into .git ("sub/.GIT/hooks")'],
  ])('refuses the unsafe path %j', (path, problem) => {
    expect(unsafePathProblem(path)).toBe(problem);
  });

  it('accepts ordinary relative paths and normalizes them', () => {
    expect(unsafePathProblem('src/a.ts')).toBeNull();
    expect(unsafePathProblem('.gitignore')).toBeNull();
    expect(normalizeRelativePath('./src//a\\b.ts')).toBe('src/a/b.ts');
  });

  it('checks resource scope globs', () => {
    expect(scopeGlobProblem('src/**')).toBeNull();
    expect(scopeGlobProblem('x'.repeat(257))).toBe('must be at most 256 characters (has 257)');
    expect(scopeGlobProblem('/abs/**')).toContain('not absolute');
  });
});

describe('errors', () => {
  it('passes troupe errors through and turns anything else into INTERNAL_ERROR with a hint', () => {
    const own = new TroupeError('NOT_FOUND', 'no plan');
    expect(asTroupeError(own)).toBe(own);
    const wrapped = asTroupeError(new Error('boom'));
    expect(wrapped).toMatchObject({ code: 'INTERNAL_ERROR', message: 'boom' });
    expect(wrapped.hint).toContain('TROUPE_DEBUG=1');
    expect(asTroupeError('text')).toMatchObject({ code: 'INTERNAL_ERROR', message: 'text' });
    expect(asTroupeError({ code: 'TIMEOUT', message: 'slow', hint: 'wait' })).toMatchObject({
      code: 'TIMEOUT',
      message: 'slow',
      hint: 'wait',
    });
  });

  it('stores a phase failure with its code, details and whether a re-run can fix it', () => {
    const error = new TroupeError('TOOL_FAILED', 'exit 1', { details: { exitCode: 1 }, hint: 'look' });
    expect(toPlanError(error, 'execute', { step: 2 })).toEqual({
      code: 'TOOL_FAILED',
      message: 'exit 1',
      phase: 'execute',
      step: 2,
      details: { exitCode: 1 },
      hint: 'look',
      retryable: false,
    });
    expect(toPlanError(new TroupeError('DIRTY_WORKTREE', 'dirty'), 'apply').retryable).toBe(true);
    expect(toPlanError(new TroupeError('TOOL_FAILED', 'x'), 'validate', { retryable: true }).retryable).toBe(true);
    expect(new TroupeError('NOT_FOUND', 'x', { hint: 'h' }).toJSON()).toEqual({
      code: 'NOT_FOUND',
      message: 'x',
      hint: 'h',
    });
  });
});

describe('decision trees', () => {
  const decision = (id: string, parentId: string | null): Decision => ({
    id,
    parentId,
    planId: 'P',
    type: parentId ? 'step' : 'strategy',
    title: id,
    rationale: '',
    payload: {},
    actor: 'test',
    createdAt: '',
    status: 'active',
  });

  it('nests children under parents in id order and keeps orphans visible as roots', () => {
    const forest = decisionForest([
      decision('B', 'A'),
      decision('A', null),
      decision('C', 'A'),
      decision('D', 'missing'),
    ]);
    expect(forest.map((node) => node.id)).toEqual(['A', 'D']);
    expect(forest[0]!.children.map((node) => node.id)).toEqual(['B', 'C']);
  });
});

describe('field messages', () => {
  it('says "greater than" and "less than" for exclusive bounds, "at least" and "at most" for inclusive ones', () => {
    const schema = z.strictObject({
      a: z.number().positive(),
      b: z.number().lt(5),
      c: z.number().min(1),
      d: z.number().max(3),
    });
    const input = { a: 0, b: 9, c: 0, d: 4 };
    const result = schema.safeParse(input);
    expect(result.success).toBe(false);
    expect(toFieldIssues(result.error!.issues, input)).toEqual([
      { path: 'a', message: 'must be greater than 0' },
      { path: 'b', message: 'must be less than 5' },
      { path: 'c', message: 'must be at least 1' },
      { path: 'd', message: 'must be at most 3' },
    ]);
  });
});
