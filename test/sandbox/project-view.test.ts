import { readFileSync, rmSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bubblewrapArguments } from '../../src/sandbox/bubblewrap-policy.js';
import { activated, gitDirsOf, PROJECT_GIT, projectView } from '../../src/sandbox/project-view.js';
import { git, tempDir, tempRepo, writeFiles } from '../helpers/temp.js';

// Where a command sees its worktree (docs/explanation/sandbox.md#the-projects-own-paths): at the project's own
// path, with the repository's git directory mounted beside it, and an activated environment's PATH.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function repoWithWorktree(): Promise<{ project: string; worktree: string }> {
  const repo = await tempRepo({ 'README.md': '# p\n' });
  cleanups.push(repo.cleanup);
  const project = await realpath(repo.dir);
  const worktree = join(project, '.troupe', 'worktrees', 'w1');
  git(project, 'worktree', 'add', '-q', '-b', 'w1', worktree);
  return { project, worktree };
}

describe('projectView', () => {
  it("is the project's path for one of its worktrees, with a .git file naming the worktree's git directory under the mounted repository", async () => {
    const { project, worktree } = await repoWithWorktree();
    const view = projectView(worktree, await gitDirsOf(worktree));
    expect(view?.inside).toBe(project);
    expect(readFileSync(view!.gitFile, 'utf8')).toBe(`gitdir: ${PROJECT_GIT}/worktrees/w1\n`);
    // one file per git directory, written again when a temp cleaner took it
    expect(projectView(worktree, await gitDirsOf(worktree))?.gitFile).toBe(view!.gitFile);
    rmSync(view!.gitFile);
    const again = projectView(worktree, await gitDirsOf(worktree))!;
    expect(readFileSync(again.gitFile, 'utf8')).toBe(`gitdir: ${PROJECT_GIT}/worktrees/w1\n`);
  });

  it('is null where the worktree is not inside the repository it belongs to, or is the repository itself', async () => {
    const { project } = await repoWithWorktree();
    const outside = await tempDir('troupe-away-');
    cleanups.push(outside.cleanup);
    const away = join(await realpath(outside.dir), 'wt');
    git(project, 'worktree', 'add', '-q', '-b', 'away', away);
    expect(projectView(away, await gitDirsOf(away))).toBeNull();
    expect(projectView(project, await gitDirsOf(project))).toBeNull();
  });
});

describe('activated', () => {
  it("puts a shared environment's programs first on PATH, sets VIRTUAL_ENV for a virtual environment, and keeps the plan's own", () => {
    expect(activated({ PATH: '/usr/bin:/bin', HOME: '/h' }, ['/p/.venv/bin', '/p/node_modules/.bin'])).toEqual({
      PATH: '/p/.venv/bin:/p/node_modules/.bin:/usr/bin:/bin',
      VIRTUAL_ENV: '/p/.venv',
      HOME: '/h',
    });
    expect(activated({ PATH: '/p/node_modules/.bin:/usr/bin' }, ['/p/node_modules/.bin'])).toEqual({
      PATH: '/p/node_modules/.bin:/usr/bin',
    });
    expect(activated({ PATH: '/usr/bin', VIRTUAL_ENV: '/elsewhere' }, ['/p/venv/bin']).VIRTUAL_ENV).toBe('/elsewhere');
    expect(activated({}, ['/p/.venv/bin']).PATH).toBe('/p/.venv/bin:/usr/local/bin:/usr/bin:/bin');
    const env = { PATH: '/usr/bin' };
    expect(activated(env, [])).toBe(env);
  });

  it("orders a shared .venv's bin before node_modules/.bin, at the project's path", async () => {
    const { project, worktree } = await repoWithWorktree();
    await writeFiles(project, {
      'node_modules/x/index.js': 'x\n',
      '.venv/pyvenv.cfg': 'home = /usr/bin\n',
      'venv/pyvenv.cfg': 'home = /usr/bin\n',
    });
    const policy = { projectRoot: project, home: project, hide: [], share: ['node_modules', '.venv/', 'venv'] };
    const plan = await bubblewrapArguments(
      policy,
      { worktree, network: false, readOnly: false },
      { disableUserns: true },
    );
    expect(plan.pathFirst).toEqual([
      join(project, '.venv/bin'),
      join(project, 'venv/bin'),
      join(project, 'node_modules/.bin'),
    ]);
  });
});
