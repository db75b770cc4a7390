import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanRecord } from '../../src/domain/index.js';
import { createRuntime } from '../../src/runtime/index.js';
import type { LocalRuntime } from '../../src/runtime/local-runtime.js';
import { git, visibleTempDir, writeFiles } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';

// The escape suite, git's part (issue 33): troupe runs git on the host, in
// the plan's worktree, after every command. A command that makes a git
// repository inside its worktree writes that repository's config — a
// filter, a driver — and git, going into it, would run it outside every
// namespace. Each attempt on real bubblewrap and git; the mark a hostile
// filter would leave lives outside /tmp, so only troupe's refusal keeps it away.

const cleanups: (() => Promise<void> | void)[] = [];
let project: string;
let outside: string;
let runtime: LocalRuntime;
let count = 0;

beforeAll(async () => {
  const made = await visibleTempDir('troupe-escape-git-');
  const marks = await visibleTempDir('troupe-escape-git-marks-');
  cleanups.push(made.cleanup, marks.cleanup);
  project = made.dir;
  outside = marks.dir;
  git(project, 'init', '-q', '-b', 'main');
  await writeFiles(project, { 'README.md': '# nested\n' });
  git(project, 'add', '-A');
  // a submodule of the user's repository, not checked out in worktrees (a gitlink in the base commit)
  git(project, 'update-index', '--add', '--cacheinfo', `160000,${'1'.repeat(40)},vendor/lib`);
  git(project, 'commit', '-q', '-m', 'init');
  runtime = await createRuntime({ dir: project, report: () => {}, warn: () => {} });
  cleanups.push(() => runtime.close());
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

// shell text that makes a repository at `dir` whose filter would leave `mark` wherever git runs it
const hostileRepository = (dir: string, mark: string) =>
  [
    `mkdir -p ${dir} && cd ${dir} && git init -q && git config user.email x@y && git config user.name x`,
    `printf '%s\\n' '{ echo ran >> ${mark}; } 2>/dev/null' 'cat' > .filter.sh`,
    `git config filter.evil.clean "sh $PWD/.filter.sh"`,
    `echo '* filter=evil' > .gitattributes && echo data > f.txt`,
    'git add . 2>/dev/null; git commit -qm n 2>/dev/null; true',
  ].join('\n');

async function attempt(steps: string[]): Promise<PlanRecord> {
  const plan = await runtime.createPlan(
    planYaml({
      name: `nested/try-${++count}`,
      strategy: { steps: steps.map((command, index) => step(`Step ${index + 1}`, 'shell/run', { command })) },
    }),
  );
  return runtime.run(plan.id, { until: 'execute' });
}

describe('a git repository a command makes inside its worktree', () => {
  it('is refused with SANDBOX_ESCAPE, nothing committed, and its filter never runs on the host', async () => {
    const mark = join(outside, 'nested-filter');
    const record = await attempt([hostileRepository('sub', mark), 'touch sub/f.txt; echo x > other.txt']);
    expect(record).toMatchObject({
      phase: 'execute',
      status: 'failed',
      error: { code: 'SANDBOX_ESCAPE', details: { repositories: ['sub/'] } },
    });
    expect(record.error!.message).toContain('made a git repository inside the sandbox: sub/');
    expect(record.error!.hint).toContain('rm -rf <dir>/.git');
    // nothing of the step is in the plan's branch (its worktree is left as the step left it, to look at)
    const worktree = join(project, record.sandbox!.worktree);
    expect(git(worktree, 'rev-parse', 'HEAD')).toBe(record.sandbox!.baseCommit);
    expect(existsSync(mark)).toBe(false);
  });

  it('a .git file pointing at the user’s own repository is refused the same way, and the user’s index is untouched', async () => {
    const index = readFileSync(join(project, '.git', 'index'));
    const record = await attempt([
      `mkdir -p sub && printf 'gitdir: ${join(project, '.git')}\\n' > sub/.git && echo x > sub/f.txt`,
      'echo y > other.txt',
    ]);
    expect(record).toMatchObject({
      status: 'failed',
      error: { code: 'SANDBOX_ESCAPE', details: { repositories: ['sub/'] } },
    });
    expect(readFileSync(join(project, '.git', 'index')).equals(index)).toBe(true);
  });

  it('a submodule path of the base made into a repository is refused too', async () => {
    const mark = join(outside, 'submodule-filter');
    const record = await attempt([hostileRepository('vendor/lib', mark), 'touch vendor/lib/f.txt']);
    expect(record).toMatchObject({
      status: 'failed',
      error: { code: 'SANDBOX_ESCAPE', details: { repositories: ['vendor/lib/'] } },
    });
    expect(existsSync(mark)).toBe(false);
  });

  it('a repository in an ignored folder is never committed, and the step goes on', async () => {
    const mark = join(outside, 'ignored-filter');
    const record = await attempt([
      `printf 'cache/\\n' > .gitignore && ${hostileRepository('cache/dep', mark)
        .replace(/\n/g, ' && ')
        .replace(/ && git add/, '; git add')}`,
      'echo z > other.txt',
    ]);
    expect(record, JSON.stringify(record.error)).toMatchObject({ phase: 'execute', status: 'complete' });
    const worktree = join(project, record.sandbox!.worktree);
    expect(git(worktree, 'ls-tree', '-r', '--name-only', 'HEAD').split('\n')).not.toContain('cache/dep');
    expect(existsSync(mark)).toBe(false);
  });
});

describe('troupe’s own folder and the user’s ignored files', () => {
  it('a step that un-ignores .troupe/ and writes there is refused with SANDBOX_ESCAPE, nothing committed', async () => {
    const record = await attempt([
      "printf '!.troupe/\\n' > .gitignore && mkdir -p .troupe && echo '{}' > .troupe/config.json",
    ]);
    expect(record).toMatchObject({
      status: 'failed',
      error: { code: 'SANDBOX_ESCAPE', details: { files: ['.troupe/config.json'] } },
    });
    const worktree = join(project, record.sandbox!.worktree);
    expect(git(worktree, 'rev-parse', 'HEAD')).toBe(record.sandbox!.baseCommit);
  });

  it('apply refuses a commit that adds a file the user keeps ignored (.env), and leaves it as it was', async () => {
    writeFileSync(join(project, '.gitignore'), '.env\n');
    git(project, 'add', '.gitignore');
    git(project, 'commit', '-q', '-m', 'ignore .env');
    writeFileSync(join(project, '.env'), 'API_KEY=real-secret\n');
    const plan = await runtime.createPlan(
      planYaml({
        name: `nested/apply-${++count}`,
        strategy: {
          steps: [step('Plant', 'shell/run', { command: "printf '' > .gitignore && echo API_KEY=attacker > .env" })],
        },
      }),
    );
    const record = await runtime.run(plan.id, { until: 'validate' });
    expect(record, JSON.stringify(record.error)).toMatchObject({ phase: 'validate', status: 'complete' });
    const applied = await runtime.runPhase(plan.id, 'apply');
    expect(applied).toMatchObject({
      phase: 'apply',
      status: 'failed',
      error: { code: 'DIRTY_WORKTREE', message: expect.stringContaining('would be overwritten: .env') },
    });
    expect(readFileSync(join(project, '.env'), 'utf8')).toBe('API_KEY=real-secret\n');
    expect(git(project, 'log', '-1', '--format=%s')).toBe('ignore .env');
  });
});
