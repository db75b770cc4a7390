import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineCheck, type CheckContext } from '../../actors/index.js';
import { executedPlan } from './checks-fixture.js';

// Checks an app registers: one that throws or answers oddly never passes, an
// unknown one fails, and a check gets its option defaults and a bound context.

describe('checks an app registers', () => {
  const boom = defineCheck({
    name: 'acme/boom',
    description: 'always throws',
    async run() {
      throw new Error('kaboom');
    },
  });
  const throwsString = defineCheck({
    name: 'acme/throws-string',
    description: 'throws a string',
    async run() {
      throw 'not an error object';
    },
  });
  const answers = (name: string, answer: unknown) =>
    defineCheck({
      name,
      description: 'answers something odd',
      readOnly: true,
      async run() {
        return answer as never;
      },
    });
  const odd = [
    answers('acme/object', { ok: true }),
    answers('acme/nothing', undefined),
    answers('acme/text', 'yes'),
    answers('acme/string-passed', { passed: 'true', message: 'looks fine' }),
    answers('acme/null', null),
    answers('acme/no-message', { passed: true, message: 42 }),
  ];

  it('a check that throws is a failed result saying so', async () => {
    const { check } = await executedPlan('memory', {}, [boom, throwsString]);
    expect(await check({ id: 'b', check: 'acme/boom' })).toMatchObject({
      id: 'b',
      check: 'acme/boom',
      passed: false,
      message: 'the acme/boom check failed: kaboom',
    });
    expect(await check({ check: 'acme/throws-string' })).toMatchObject({
      passed: false,
      message: 'the acme/throws-string check failed: not an error object',
    });
  });

  it('a check that answers something other than { passed, message } fails saying what it answered; never a pass', async () => {
    const { check } = await executedPlan('memory', {}, odd);
    expect(await check({ check: 'acme/object' })).toMatchObject({
      passed: false,
      message: 'the acme/object check answered {"ok":true} instead of { passed, message }',
    });
    expect(await check({ check: 'acme/nothing' })).toMatchObject({
      passed: false,
      message: 'the acme/nothing check answered nothing instead of { passed, message }',
    });
    expect(await check({ check: 'acme/text' })).toMatchObject({
      passed: false,
      message: 'the acme/text check answered "yes" instead of { passed, message }',
    });
    expect(await check({ check: 'acme/string-passed' })).toMatchObject({
      passed: false,
      message: expect.stringContaining('instead of { passed, message }'),
    });
    expect(await check({ check: 'acme/null' })).toMatchObject({
      passed: false,
      message: 'the acme/null check answered null instead of { passed, message }',
    });
    // a verdict whose message is not text keeps its verdict, with no message
    expect(await check({ check: 'acme/no-message' })).toMatchObject({ passed: true, message: '' });
  });

  it('a check this runtime does not know fails (it cannot be skipped)', async () => {
    const { check } = await executedPlan('memory');
    expect(await check({ id: 'lint', check: 'acme/lint' })).toMatchObject({
      id: 'lint',
      passed: false,
      message: 'no check named "acme/lint" is registered in this runtime',
    });
  });

  it('gets its option defaults and a context bound to the plan’s sandbox', async () => {
    let seen: { invariant: Record<string, unknown>; context: CheckContext } | null = null;
    const probe = defineCheck({
      name: 'acme/probe',
      description: 'records what it was given',
      readOnly: true,
      options: z.strictObject({ maxWarnings: z.number().int().default(7), label: z.string().optional() }),
      async run(invariant, context) {
        seen = { invariant, context };
        const pwd = await context.runCommand('pwd -P', { timeoutMs: 5_000 });
        const changed = await context.changedPaths();
        const conflicts = await context.openConflicts();
        const readme = await context.paths.resolve('README.md', 'read');
        return {
          passed: true,
          message: `${pwd.stdoutTail.trim()}|${changed.sort().join(',')}|${conflicts.length}|${readme}|${invariant.maxWarnings}`,
        };
      },
    });
    const made = await executedPlan('level', {}, [probe]);
    const result = await made.check({ id: 'probe', check: 'acme/probe', label: 'x' });
    expect(result).toMatchObject({
      passed: true,
      // its commands see the worktree at the project's own path; its paths name the worktree where it is on disk
      message: `${made.root}|docs/guide.md,src/b.ts|0|${join(made.worktree, 'README.md')}|7`,
    });
    expect(seen!.invariant).toMatchObject({
      id: 'probe',
      tier: 'plan',
      check: 'acme/probe',
      label: 'x',
      maxWarnings: 7,
    });
    expect(seen!.context).toMatchObject({
      planId: made.plan.id,
      trigger: 'post-step',
      sandbox: made.sandbox,
      resourceScopes: ['src/**', 'docs/**'],
    });
    expect(realpathSync(seen!.context.sandboxRoot)).toBe(made.worktree);
    expect(seen!.context.paths.inScope('src/x.ts')).toBe(true);
    expect(seen!.context.paths.inScope('x.ts')).toBe(false);
    await expect(seen!.context.paths.resolve('../x', 'read')).rejects.toMatchObject({ code: 'SANDBOX_ESCAPE' });
  });
});
