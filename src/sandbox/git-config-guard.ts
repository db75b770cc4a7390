import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { gitDirNamed } from './git-dir-pointer.js';

/**
 * `-c` settings on every git command troupe runs, so that no configuration —
 * the repository's (a plan step can run `git config`), the user's, the
 * system's — makes troupe's own git start a program. Each was checked on git
 * 2.39 with a marker script in the user's config and the setting on the
 * command line (test/sandbox/git-config-guard.test.ts keeps the reachable ones
 * checked). An empty program name (`diff.external=`, `gpg.program=`…) is not
 * "unset": git tries to start it, finds nothing called "" and fails that
 * command before anything runs. Not set: `GIT_CONFIG_NOSYSTEM` — the system
 * file is root's, and carries what a machine needs (safe.directory in a CI
 * container, proxies and CAs for a lazy fetch); the drivers it defines are
 * neutralised like any other ({@link driverSettings}).
 */
export const NEUTRAL_CONFIG: readonly string[] = [
  // no hook runs on troupe's commits, checkouts or merges (--no-verify alone skips two)
  'core.hooksPath=/dev/null',
  // a hook path, or the builtin daemon: false makes git look at the worktree itself
  'core.fsmonitor=false',
  // transports: only a partial clone's lazy fetch of a missing object gets
  // here. `ssh` is the default program; an empty askPass is skipped; an empty
  // helper clears the list, URL-specific helpers too (read in file order,
  // the command line last)
  'core.sshCommand=ssh',
  'core.askPass=',
  'credential.helper=',
  'protocol.ext.allow=never',
  // an empty command fails to start and the fetch goes on without those refs
  'core.alternateRefsCommand=',
  // belt and braces: git reads it only from the user's and the system's
  // config, and not at all through -c for a local upload-pack (another
  // repository: its environment is cleared)
  'uploadpack.packObjectsHook=',
  // ":" is git's "no editor"; troupe passes -m, and --no-pager for pagers
  'core.editor=:',
  'sequence.editor=:',
  'core.pager=cat',
  // the second guard behind --no-ext-diff on troupe's diffs
  'diff.external=',
  // signing is off (commit.gpgsign=false, --no-gpg-sign); these keep `log`
  // and `merge` from verifying signatures, which runs the signing program
  'gpg.program=',
  'gpg.openpgp.program=',
  'gpg.ssh.program=',
  'gpg.x509.program=',
  'gpg.ssh.defaultKeyCommand=',
  'log.showSignature=false',
  'merge.verifySignatures=false',
  // a commit would otherwise start `git maintenance run --auto` (gc) behind troupe
  'gc.auto=0',
  'maintenance.auto=false',
  // a submodule's own config (its drivers) is not read here: stay out of it
  'submodule.recurse=false',
];

/**
 * The categories of simple-git's "unsafe" guard that {@link NEUTRAL_CONFIG}
 * trips, exactly (checked with @simple-git/argv-parser's vulnerabilityCheck):
 * every one is a setting that switches a program off.
 */
export const NEUTRAL_CONFIG_UNSAFE = {
  allowUnsafeHooksPath: true,
  allowUnsafeFsMonitor: true,
  allowUnsafeSshCommand: true,
  allowUnsafeAskPass: true,
  allowUnsafeCredentialHelper: true,
  allowUnsafeProtocolOverride: true,
  allowUnsafePack: true,
  allowUnsafeEditor: true,
  allowUnsafePager: true,
  allowUnsafeDiffExternal: true,
  allowUnsafeGpgProgram: true,
} as const;

/** One configuration setting: a key (its subsection as the config spells it) and a value. */
export type ConfigSetting = readonly [key: string, value: string];

/** Runs `git <args>` in the directory asked about and returns its stdout; throws when git fails. */
export type ConfigReader = (args: readonly string[]) => Promise<string>;

/**
 * The settings that switch off the programs of the drivers `cwd`'s
 * configuration defines — names are the user's, so they are read from it:
 * a filter's clean, smudge and process commands (emptied: git 2.39 then
 * skips the filter, and `required=false` keeps a required one from failing
 * `add` instead), a diff driver's command and textconv and a merge driver
 * (emptied: git fails that diff or merge, "cannot run :", before anything
 * runs — troupe's diffs pass --no-ext-diff --no-textconv, and its merges
 * use no merge driver; `true`/`cat` would run a program and, for a diff
 * command, hide the file's changes). Credential helpers of a URL and
 * `pager.<command>` need none: `credential.helper=` and --no-pager cover
 * them (checked). git keeps the first
 * `core.gitProxy` and the first `remote.<name>.uploadpack` it reads, so no
 * later setting replaces them: where the config sets one, troupe's git does
 * not use that transport (`git://`, a local repository).
 *
 * Reading the config (`git config --list`, includes and all) runs nothing.
 * The answer is kept per repository — its worktrees share its config — and
 * read again when a file git reads changed (inode, size, times): the
 * repository's `config`, the user's and the system's files, and every file
 * they include. Conditional includes are read whatever their condition
 * (`onbranch:` differs between worktrees), so the answer holds in every
 * worktree — but one with a `config.worktree` of its own, which gets its own.
 *
 * @example
 * const settings = await driverSettings('/repo', (args) => run(args));
 * // [['filter.lfs.clean', ''], ['filter.lfs.smudge', ''], ['filter.lfs.process', ''], ['filter.lfs.required', 'false']]
 */
