import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gitHelperRunning } from '../../src/sandbox/git-spawn.js';
import { git } from '../helpers/temp.js';
import { eventually } from '../tools/helpers.js';
import { planYaml, projectWithRuntime } from './fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openPlan(resourceScopes: string[]) {
  const made = await projectWithRuntime({
    'README.md': '# project\n',
    'src/a.ts': 'export const a = 1;\n',
    'src/gone.ts': 'x\n',
  });
  cleanups.push(made.close);
  const created = await made.runtime.createPlan(planYaml({ name: 'demo/writes', resourceScopes }));
  const plan = await made.runtime.run(created.id);
  expect(plan).toMatchObject({ phase: 'execute', status: 'waiting' });
  return { ...made, plan, worktree: join(made.dir, plan.sandbox!.worktree) };
}

// the changeset as git itself lists it, base to head: "<added>\t<removed>\t<path>" and "<status>\t<path>"
function gitChangeset(worktree: string, base: string, head: string) {
  const numstat = git(worktree, '-c', 'core.quotePath=false', 'diff', '--numstat', '--no-renames', base, head).split(
    '\n',
  );
  const status = new Map(
    git(worktree, '-c', 'core.quotePath=false', 'diff', '--name-status', '--no-renames', base, head)
      .split('\n')
      .map((line) => [line.slice(2), line[0]] as const),
  );
  const actions: Record<string, string> = { A: 'added', D: 'deleted', M: 'modified' };
  return numstat
    .map((line) => line.split('\t'))
    .map(([added, removed, path]) => ({
      path: path!,
      action: actions[status.get(path!)!],
      linesAdded: Number(added),
      linesRemoved: Number(removed),
    }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
}

describe('writing steps', () => {
  it('commits each write of an agent once, with the changeset git lists from the base, and starts the git helper', async () => {
    const { runtime, plan, worktree } = await openPlan(['src/**']);
    const calls = [
      { tool: 'fs/write-file', input: { path: 'src/b.ts', content: 'export const b = 2;\n' } },
      { tool: 'fs/write-file', input: { path: 'src/a.ts', content: 'export const a = 3;\nexport const c = 4;\n' } },
      { tool: 'fs/delete-file', input: { path: 'src/gone.ts' } },
      // the same content again: nothing changed, so no commit
      { tool: 'fs/write-file', input: { path: 'src/b.ts', content: 'export const b = 2;\n' } },
    ];
    const heads: string[] = [];
    for (const call of calls) {
      const result = await runtime.callTool(plan.id, call);
      expect(result.ok).toBe(true);
      heads.push(git(worktree, 'rev-parse', 'HEAD'));
    }
    expect(new Set(heads).size).toBe(3);
    expect(heads[3]).toBe(heads[2]);
    expect(git(worktree, 'rev-list', '--count', `${plan.sandbox!.baseCommit}..HEAD`)).toBe('3');
    expect(git(worktree, 'status', '--porcelain')).toBe('');
    const after = await runtime.getPlan(plan.id);
    expect(after.sandbox!.headCommit).toBe(heads[3]);
    const changes = await runtime.changes(plan.id);
    expect(changes).toMatchObject({ baseCommit: plan.sandbox!.baseCommit, headCommit: heads[3] });
    expect(changes!.files).toEqual(gitChangeset(worktree, plan.sandbox!.baseCommit, heads[3]!));
    expect(changes!.files.map((file) => `${file.action} ${file.path}`)).toEqual([
      'modified src/a.ts',
      'added src/b.ts',
      'deleted src/gone.ts',
    ]);
    // the helper is a node process started along the way: on a loaded machine it may still be starting
    expect(await eventually(gitHelperRunning, 30_000)).toBe(true);
  });

  it("commits an in-scope file whose name reads as two paths in git add's output, one of them out of scope", async () => {
    const { runtime, plan, worktree } = await openPlan(['src/**']);
    // `git add --verbose` prints "add 'src/x.ts'" and "add 'README.md'" for this one name
    const name = "src/x.ts'\nadd 'README.md";
    const result = await runtime.callTool(plan.id, { tool: 'fs/write-file', input: { path: name, content: 'x\n' } });
    expect(result).toMatchObject({ ok: true, wrote: true });
    expect(git(worktree, 'status', '--porcelain')).toBe('');
    expect(git(worktree, 'show', '--format=', '--name-only', '-z', 'HEAD').split('\0').filter(Boolean)).toEqual([name]);
    expect((await runtime.changes(plan.id))!.files).toEqual([
      { path: name, action: 'added', linesAdded: 1, linesRemoved: 0 },
    ]);
  });

  it('still refuses a command that writes outside the scopes a name git add would print as two paths in scope', async () => {
    const { runtime, plan, worktree } = await openPlan(['*.ts', 'src/*']);
    // the file "a.ts'<LF>add 'src/b" (in a folder of that odd name) is outside both scopes;
    // `git add --verbose` would print it as "add 'a.ts'" and "add 'src/b'", both inside
    const folder = "$(printf 'a.ts\\047\\012add \\047src')";
    const result = await runtime.callTool(plan.id, {
      tool: 'shell/exec',
      input: { command: `mkdir "${folder}" && printf x > "${folder}/b"` },
    });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'SCOPE_VIOLATION', details: { files: ["a.ts'\nadd 'src/b"] } },
    });
    expect(git(worktree, 'status', '--porcelain')).toBe('');
    expect(git(worktree, 'rev-parse', 'HEAD')).toBe(plan.sandbox!.headCommit);
  });
});
