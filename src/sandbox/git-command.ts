import { GitError, simpleGit } from 'simple-git';
import { configEnvironment, driverSettings, NEUTRAL_CONFIG_UNSAFE, type ConfigSetting } from './git-config-guard.js';
import { NO_PAGER, TROUPE_CONFIG } from './git-settings.js';
import { gitEnvironment, gitHelperRunning, spawnGit } from './git-spawn.js';
import { leakedDescriptors } from './inherited-descriptors.js';

export { TROUPE_IDENTITY } from './git-settings.js';

/**
 * A git command that exited non-zero, with everything it printed. It extends
 * simple-git's `GitError` because simple-git wraps any other error in one and
 * the exit code would be lost.
 */
export class GitCommandError extends GitError {
  override readonly name = 'GitCommandError';

  constructor(
    readonly args: readonly string[],
    readonly exitCode: number,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(undefined, `git ${args[0] ?? ''} exited with ${exitCode}: ${(stderr || stdout).trim().split('\n')[0] ?? ''}`);
  }
}

/** Runs git in one directory with troupe's identity and safety settings. */
export interface GitCommand {
  readonly cwd: string;
  /** Run `git <args>` and return its stdout; throws {@link GitCommandError} on a non-zero exit. */
  run(args: readonly string[]): Promise<string>;
  /** The exact bytes of a blob (`git cat-file blob`), binary-safe. */
  readBlob(blob: string): Promise<Buffer>;
  /** Like {@link GitCommand.run}, but returns null instead of throwing on a non-zero exit. */
  tryRun(args: readonly string[]): Promise<string | null>;
  /**
   * Run plumbing (`read-tree`, `update-ref --stdin`, `diff-tree --stdin`,
   * `cat-file`, `update-index --index-info`…), feeding `input` on stdin: the
   * same settings and environment as {@link GitCommand.run}, but spawned by
   * troupe's own runner (src/sandbox/git-spawn.ts) — it returns as soon as
   * git exits, and while several git commands overlap it starts them from a
   * helper process, so forking the runtime's large process does not block
   * its event loop. Throws {@link GitCommandError} on a non-zero exit.
   */
  plumb(args: readonly string[], input?: string): Promise<string>;
  /**
   * The command line and environment {@link GitCommand.plumb} would start
   * `git <args>` with: for a git process troupe keeps running and talks to
   * (src/sandbox/object-checks.ts), under the same settings.
   */
  launch(args: readonly string[]): Promise<{ args: string[]; env: NodeJS.ProcessEnv }>;
}

/**
 * A {@link GitCommand} for `cwd`. Porcelain (`run`, `tryRun`) goes through
 * simple-git's `raw` with troupe's `-c` settings, so commits are authored
 * and committed by `troupe <troupe@localhost>`, unsigned, with no hooks;
 * plumbing (`plumb`, `readBlob`) through the spawn runner with the same
 * settings and the environment of {@link gitEnvironment} — and porcelain
 * too while the runner's helper process starts git for this process
 * ({@link gitHelperRunning}), or when the repository's configuration names
 * drivers whose programs must be switched off ({@link driverSettings}).
 *
 * @example
 * const git = gitCommand('/repo');
 * const head = (await git.run(['rev-parse', 'HEAD'])).trim();
 */
