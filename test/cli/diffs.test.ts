import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApplyPreview, PlanPatch } from '../../src/runtime/index.js';
import { git, tempRepo } from '../helpers/temp.js';
import { fanOutPlan, planYaml, step } from '../runtime/fixtures.js';
import { FILES, ranPlan, status } from './plan-fixture.js';
import { runCli } from './run-cli.js';

// troupe plan changes --patch and plan apply --dry-run [--patch] (SPEC §18).

const NO_COLOR = { NO_COLOR: '1' };
const ESC = '\u001b';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
async function project(): Promise<string> {
  const repo = await tempRepo(FILES);
  cleanups.push(repo.cleanup);
  return repo.dir;
}

// what a dry run must leave as it found it: the branch, the tree, the plan and its journal
async function untouched(dir: string, name: string): Promise<() => Promise<void>> {
  const head = git(dir, 'rev-parse', 'HEAD');
  const tree = git(dir, 'status', '--porcelain', '--untracked-files=all');
  const record = await status(dir, name);
  const events = (await runCli(dir, ['events', name, '--json'])).stdout;
  return async () => {
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(dir, 'status', '--porcelain', '--untracked-files=all')).toBe(tree);
    expect(await status(dir, name)).toEqual(record);
    expect((await runCli(dir, ['events', name, '--json'])).stdout).toBe(events);
    expect(existsSync(join(dir, '.troupe', 'conflicts'))).toBe(false);
  };
}

