import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engineMerger } from '../../src/runtime/children/engine-merger.js';
import { newId } from '../../src/domain/index.js';
import { createGitSandboxes, createProjectRepo, findProjectRoot, initProject } from '../../src/sandbox/index.js';
import { gitCommand } from '../../src/sandbox/git-command.js';
import { RemoteBranches } from '../../src/sandbox/remote-branches.js';
import { git, GIT_ENV, tempDir, tempRepo, writeFiles } from '../helpers/temp.js';

// troupe's own git is not steerable by what it runs: no configuration —
// the repository's, the user's — makes troupe's git start a program

const FILES = {
  'README.md': '# test\n',
  'a.plain': 'plain\n',
  'a.strict': 'strict\n',
  'a.proc': 'proc\n',
  'a.conv': 'conv\n',
  'a.cmd': 'cmd\n',
  '.gitattributes': [
    '*.plain filter=plain',
    '*.strict filter=strict',
    '*.proc filter=proc',
    '*.conv diff=conv',
    '*.cmd diff=cmd',
    '* merge=mrg',
    '',
  ].join('\n'),
};

let repo: string;
let scratch: string;
let log: string;
const cleanups: (() => Promise<void>)[] = [];

beforeEach(async () => {
  const made = await tempRepo(FILES);
  const other = await tempDir('troupe-markers-');
  cleanups.push(made.cleanup, other.cleanup);
  ({ dir: repo } = made);
  ({ dir: scratch } = other);
  log = join(scratch, 'ran.log');
  await initProject(repo);
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const plan = () => ({ id: newId(), name: 'demo/guard' });

/** A script that notes it ran; a filter passes its input through. */
async function marker(name: string, filter = false): Promise<string> {
  await mkdir(join(scratch, 'bin'), { recursive: true });
  const path = join(scratch, 'bin', `${name}.sh`);
  await writeFile(path, `#!/bin/sh\necho "${name} $*" >> "${log}"\n${filter ? 'exec cat\n' : ''}`);
  await chmod(path, 0o755);
  return path;
}

function ran(): string {
  return existsSync(log) ? execFileSync('cat', [log], { encoding: 'utf8' }) : '';
}

/** Every setting that makes git start a program, each pointing at a marker, written to `file`. */
async function hostileConfig(file: string): Promise<void> {
  const settings: [string, string][] = [
    ['core.fsmonitor', await marker('fsmonitor')],
    ['filter.plain.clean', await marker('plain-clean', true)],
    ['filter.plain.smudge', await marker('plain-smudge', true)],
    ['filter.strict.clean', await marker('strict-clean', true)],
    ['filter.strict.smudge', await marker('strict-smudge', true)],
    ['filter.strict.required', 'true'],
    ['filter.proc.process', await marker('process')],
    ['filter.proc.required', 'true'],
    ['diff.external', await marker('external')],
    ['diff.conv.textconv', await marker('textconv', true)],
    ['diff.cmd.command', await marker('diff-command')],
    ['merge.mrg.driver', `${await marker('merge-driver')} %O %A %B`],
    ['core.editor', await marker('editor')],
    ['sequence.editor', await marker('sequence-editor')],
    ['gpg.program', await marker('gpg')],
    ['commit.gpgsign', 'true'],
    ['log.showSignature', 'true'],
    ['core.pager', await marker('pager')],
    ['pager.log', await marker('pager-log')],
  ];
  for (const [key, value] of settings) git(repo, 'config', '--file', file, key, value);
}

/** A commit on top of the project's HEAD carrying a signature, so `log --show-signature` would call gpg. */
function signedProjectHead(message = 'signed'): string {
  const body = [
    `tree ${git(repo, 'rev-parse', 'HEAD^{tree}')}`,
    `parent ${git(repo, 'rev-parse', 'HEAD')}`,
    'author Test User <test@example.com> 1700000000 +0000',
    'committer Test User <test@example.com> 1700000000 +0000',
    'gpgsig -----BEGIN PGP SIGNATURE-----',
    ' ',
    ' c2lnbmVk',
    ' -----END PGP SIGNATURE-----',
    '',
    message,
    '',
  ].join('\n');
  const commit = execFileSync('git', ['hash-object', '-t', 'commit', '-w', '--stdin'], {
    cwd: repo,
    env: GIT_ENV,
    input: body,
    encoding: 'utf8',
  }).trim();
  git(repo, 'update-ref', 'refs/heads/main', commit);
  return commit;
}

/** A plan's whole life through troupe's API; what each step returns is checked as it goes. */
async function runPlan(): Promise<void> {
  const sandboxes = createGitSandboxes(repo);
  const sandbox = await sandboxes.ensure(plan());
  const path = sandboxes.pathOf(sandbox);
  expect(await readFile(join(path, 'a.strict'), 'utf8')).toBe('strict\n');

  await writeFiles(path, {
    'a.plain': 'plain 2\n',
    'a.strict': 'strict 2\n',
    'a.proc': 'proc 2\n',
    'a.conv': 'conv 2\n',
    'a.cmd': 'cmd 2\n',
    'new.txt': 'new\n',
  });
  const changed = ['a.cmd', 'a.conv', 'a.plain', 'a.proc', 'a.strict', 'new.txt'];
  expect(await sandboxes.pendingPaths(sandbox)).toEqual(changed);
  const head = await sandboxes.commit(sandbox, 'step 1');
  // plumbing, which runs nothing: troupe's, unsigned
  const commit = git(repo, 'cat-file', 'commit', head);
  expect(commit).toContain('author troupe <troupe@localhost>');
  expect(commit).not.toContain('gpgsig');
  expect((await sandboxes.diff(sandbox, sandbox.baseCommit, head)).map((change) => change.path).sort()).toEqual(
    changed,
  );
  expect(await sandboxes.files(sandbox, head)).toContain('new.txt');
  // a writing step's own way: staged, then committed beside its changeset
  await writeFiles(path, { 'a.plain': 'plain 3\n', 'b.proc': 'proc 3\n' });
  expect(await sandboxes.stage(sandbox)).toEqual(['a.plain', 'b.proc']);
  const second = await sandboxes.commitStaged(sandbox, 'step 2', sandbox.baseCommit);
  expect(git(repo, 'cat-file', 'commit', second.headCommit)).not.toContain('gpgsig');
  expect(second.files.map((change) => change.path)).toEqual([...changed, 'b.proc'].sort());

  await writeFiles(path, { 'a.plain': 'dirty\n', 'stray.txt': 'stray\n' });
  await sandboxes.reset(sandbox, head);
  expect(await readFile(join(path, 'a.plain'), 'utf8')).toBe('plain 2\n');
  expect(existsSync(join(path, 'stray.txt'))).toBe(false);

  const project = createProjectRepo(repo, engineMerger(repo));
  const planId = newId();
  const moved = { ...sandbox, headCommit: head };
  expect((await project.applyChanges({ base: moved.baseCommit, head, message: 'apply', planId })).status).toBe(
    'applied',
  );
  expect(await readFile(join(repo, 'a.strict'), 'utf8')).toBe('strict 2\n');
  await sandboxes.remove(moved);
  expect(existsSync(path)).toBe(false);
}

describe("troupe's git and the configuration of the repository it works in", () => {
  it("runs none of the programs a repository's .git/config names, and every operation still works", async () => {
    signedProjectHead();
    await hostileConfig(join(repo, '.git', 'config'));

    await runPlan();

    expect(ran()).toBe('');
  });

  it("runs none of the programs the user's ~/.gitconfig names", async () => {
    signedProjectHead();
    const home = join(scratch, 'home');
    await mkdir(home);
    await hostileConfig(join(home, '.gitconfig'));
    const saved = process.env.HOME;
    process.env.HOME = home;
    try {
      await runPlan();
      // outside any repository the user's config is all there is
      await expect(findProjectRoot(scratch)).rejects.toThrow();
    } finally {
      process.env.HOME = saved;
    }

    expect(ran()).toBe('');
  });

  it('reads the neutral value of every setting that names a program, whatever the repository says', async () => {
    const hostile: [string, string][] = [
      ['core.sshCommand', await marker('ssh')],
      ['core.askPass', await marker('askpass')],
      ['credential.helper', await marker('credential')],
      ['core.fsmonitor', await marker('fsmonitor')],
      ['core.hooksPath', scratch],
      ['core.editor', await marker('editor')],
      ['core.pager', await marker('pager')],
      ['gpg.program', await marker('gpg')],
    ];
    for (const [key, value] of hostile) git(repo, 'config', key, value);
    // what every git command troupe starts sees (the -c settings win over the repository's file)
    const seen = Object.fromEntries(
      await Promise.all(
        hostile.map(async ([key]) => [key, (await gitCommand(repo).tryRun(['config', '--get', key]))?.trim() ?? null]),
      ),
    );
    expect(seen).toEqual({
      'core.sshCommand': 'ssh',
      'core.askPass': '',
      'credential.helper': '',
      'core.fsmonitor': 'false',
      'core.hooksPath': '/dev/null',
      'core.editor': ':',
      'core.pager': 'cat',
      'gpg.program': '',
    });
    expect(ran()).toBe('');
  });

  it("verifies no signature while it looks for an applied plan in the project's history", async () => {
    const planId = newId();
    const applied = signedProjectHead(`apply\n\nTroupe-Plan-Id: ${planId}`);
    await hostileConfig(join(repo, '.git', 'config'));
    const project = createProjectRepo(repo, engineMerger(repo));

    expect(await project.applyChanges({ base: applied, head: applied, message: 'apply', planId })).toEqual({
      status: 'applied',
      commit: applied,
      alreadyApplied: true,
    });
    expect(ran()).toBe('');
  });

  it('never runs an fsmonitor a plan step set with `git config` in its worktree (the probe)', async () => {
    const sandboxes = createGitSandboxes(repo);
    const sandbox = await sandboxes.ensure(plan());
    const path = sandboxes.pathOf(sandbox);
    // what the step ran: it lands in the repository's config, shared by every worktree
    git(path, 'config', 'core.fsmonitor', await marker('fsmonitor'));
    await writeFile(join(path, 'step.txt'), 'step\n');

    expect(await sandboxes.pendingPaths(sandbox)).toEqual(['step.txt']);
    const head = await sandboxes.commit(sandbox, 'step 1');
    expect(await sandboxes.files(sandbox, head)).toContain('step.txt');
    await sandboxes.reset(sandbox, sandbox.baseCommit);

    expect(ran()).toBe('');
  });

  it('notices a filter driver added after its first commands: the configuration is read again', async () => {
    const sandboxes = createGitSandboxes(repo);
    const sandbox = await sandboxes.ensure(plan());
    const path = sandboxes.pathOf(sandbox);
    await writeFile(join(path, 'one.late'), 'one\n');
    await sandboxes.commit(sandbox, 'step 1');

    git(path, 'config', 'filter.late.clean', await marker('late-clean', true));
    git(path, 'config', 'filter.late.required', 'true');
    await writeFiles(path, { '.gitattributes': '*.late filter=late\n', 'two.late': 'two\n' });
    const head = await sandboxes.commit(sandbox, 'step 2');

    expect(ran()).toBe('');
    expect(git(repo, 'cat-file', 'blob', `${head}:two.late`)).toBe('two');
  });

  it('notices a driver in an included file that did not exist at first', async () => {
    // relative: from the directory of the file that includes it
    git(repo, 'config', 'include.path', 'troupe-extra.gitconfig');
    const sandboxes = createGitSandboxes(repo);
    const sandbox = await sandboxes.ensure(plan());
    const path = sandboxes.pathOf(sandbox);
    await writeFile(join(path, 'one.txt'), 'one\n');
    await sandboxes.commit(sandbox, 'step 1');

    await writeFile(
      join(repo, '.git', 'troupe-extra.gitconfig'),
      `[filter "inc"]\n\tclean = ${await marker('inc-clean', true)}\n\trequired = true\n`,
    );
    await writeFiles(path, { '.gitattributes': '*.inc filter=inc\n', 'a.inc': 'inc\n' });
    await sandboxes.commit(sandbox, 'step 2');

    expect(ran()).toBe('');
  });

  it('switches off a driver whose name holds "=" or a dot, which `-c name=value` could not carry', async () => {
    git(repo, 'config', 'filter.x=y.z.clean', await marker('odd-clean', true));
    git(repo, 'config', 'filter.x=y.z.required', 'true');
    const sandboxes = createGitSandboxes(repo);
    const sandbox = await sandboxes.ensure(plan());
    await writeFiles(sandboxes.pathOf(sandbox), { '.gitattributes': '*.odd filter=x=y.z\n', 'a.odd': 'odd\n' });

    await sandboxes.commit(sandbox, 'step 1');

    expect(ran()).toBe('');
  });

  it('switches off drivers of a conditional include that applies only in the sandboxes', async () => {
    const extra = join(scratch, 'sandboxes.gitconfig');
    await writeFile(extra, `[filter "branchy"]\n\tclean = ${await marker('branchy-clean', true)}\n\trequired = true\n`);
    git(repo, 'config', 'includeIf.onbranch:troupe/**.path', extra);
    const sandboxes = createGitSandboxes(repo);
    // the first command runs in the project, on main, where the include does not apply
    const sandbox = await sandboxes.ensure(plan());
    await writeFiles(sandboxes.pathOf(sandbox), { '.gitattributes': '*.b filter=branchy\n', 'a.b': 'b\n' });

    await sandboxes.commit(sandbox, 'step 1');

    expect(ran()).toBe('');
  });

  it("does not use the local transport where a remote's upload-pack is set: a partial clone's lazy fetch fails rather than run it", async () => {
    git(repo, 'config', 'uploadpack.allowFilter', 'true');
    const clone = join(scratch, 'clone');
    execFileSync('git', ['clone', '-q', '--no-checkout', '--filter=blob:none', `file://${repo}`, clone], {
      env: GIT_ENV,
    });
    git(clone, 'config', 'remote.origin.uploadpack', await marker('upload-pack'));

    await expect(createGitSandboxes(clone).ensure(plan())).rejects.toThrow();

    expect(ran()).toBe('');
  });

  it("does not push to a repository on this machine that a URL rewrite in the repository's config names: its hooks never run", async () => {
    // the shared remote the user configured, and one whose hook the rewrite would run
    const shared = join(scratch, 'shared.git');
    const evil = join(scratch, 'evil.git');
    for (const bare of [shared, evil]) execFileSync('git', ['init', '-q', '--bare', bare], { env: GIT_ENV });
    await writeFile(join(evil, 'hooks', 'pre-receive'), `#!/bin/sh\n${await marker('pre-receive')}\n`);
    await chmod(join(evil, 'hooks', 'pre-receive'), 0o755);
    git(repo, 'config', `url.${evil}.insteadOf`, shared);
    const remote = new RemoteBranches(shared, 'remote.url in .troupe/config.json');
    const head = await remote.headOf(repo);

    await expect(remote.publishStart(repo, { planId: newId(), branch: 'troupe/demo-guard' }, head)).rejects.toThrow();

    expect(ran()).toBe('');
    // the user's own rewrites (global config) do not count: without the repository's, the push goes through
    git(repo, 'config', '--unset', `url.${evil}.insteadOf`);
    await remote.publishStart(repo, { planId: newId(), branch: 'troupe/demo-guard-2' }, head);
    expect(
      execFileSync('git', ['-C', shared, 'branch', '--list', 'troupe/*'], { encoding: 'utf8', env: GIT_ENV }),
    ).toContain('troupe/demo-guard-2');
  });

  it("never goes into a submodule of the project when it asks whether the project is clean: the submodule's own filter does not run", async () => {
    const library = (await tempRepo({ 'lib.txt': 'lib\n' })).dir;
    execFileSync('git', ['-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', library, 'sub'], {
      cwd: repo,
      env: GIT_ENV,
    });
    git(repo, 'commit', '-q', '-m', 'add a submodule');
    // the submodule's own config names a filter for its files, and a file there changes
    git(join(repo, 'sub'), 'config', 'filter.evil.clean', await marker('submodule-clean', true));
    await writeFile(join(repo, 'sub', '.gitattributes'), '* filter=evil\n');
    // the same content with a new time: git must read the file through its filter to know
    const later = new Date(Date.now() + 5_000);
    await utimes(join(repo, 'sub', 'lib.txt'), later, later);

    await createProjectRepo(repo, engineMerger(repo)).dirtyPaths();

    expect(ran()).toBe('');
  });

  it('reads the configuration once per repository: later commands, in its worktrees too, start no `git config`', async () => {
    const bin = join(scratch, 'git-bin');
    await mkdir(bin);
    const real = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    const calls = join(scratch, 'git-calls.log');
    await writeFile(join(bin, 'git'), `#!/bin/sh\necho "$*" >> "${calls}"\nexec "${real}" "$@"\n`);
    await chmod(join(bin, 'git'), 0o755);
    // a change to the config: the next command reads it again, once
    git(repo, 'config', 'troupe.test', 'read again');
    const saved = process.env.PATH;
    process.env.PATH = `${bin}:${saved ?? ''}`;
    try {
      const sandboxes = createGitSandboxes(repo);
      for (let step = 0; step < 2; step += 1) {
        const sandbox = await sandboxes.ensure(plan());
        await writeFile(join(sandboxes.pathOf(sandbox), 'step.txt'), 'step\n');
        await sandboxes.pendingPaths(sandbox);
        const head = await sandboxes.commit(sandbox, 'step');
        await sandboxes.diff(sandbox, sandbox.baseCommit, head);
      }
    } finally {
      process.env.PATH = saved;
    }

    const lines = (await readFile(calls, 'utf8')).trim().split('\n');
    expect(lines.filter((line) => line.startsWith('config --null --list'))).toHaveLength(1);
    expect(lines.length).toBeGreaterThan(8);
  });
});
