/**
 * Environment variables the dynamic loader and the C library act on before
 * a program's own code runs: they load a library (`LD_PRELOAD`,
 * `LD_AUDIT`), write files (`LD_DEBUG_OUTPUT`, `MALLOC_TRACE`), or read
 * modules from a path (`GCONV_PATH`, `LOCPATH`). glibc ignores them in
 * set-user-id programs for the same reason. A plan may not set them unless
 * the project allows it (`sandbox.allowLoaderEnv`), and even then they only
 * reach the command inside the sandbox, never the program that builds it.
 */
export const LOADER_ENV_NAMES: readonly string[] = [
  'GCONV_PATH',
  'GETCONF_DIR',
  'GLIBC_TUNABLES',
  'HOSTALIASES',
  'LOCALDOMAIN',
  'LOCPATH',
  'NIS_PATH',
  'NLSPATH',
  'RESOLV_HOST_CONF',
  'RES_OPTIONS',
  'TZDIR',
];

// every LD_* variable (glibc, musl, the BSDs) and glibc's malloc tracing and tuning
const LOADER_ENV_PREFIXES = ['LD_', 'MALLOC_'];

/**
 * Whether `name` is a variable the loader or the C library acts on
 * ({@link LOADER_ENV_NAMES}, `LD_*`, `MALLOC_*`).
 *
 * @example
 * isLoaderEnv('LD_PRELOAD'); // true
 * isLoaderEnv('NODE_ENV'); // false
 */
export function isLoaderEnv(name: string): boolean {
  return LOADER_ENV_PREFIXES.some((prefix) => name.startsWith(prefix)) || LOADER_ENV_NAMES.includes(name);
}