export async function driverSettings(cwd: string, read: ConfigReader): Promise<readonly ConfigSetting[]> {
  const repository = locateRepository(cwd);
  const ownWorktreeConfig = repository !== null && signature(join(repository.gitDir, 'config.worktree')) !== ABSENT;
  const key =
    repository === null ? resolve(cwd) : ownWorktreeConfig ? `worktree:${repository.gitDir}` : repository.commonDir;
  const cached = known.get(key);
  if (cached !== undefined && isFresh(cached)) return cached.settings;
  // another command here is reading the same files: its answer will do
  let running = reading.get(key);
  if (running === undefined) {
    running = discover(cwd, repository, ownWorktreeConfig, read);
    reading.set(key, running);
    const settled = running.then(
      (found) => void known.set(key, found),
      () => {},
    );
    void settled.then(() => reading.delete(key));
  }
  return (await running).settings;
}

/**
 * `settings` as the environment git reads command-line settings from
 * (`GIT_CONFIG_COUNT`, git 2.31+): unlike `-c key=value`, it keeps a key
 * whose name holds `=` whole, and it reaches the git processes git starts.
 *
 * @example
 * configEnvironment([['filter.lfs.clean', '']]); // { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'filter.lfs.clean', GIT_CONFIG_VALUE_0: '' }
 */
export function configEnvironment(settings: readonly ConfigSetting[]): Record<string, string> {
  const env: Record<string, string> = { GIT_CONFIG_COUNT: String(settings.length) };
  settings.forEach(([key, value], index) => {
    env[`GIT_CONFIG_KEY_${index}`] = key;
    env[`GIT_CONFIG_VALUE_${index}`] = value;
  });
  return env;
}

interface Repository {
  // the directory holding `.git`: git gives paths in the repository relative to it
  top: string;
  gitDir: string;
  commonDir: string;
}

interface Known {
  settings: ConfigSetting[];
  // every file whose change means reading again: path → signature
  watched: Map<string, string>;
  // HOME and XDG_CONFIG_HOME, which say where the user's files are
  environment: string;
}

// by repository (its common dir), worktree with a config of its own, or directory outside one
const known = new Map<string, Known>();
const reading = new Map<string, Promise<Known>>();

// per kind of driver: its settings and the value that switches each off
const DRIVER_PROGRAMS = new Map<string, readonly ConfigSetting[]>([
  [
    'filter',
    [
      ['clean', ''],
      ['smudge', ''],
      ['process', ''],
      ['required', 'false'],
    ],
  ],
  [
    'diff',
    [
      ['command', ''],
      ['textconv', ''],
    ],
  ],
  ['merge', [['driver', '']]],
]);

async function discover(
  cwd: string,
  repository: Repository | null,
  ownWorktreeConfig: boolean,
  read: ConfigReader,
): Promise<Known> {
  const environment = currentEnvironment();
  // signatures taken before git reads: a change while it reads shows next time
  const watched = new Map(candidateFiles(repository, ownWorktreeConfig).map((path) => [path, signature(path)]));
  const settings = new Map<string, string>();
  const seen = new Set<string>();
  const includes: string[] = [];
  const take = (output: string) => {
    for (const { origin, key, value } of parseListing(output, repository?.top ?? cwd)) {
      if (origin !== null) seen.add(origin);
      const [section, name, variable] = splitKey(key);
      const programs = DRIVER_PROGRAMS.get(section);
      if (name !== undefined && programs?.some(([program]) => program === variable)) {
        for (const [program, neutral] of programs) settings.set(`${section}.${name}.${program}`, neutral);
      } else if (key === 'core.gitproxy') settings.set('protocol.git.allow', 'never');
      else if (section === 'remote' && (variable === 'uploadpack' || variable === 'receivepack'))
        settings.set('protocol.file.allow', 'never');
      // a URL rewrite in the repository's own config can send troupe's push to a repository on this
      // machine whose hooks receive-pack runs (git drops the -c settings for it): none then goes local
      else if (
        section === 'url' &&
        (variable === 'insteadof' || variable === 'pushinsteadof') &&
        repository !== null &&
        origin !== null &&
        isRepositoryConfig(origin, repository)
      ) {
        settings.set('protocol.file.allow', 'never');
      } else if ((key === 'include.path' || (section === 'includeif' && variable === 'path')) && value !== null) {
        const target = includeTarget(value, origin);
        if (target !== null) includes.push(target);
      }
    }
  };
  take(await read(['config', '--null', '--list', '--show-origin']));
  // an include git skipped here (a condition false in this worktree, a file
  // not there yet) is read on its own, and watched
  for (let index = 0; index < includes.length; index += 1) {
    const target = includes[index]!;
    if (seen.has(target) || watched.has(target)) continue;
    watched.set(target, signature(target));
    seen.add(target);
    if (watched.get(target) === ABSENT) continue;
    // unreadable here: git fails on it too wherever it applies
    take(await read(['config', '--null', '--list', '--show-origin', '--includes', '--file', target]).catch(() => ''));
  }
  for (const origin of seen) if (!watched.has(origin)) watched.set(origin, signature(origin));
  return { settings: [...settings], watched, environment };
}

