import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineCheck } from '../../actors/index.js';
import { git } from '../helpers/temp.js';
import { executedPlan } from './checks-fixture.js';

// A check that may write leaves the sandbox unclean for the next step; a
// read-only one does not.

describe('checks that may write', () => {
  it('clear the plan’s clean-sandbox mark (so the next step resets), read-only ones keep it', async () => {
    const writer = defineCheck({
      name: 'acme/writer',
      description: 'may write (the default)',
      async run() {
        return { passed: true, message: 'ok' };
      },
    });
    const reader = defineCheck({
      name: 'acme/reader',
      description: 'only reads',
      readOnly: true,
      async run() {
        return { passed: true, message: 'ok' };
      },
    });
    const { check, services, plan, sandbox, worktree } = await executedPlan('level', {}, [writer, reader]);
    const clean = services.cleanSandboxes;
    const marked = () => clean.get(plan.id);

    for (const invariant of [
      { check: 'file-exists', path: 'README.md' },
      { check: 'file-absent', path: 'x' },
      { check: 'paths-within' },
      { check: 'no-conflicts' },
      { check: 'acme/reader' },
      { check: 'acme/unknown' },
    ]) {
      clean.set(plan.id, sandbox.headCommit);
      await check(invariant);
      expect(marked(), invariant.check).toBe(sandbox.headCommit);
    }
    for (const invariant of [
      { check: 'command', run: 'echo junk > junk.txt' },
      { check: 'command', run: 'exit 1' },
      { check: 'acme/writer' },
    ]) {
      clean.set(plan.id, sandbox.headCommit);
      await check(invariant);
      expect(marked(), invariant.check).toBeUndefined();
    }
    // what the command left is really there: the next step must not start from it
    expect(existsSync(join(worktree, 'junk.txt'))).toBe(true);
    expect(git(worktree, 'status', '--porcelain')).toContain('junk.txt');
    rmSync(join(worktree, 'junk.txt'));
  });
});
