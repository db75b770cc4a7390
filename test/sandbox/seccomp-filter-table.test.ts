import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SECCOMP_RULES } from '../../src/sandbox/seccomp-filter.js';
import { SYSCALL_NUMBERS } from '../../src/sandbox/seccomp-syscalls.js';
import { codeSpans, section, sections } from '../docs/markdown.js';

// The seccomp filter's rule table: one rule per call, a sentence for users,
// conditions that read real arguments, and the table in docs/explanation/sandbox.md.

describe('SECCOMP_RULES', () => {
  it('names each call in one rule, so that no rule hides another', () => {
    const names = SECCOMP_RULES.flatMap((rule) => rule.syscalls);
    expect(names.length).toBe(new Set(names).size);
  });

  it('names every call of the table, and each on at least one ABI', () => {
    expect(new Set(SECCOMP_RULES.flatMap((rule) => rule.syscalls))).toEqual(new Set(Object.keys(SYSCALL_NUMBERS)));
    for (const numbers of Object.values(SYSCALL_NUMBERS)) expect(numbers.some((nr) => nr !== null)).toBe(true);
  });

  it('gives each rule a sentence for users', () => {
    for (const rule of SECCOMP_RULES) expect(rule.why).toMatch(/^\S.{20,}\.$/);
  });

  it('says when each conditional rule refuses, and each condition reads an argument of every call of its rule', () => {
    for (const rule of SECCOMP_RULES.filter((rule) => rule.argument !== undefined)) {
      const { when, and } = rule.argument!;
      expect(when).toMatch(/^\S.{10,}[^.]$/);
      for (const { arg } of and ? [rule.argument!, and] : [rule.argument!]) {
        for (const name of rule.syscalls)
          expect([name, typeof arg === 'number' ? arg : arg[name]]).toEqual([
            name,
            expect.toSatisfy((index: number) => Number.isInteger(index) && index >= 0 && index < 6),
          ]);
      }
    }
  });
});

describe('docs/explanation/sandbox.md', () => {
  it('lists every call the filter refuses or narrows, in its System calls table', () => {
    const table = section(
      sections(readFileSync(new URL('../../docs/explanation/sandbox.md', import.meta.url), 'utf8')),
      'System calls',
    ).text;
    const documented = new Set(codeSpans(table));
    const missing = SECCOMP_RULES.flatMap((rule) => rule.syscalls).filter((name) => !documented.has(name));
    expect(missing).toEqual([]);
  });
});