describe('troupe plan changes --patch', () => {
  it('prints the diff as git does when piped, and nothing but the diff on stdout', async () => {
    const dir = await project();
    const plan = await ranPlan(dir, 'demo/diff');
    const result = await runCli(dir, ['plan', 'changes', 'demo/diff', '--patch']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe(
      `${git(dir, 'diff', '--no-color', plan.sandbox!.baseCommit, plan.sandbox!.headCommit)}\n`,
    );
    expect(result.stdout).toContain('diff --git a/a.txt b/a.txt\n');
    expect(result.stdout).toContain('-a0\n+a1\n');
    expect(result.stdout).toContain('+++ b/c.txt\n@@ -0,0 +1 @@\n+c1\n');
    expect(result.stdout).not.toContain(ESC);
    // the diff applies: the same change as the plan's, made by git apply
    writeFileSync(join(dir, 'plan.patch'), result.stdout);
    git(dir, 'apply', '--check', 'plan.patch');
  });

  it('colours the diff on a terminal and shows control characters from the files instead of obeying them', async () => {
    const dir = await project();
    const hostile = `ok${ESC}]0;pwned\u0007 ${ESC}[2J\n`;
    writeFileSync(
      join(dir, 'evil.yaml'),
      planYaml({
        name: 'demo/evil',
        automation: 'review',
        strategy: { steps: [step('Write', 'fs/write-file', { path: 'b.txt', content: hostile })] },
      }),
    );
    expect((await runCli(dir, ['plan', 'run', 'evil.yaml'])).code).toBe(0);
    const tty = await runCli(dir, ['plan', 'changes', 'demo/evil', '--patch'], { isTty: true });
    expect(tty.code).toBe(0);
    expect(tty.stdout).toContain(`${ESC}[1mdiff --git a/b.txt b/b.txt${ESC}[22m`);
    expect(tty.stdout).toContain(`${ESC}[36m@@ -0,0 +1 @@${ESC}[39m`);
    expect(tty.stdout).toContain(`${ESC}[32m+ok\\x1b]0;pwned\\x07 \\x1b[2J${ESC}[39m`);
    // the only escapes left are the colours
    expect(tty.stdout.replace(/\u001b\[\d+m/g, '')).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    // NO_COLOR: no colours, the content still defused
    const plain = await runCli(dir, ['plan', 'changes', 'demo/evil', '--patch'], { isTty: true, env: NO_COLOR });
    expect(plain.stdout).toContain('+ok\\x1b]0;pwned\\x07 \\x1b[2J\n');
    expect(plain.stdout).not.toContain(ESC);
    // piped, the bytes are the file's
    expect((await runCli(dir, ['plan', 'changes', 'demo/evil', '--patch'])).stdout).toContain(`+${hostile}`);
  });

  it('prints {planId, base, head, patch, truncated} with --json, and says when there is nothing yet', async () => {
    const dir = await project();
    const plan = await ranPlan(dir, 'demo/diff');
    const json = JSON.parse(
      (await runCli(dir, ['plan', 'changes', 'demo/diff', '--patch', '--json'])).stdout,
    ) as PlanPatch;
    expect(json).toEqual({
      planId: plan.id,
      base: plan.sandbox!.baseCommit,
      head: plan.sandbox!.headCommit,
      patch: expect.stringContaining('+b1\n'),
      truncated: false,
    });
    writeFileSync(
      join(dir, 'empty.yaml'),
      planYaml({
        name: 'demo/empty',
        automation: 'review',
        strategy: { steps: [step('Write', 'fs/write-file', { path: 'a.txt', content: 'a0\n' })] },
      }),
    );
    expect((await runCli(dir, ['plan', 'new', 'empty.yaml'])).code).toBe(0);
    const none = await runCli(dir, ['plan', 'changes', 'demo/empty', '--patch'], { env: NO_COLOR });
    expect(none).toMatchObject({ code: 0, stdout: '', stderr: 'no changes yet\n' });
    expect((await runCli(dir, ['plan', 'changes', 'demo/nope', '--patch'])).code).toBe(4);
  });

  it('prints a child plan’s diff, after its merge removed its sandbox', async () => {
    const dir = await project();
    writeFileSync(join(dir, 'fan.yaml'), fanOutPlan('demo/fan'));
    expect((await runCli(dir, ['plan', 'run', 'fan.yaml'])).code).toBe(0);
    const child = await status(dir, 'demo/fan-1');
    expect(existsSync(join(dir, child.sandbox!.worktree))).toBe(false);
    const result = await runCli(dir, ['plan', 'changes', 'demo/fan-1', '--patch']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      'diff --git a/x.txt b/x.txt\nnew file mode 100644\nindex 0000000..587be6b\n--- /dev/null\n+++ b/x.txt\n@@ -0,0 +1 @@\n+x\n',
    );
  });
});

describe('troupe plan apply --dry-run', () => {
  it('lists the files apply would commit, with the diff on --patch, exits 0 and changes nothing', async () => {
    const dir = await project();
    await ranPlan(dir, 'demo/dry');
    const check = await untouched(dir, 'demo/dry');
    const head = git(dir, 'rev-parse', 'HEAD');
    const dry = await runCli(dir, ['plan', 'apply', 'demo/dry', '--dry-run'], { env: NO_COLOR });
    expect(dry).toMatchObject({ code: 0, stderr: '' });
    expect(dry.stdout).toBe(
      [
        `demo/dry: apply would commit 3 files onto ${head.slice(0, 7)}`,
        '  M a.txt  +1 -1',
        '  A b.txt  +1 -0',
        '  A c.txt  +1 -0',
        'dry run: nothing changed (troupe plan apply demo/dry makes the commit)',
        '',
      ].join('\n'),
    );
    const patched = await runCli(dir, ['plan', 'apply', 'demo/dry', '--dry-run', '--patch'], { env: NO_COLOR });
    expect(patched.code).toBe(0);
    expect(patched.stdout).toContain('  A c.txt  +1 -0\ndiff --git a/a.txt b/a.txt\n');
    expect(patched.stdout).toContain('+++ b/c.txt\n@@ -0,0 +1 @@\n+c1\ndry run: nothing changed');
    const json = JSON.parse(
      (await runCli(dir, ['plan', 'apply', 'demo/dry', '--dry-run', '--json'])).stdout,
    ) as ApplyPreview;
    expect(json).toMatchObject({
      name: 'demo/dry',
      outcome: 'commit',
      onto: head,
      merged: false,
      settled: [],
      conflicts: [],
      commit: null,
      error: null,
    });
    expect(json.files.map((file) => [file.action, file.path])).toEqual([
      ['modified', 'a.txt'],
      ['added', 'b.txt'],
      ['added', 'c.txt'],
    ]);
    expect(json).not.toHaveProperty('patch');
    await check();
    // the real apply makes exactly the commit the dry run described
    expect((await runCli(dir, ['plan', 'apply', 'demo/dry'])).code).toBe(0);
    expect(git(dir, 'diff', '--name-status', head, 'HEAD')).toBe('M\ta.txt\nA\tb.txt\nA\tc.txt');
  });

  it('says a merge is needed when the project moved on, and which files would conflict (exit 3)', async () => {
    const dir = await project();
    await ranPlan(dir, 'demo/moved');
    writeFileSync(join(dir, 'README.md'), '# project, moved on\n');
    git(dir, 'commit', '-qam', 'move on');
    const moved = JSON.parse(
      (await runCli(dir, ['plan', 'apply', 'demo/moved', '--dry-run', '--json'])).stdout,
    ) as ApplyPreview;
    expect(moved).toMatchObject({ outcome: 'commit', merged: true, onto: git(dir, 'rev-parse', 'HEAD') });
    // the commit goes onto the moved branch: the README is not part of it
    expect(moved.files.map((file) => file.path)).toEqual(['a.txt', 'b.txt', 'c.txt']);

    writeFileSync(join(dir, 'a.txt'), 'a-theirs\n');
    git(dir, 'commit', '-qam', 'change a');
    const check = await untouched(dir, 'demo/moved');
    const conflict = await runCli(dir, ['plan', 'apply', 'demo/moved', '--dry-run'], { env: NO_COLOR });
    expect(conflict.code).toBe(3);
    expect(conflict.stdout).toMatch(
      /^demo\/moved: apply would stop on conflicts in 1 file: the project moved on since the plan began \([0-9a-f]{7}\)\n {2}C a\.txt {2}content, 1 hunk\ndry run: nothing changed; troupe plan apply demo\/moved would wait for troupe plan resolve/,
    );
    const ours = JSON.parse(
      (await runCli(dir, ['plan', 'apply', 'demo/moved', '--dry-run', '--strategy', 'ours', '--json'])).stdout,
    ) as ApplyPreview;
    expect(ours).toMatchObject({
      outcome: 'commit',
      merged: true,
      settled: [{ file: 'a.txt', kind: 'content', with: 'ours', hunks: 1 }],
    });
    await check();
  });

  it('previews the merge the user resolved, not the conflict again', async () => {
    const dir = await project();
    await ranPlan(dir, 'demo/resolved');
    writeFileSync(join(dir, 'a.txt'), 'a-theirs\n');
    git(dir, 'commit', '-qam', 'change a');
    expect((await runCli(dir, ['plan', 'apply', 'demo/resolved'])).code).toBe(3);
    // resolved, the merge commit waits for plan apply (review automation)
    expect((await runCli(dir, ['plan', 'resolve', 'demo/resolved', 'a.txt', '--theirs'])).code).toBe(0);
    expect(await status(dir, 'demo/resolved')).toMatchObject({ phase: 'apply', status: 'queued' });
    const preview = JSON.parse(
      (await runCli(dir, ['plan', 'apply', 'demo/resolved', '--dry-run', '--json'])).stdout,
    ) as ApplyPreview;
    expect(preview).toMatchObject({ outcome: 'commit', merged: false, onto: git(dir, 'rev-parse', 'HEAD') });
    expect(preview.files.map((file) => file.path)).toEqual(['a.txt', 'b.txt', 'c.txt']);
    expect((await runCli(dir, ['plan', 'apply', 'demo/resolved'])).code).toBe(0);
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('a1\n');
  });

  it('says what would stop apply in a dirty project, with apply’s error and exit code', async () => {
    const dir = await project();
    await ranPlan(dir, 'demo/dirty');
    writeFileSync(join(dir, 'a.txt'), 'edited, not committed\n');
    const check = await untouched(dir, 'demo/dirty');
    const dry = await runCli(dir, ['plan', 'apply', 'demo/dirty', '--dry-run'], { env: NO_COLOR });
    expect(dry.code).toBe(1);
    expect(dry.stdout).toContain('demo/dirty: apply would fail: DIRTY_WORKTREE cannot apply plan');
    expect(dry.stdout).toContain(
      'the project has uncommitted changes in 1 file the plan changes: a.txt\n  hint: commit, stash (git stash -u) or remove the changes in those files, then run troupe plan apply again; changes in other files may stay\ndry run: nothing changed\n',
    );
    const json = JSON.parse(
      (await runCli(dir, ['plan', 'apply', 'demo/dirty', '--dry-run', '--json'])).stdout,
    ) as ApplyPreview;
    expect(json).toMatchObject({
      outcome: 'refused',
      error: { code: 'DIRTY_WORKTREE', details: { files: ['a.txt'] } },
    });
    await check();
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('edited, not committed\n');
  });

  it('is refused as apply is: before validate, for a child, after apply; --patch needs --dry-run', async () => {
    const dir = await project();
    writeFileSync(join(dir, 'fan.yaml'), fanOutPlan('demo/fan'));
    expect((await runCli(dir, ['plan', 'run', 'fan.yaml', '--until', 'execute'])).code).toBe(0);
    const early = await runCli(dir, ['plan', 'apply', 'demo/fan', '--dry-run']);
    expect(early.code).toBe(2);
    expect(early.stderr).toContain(
      'error[PHASE_GUARD]: cannot apply demo/fan: execute is complete; apply needs validate complete',
    );
    const child = await runCli(dir, ['plan', 'apply', 'demo/fan-1', '--dry-run']);
    expect(child.code).toBe(2);
    expect(child.stderr).toContain(
      'error[PHASE_GUARD]: cannot apply demo/fan-1: it is a child plan: its parent merges it into its own sandbox once it validated',
    );

    expect((await runCli(dir, ['plan', 'run', 'demo/fan'])).code).toBe(0);
    expect((await runCli(dir, ['plan', 'apply', 'demo/fan'])).code).toBe(0);
    const after = await runCli(dir, ['plan', 'apply', 'demo/fan', '--dry-run']);
    expect(after.code).toBe(2);
    expect(after.stderr).toContain(
      'error[PHASE_GUARD]: cannot apply demo/fan: the plan is done (nothing leaves a terminal status)',
    );

    const patchAlone = await runCli(dir, ['plan', 'apply', 'demo/fan', '--patch']);
    expect(patchAlone).toMatchObject({ code: 2, stdout: '' });
    expect(patchAlone.stderr).toContain(
      'error[VALIDATION_ERROR]: --patch: shows the diff of a dry run: use it with --dry-run',
    );
  });
});