// the repository's own config (its common dir's, or a worktree's), not the user's or the system's
function isRepositoryConfig(origin: string, repository: Repository): boolean {
  return [repository.commonDir, repository.gitDir].some(
    (dir) => origin === join(dir, 'config') || origin === join(dir, 'config.worktree'),
  );
}

function isFresh(entry: Known): boolean {
  if (entry.environment !== currentEnvironment()) return false;
  for (const [path, recorded] of entry.watched) if (signature(path) !== recorded) return false;
  return true;
}

/** Where git finds the repository of `cwd`, as git does, without running it: the nearest `.git` directory or `gitdir:` file. */
function locateRepository(cwd: string): Repository | null {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const dotGit = join(dir, '.git');
    const found = statSync(dotGit, { throwIfNoEntry: false });
    if (found?.isDirectory()) return withCommonDir(dir, dotGit);
    const gitDir = found?.isFile() ? gitDirNamed(readText(dotGit) ?? '', dir) : null;
    if (gitDir !== null) return withCommonDir(dir, gitDir);
    if (dirname(dir) === dir) return null;
  }
}

function withCommonDir(top: string, gitDir: string): Repository {
  const common = readText(join(gitDir, 'commondir'))?.trim();
  return { top, gitDir, commonDir: common ? resolve(gitDir, common) : gitDir };
}

// the files git reads that may not exist yet: a first `git config --global` creates one
function candidateFiles(repository: Repository | null, ownWorktreeConfig: boolean): string[] {
  const { HOME: home, XDG_CONFIG_HOME: xdg } = process.env;
  const files = ['/etc/gitconfig'];
  if (home) files.push(join(home, '.gitconfig'));
  if (xdg) files.push(join(xdg, 'git', 'config'));
  else if (home) files.push(join(home, '.config', 'git', 'config'));
  if (repository !== null) files.push(join(repository.commonDir, 'config'));
  if (repository !== null && ownWorktreeConfig) files.push(join(repository.gitDir, 'config.worktree'));
  return files;
}

const ABSENT = 'absent';

function signature(path: string): string {
  const found = statSync(path, { throwIfNoEntry: false });
  return found === undefined ? ABSENT : `${found.ino}:${found.size}:${found.mtimeMs}:${found.ctimeMs}`;
}

function currentEnvironment(): string {
  return `${process.env.HOME ?? ''}\0${process.env.XDG_CONFIG_HOME ?? ''}`;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The entries of `git config --null --list --show-origin`: origin NUL key, then LF value when it has one, NUL. */
function parseListing(output: string, base: string): { origin: string | null; key: string; value: string | null }[] {
  const fields = output.split('\0');
  const entries = [];
  for (let index = 0; index + 1 < fields.length; index += 2) {
    const origin = fields[index]!;
    const entry = fields[index + 1]!;
    const newline = entry.indexOf('\n');
    entries.push({
      // the repository's own files are given relative to its top directory
      origin: origin.startsWith('file:') ? resolve(base, origin.slice('file:'.length)) : null,
      key: newline < 0 ? entry : entry.slice(0, newline),
      value: newline < 0 ? null : entry.slice(newline + 1),
    });
  }
  return entries;
}

// section, subsection (may hold dots) and variable; the subsection is undefined for `section.variable`
function splitKey(key: string): [string, string | undefined, string] {
  const first = key.indexOf('.');
  const last = key.lastIndexOf('.');
  if (first === last) return [key.slice(0, first), undefined, key.slice(last + 1)];
  return [key.slice(0, first), key.slice(first + 1, last), key.slice(last + 1)];
}

// as git resolves include.path: `~/` from HOME, a relative path from the including file's directory
function includeTarget(value: string, origin: string | null): string | null {
  if (value.startsWith('~/')) return process.env.HOME ? join(process.env.HOME, value.slice(2)) : null;
  if (value.startsWith('/')) return resolve(value);
  return origin === null || value.startsWith('~') || value.startsWith('%(') ? null : resolve(dirname(origin), value);
}
