import { describe, expect, it } from 'vitest';
import { parsePlanFile, scopeGlobProblem, subplanSpawnInputSchema, ValidationError } from '../../src/domain/index.js';

// resourceScopes take only globs troupe can match in linear time: the
// refusals of globProblem, reported by field like every other plan file problem.

function problems(source: unknown): string[] {
  try {
    parsePlanFile(source);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  throw new Error('expected the plan file to be refused');
}

describe('resourceScopes globs', () => {
  it('refuses a scope a backtracking matcher would take seconds on, naming the field', () => {
    expect(problems('name: demo/x\ngoal: g\nresourceScopes: ["src/**", "(a+)+b"]')).toEqual([
      'resourceScopes[1]: parentheses (regular-expression groups) are not supported: write alternatives with braces, e.g. {a,b}, or \\( and \\) for the characters',
    ]);
    expect(problems('name: demo/x\ngoal: g\nresourceScopes: ["(a+)+b"]')).toEqual([
      expect.stringMatching(/^resourceScopes\[0\]: parentheses/),
    ]);
  });

  it('refuses an extglob and a negation in the scopes of a subplan entry', () => {
    const plan = {
      name: 'demo/x',
      goal: 'g',
      strategy: {
        steps: [
          { title: 's', subplans: { entries: [{ goal: 'g', resourceScopes: ['docs/**', '+(a|aa)b', '!src/**'] }] } },
        ],
      },
    };
    expect(problems(plan)).toEqual([
      'strategy.steps[0].subplans.entries[0].resourceScopes[1]: the extglob "+(…)" is not supported: write alternatives with braces, e.g. {a,b}',
      'strategy.steps[0].subplans.entries[0].resourceScopes[2]: a leading "!" (negation) is not supported: list what the glob should match, or write \\! for the character',
    ]);
  });

  it('refuses them in a builtin/plan-subplan spawn too', () => {
    const parsed = subplanSpawnInputSchema.safeParse({ goal: 'g', resourceScopes: ['@(a|b)'] });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => [issue.path, issue.message])).toEqual([
      [['resourceScopes', 0], 'the extglob "@(…)" is not supported: write alternatives with braces, e.g. {a,b}'],
    ]);
  });

  it('keeps the checks it had, and accepts the glob syntax it can match', () => {
    expect(scopeGlobProblem('../x')).toBe('must not contain ".." segments ("../x")');
    expect(scopeGlobProblem('x'.repeat(257))).toBe('must be at most 256 characters (has 257)');
    for (const scope of [
      'src/**',
      './docs/*.md',
      'packages/{core,cli}/src/**/*.{ts,tsx}',
      'part{01..10}.txt',
      '[[:digit:]]*',
      'c++/**',
    ]) {
      expect(scopeGlobProblem(scope)).toBeNull();
    }
    expect(parsePlanFile('name: demo/x\ngoal: g\nresourceScopes: ["src/**", "./docs/*.md"]').resourceScopes).toEqual([
      'src/**',
      './docs/*.md',
    ]);
  });
});
