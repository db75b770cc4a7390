import { existsSync } from 'node:fs';

/**
 * How a command is started once bubblewrap has built its sandbox: which
 * shell closes the inherited descriptors, and which `env` program gives the
 * command its environment.
 *
 * Bubblewrap itself is started with an empty environment and `/` as its
 * working directory: nothing of the plan — its `env`, its worktree — can
 * steer the loader of a program that runs on the host with the privileges
 * needed to build namespaces (`LD_PRELOAD`, `LD_DEBUG_OUTPUT`…). Inside the
 * sandbox the first program (the "closer") also runs with an empty
 * environment, waits for troupe's `go`, closes every descriptor but 0, 1
 * and 2 — troupe's own (LevelDB's files, sockets) and whatever troupe
 * inherited — and only then starts `env -i <the command's environment>
 * /bin/sh -c <command>`.
 */
export interface SandboxLauncher {
  /** The closer's shell: bash, which can close descriptors above 9, or `/bin/sh`, which closes 3–9. */
  shell: string;
  /** Whether the closer closes every descriptor above 2 (bash); otherwise see {@link leakedDescriptors}. */
  closesAll: boolean;
  /** The `env` program inside the sandbox. */
  env: string;
  /** util-linux's `setpriv`, which makes the command the dedicated identity when troupe is root (null: not installed). */
  setpriv: string | null;
}

// The closer, as bash runs it: $1 is the command, $2 and $3 its rlimits, the rest its environment.
// It waits on fd 4 for troupe's `go` (said once bubblewrap has bound the
// sandbox's life to troupe's), then closes every descriptor above 2 — read
// off /proc/self/fd, whose listing's own descriptor is closed again by the
// time the loop runs — and starts the command with exactly its environment.
const CLOSE_ALL =
  'for fd in /proc/self/fd/*; do fd=${fd##*/}; case $fd in 0|1|2) ;; *) eval "exec $fd>&-" ;; esac; done';
// a POSIX sh (dash) names descriptors with one digit only
const CLOSE_LOW = 'exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-';

// the rlimits, before the closer becomes the command: $2 the file size in
// 512-byte blocks (`ulimit -f`'s unit in every POSIX sh, bash in POSIX mode
// included), $3 the address space in KB, each left alone when empty. A hard
// limit already lower makes `ulimit` fail: the lower one holds.
const SET_RLIMITS = '[ -z "$2" ] || ulimit -f "$2" 2>/dev/null; [ -z "$3" ] || ulimit -v "$3" 2>/dev/null';

const BASH = ['/bin/bash', '/usr/bin/bash'];
const ENV = ['/usr/bin/env', '/bin/env'];
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv', '/usr/sbin/setpriv', '/sbin/setpriv'];

/**
 * Find the closer's shell and `env` on this machine (the sandbox sees the
 * host's file system read-only, so what is here is there). `preferPosix`
 * picks `/bin/sh` even where bash exists (tests of the fallback).
 *
 * @example
 * const launcher = findLauncher();
 * launcher.closesAll; // true where bash is installed
 */
export function findLauncher(
  options: { preferPosix?: boolean; exists?: (path: string) => boolean } = {},
): SandboxLauncher {
  const exists = options.exists ?? existsSync;
  const bash = options.preferPosix === true ? undefined : BASH.find(exists);
  const env = ENV.find(exists) ?? '/usr/bin/env';
  const setpriv = SETPRIV.find(exists) ?? null;
  return bash ? { shell: bash, closesAll: true, env, setpriv } : { shell: '/bin/sh', closesAll: false, env, setpriv };
}

/**
 * What bubblewrap runs after `--`: the closer, which sets the command's
 * rlimits (`rlimits`: the file size in 512-byte blocks and the address
 * space in KB, `''` for none), then the command under `sh -c` with `env`
 * as its whole environment.
 *
 * @example
 * launchArguments(findLauncher(), 'npm test', { PATH: '/usr/bin:/bin' });
 * // ['/bin/bash', '--posix', '-c', '…', 'troupe-sandbox', 'npm test', '', '', 'PATH=/usr/bin:/bin']
 */
export function launchArguments(
  launcher: SandboxLauncher,
  command: string,
  env: Readonly<Record<string, string>>,
  rlimits: readonly [string, string] = ['', ''],
): string[] {
  const close = launcher.closesAll ? CLOSE_ALL : CLOSE_LOW;
  const script = `IFS= read -r go <&4 && [ "$go" = go ] || exit 125; ${close}; ${SET_RLIMITS}; cmd=$1; shift 3; exec ${launcher.env} -i "$@" /bin/sh -c "$cmd"`;
  // names were checked when the plan was read ([A-Za-z_][A-Za-z0-9_]*): none starts with '-' or holds '='
  // bash in POSIX mode: `ulimit -f` counts 512-byte blocks there, as in every POSIX sh
  return [
    launcher.shell,
    ...(launcher.closesAll ? ['--posix'] : []),
    '-c',
    script,
    'troupe-sandbox',
    command,
    ...rlimits,
    ...Object.entries(env).map(([name, value]) => `${name}=${value}`),
  ];
}