export function gitCommand(cwd: string, options: { indexFile?: string } = {}): GitCommand {
  const index: Record<string, string> = options.indexFile === undefined ? {} : { GIT_INDEX_FILE: options.indexFile };
  const client = (args: readonly string[]) => {
    const git = simpleGit({
      baseDir: cwd,
      config: TROUPE_CONFIG,
      // exactly the "unsafe" settings of NEUTRAL_CONFIG: each switches a program off
      unsafe: NEUTRAL_CONFIG_UNSAFE,
      // GIT_INDEX_FILE is ours too (a throwaway index): the guard allows it by name
      allowEnvironment: options.indexFile === undefined ? [] : ['GIT_INDEX_FILE'],
      // simple-git only fails a command that also wrote to stderr; troupe
      // needs every non-zero exit (some commands report a finding, not a failure, with 1)
      errors: (error, result) => {
        if (result.exitCode === 0) return error;
        return new GitCommandError(
          args,
          result.exitCode,
          Buffer.concat(result.stdOut).toString('utf8'),
          Buffer.concat(result.stdErr).toString('utf8'),
        );
      },
    });
    // a separate index (a merge built beside the user's), with the little
    // environment git needs: setting env replaces the inherited one. The
    // user's config is found where the discovery found it (XDG_CONFIG_HOME).
    if (options.indexFile !== undefined) {
      const { PATH = '/usr/bin:/bin', HOME = '/', XDG_CONFIG_HOME } = process.env;
      git.env({
        PATH,
        HOME,
        ...(XDG_CONFIG_HOME === undefined ? {} : { XDG_CONFIG_HOME }),
        GIT_INDEX_FILE: options.indexFile,
      });
    }
    return git;
  };
  const config = TROUPE_CONFIG.flatMap((setting) => ['-c', setting]);
  // the environment when the command starts: the config it reads is the one the discovery read
  const environment = (drivers: readonly ConfigSetting[]) =>
    gitEnvironment(drivers.length === 0 ? index : { ...index, ...configEnvironment(drivers) });
  const spawned = async (args: readonly string[], drivers: readonly ConfigSetting[], input?: string) => {
    const done = await spawnGit(cwd, [NO_PAGER, ...config, ...args], environment(drivers), input);
    if (done.exitCode !== 0) throw new GitCommandError(args, done.exitCode, done.stdout.toString('utf8'), done.stderr);
    return done.stdout;
  };
  // reading the config runs nothing, so it needs none of the settings
  const readConfig = async (args: readonly string[]) => {
    const done = await spawnGit(cwd, args, gitEnvironment(index));
    if (done.exitCode !== 0) throw new GitCommandError(args, done.exitCode, done.stdout.toString('utf8'), done.stderr);
    return done.stdout.toString('utf8');
  };
  const drivers = () => driverSettings(cwd, readConfig);
  // simple-git starts git from this process, which blocks its event loop
  // while the fork execs; once the helper starts git for this process (many
  // commands side by side), porcelain goes there too (docs/explanation/architecture.md).
  // Driver settings go by environment, which simple-git's guard would check
  // key by key: its patterns match parts of a name (a filter named
  // "realias" trips allowUnsafeAlias), and `-c` cannot carry a name holding
  // "=" — so a repository that has drivers runs porcelain on the runner too.
  // And simple-git cannot keep from git what this process holds without
  // close-on-exec (an open LevelDB store's files): the runner stands
  // /dev/null over each, so once there are any, porcelain goes there too.
  const run = async (args: readonly string[]): Promise<string> => {
    const found = await drivers();
    if (gitHelperRunning() || found.length > 0 || leakedDescriptors().length > 0)
      return (await spawned(args, found)).toString('utf8');
    return client(args).raw([NO_PAGER, ...args]);
  };
  return {
    cwd,
    run,
    plumb: async (args, input) => (await spawned(args, await drivers(), input)).toString('utf8'),
    readBlob: async (blob) => spawned(['cat-file', 'blob', blob], await drivers()),
    launch: async (args) => ({ args: [NO_PAGER, ...config, ...args], env: environment(await drivers()) }),
    async tryRun(args) {
      try {
        return await run(args);
      } catch (error) {
        if (error instanceof GitCommandError) return null;
        throw error;
      }
    },
  };
}

/**
 * Whether `value` is a full object id (SHA-1 or SHA-256), not a name that
 * may move: what `update-ref --stdin` and `diff-tree --stdin` take as given,
 * and what can be cached.
 *
 * @example
 * isObjectId('HEAD'); // false
 */
export function isObjectId(value: string): boolean {
  return /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(value);
}

/** The NUL-separated fields of `-z` output, without the empty field after the last NUL. */
export function splitNul(output: string): string[] {
  const fields = output.split('\0');
  if (fields.at(-1) === '') fields.pop();
  return fields;
}
