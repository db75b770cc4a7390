/**
 * The variables a command inherits from troupe's own environment (SPEC §7).
 * Everything else — tokens, keys, cloud credentials — stays out of the
 * sandbox unless the plan's `env` names it.
 */
export const COMMAND_ENV_ALLOWLIST = [
  'PATH',
  'HOME',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'TMPDIR',
  'TERM',
  'USER',
  'LOGNAME',
  'SHELL',
] as const;

/**
 * The environment for a command: the allowlisted variables that are set in
 * `source` (troupe's environment by default), then `extra` (the plan's
 * `env`), which wins on a clash.
 *
 * @example
 * commandEnv({ NODE_ENV: 'test' }); // { PATH: '/usr/bin:…', HOME: '/home/me', NODE_ENV: 'test' }
 */
export function commandEnv(
  extra: Readonly<Record<string, string>> = {},
  source: Readonly<Record<string, string | undefined>> = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of COMMAND_ENV_ALLOWLIST) {
    const value = source[name];
    if (value !== undefined) env[name] = value;
  }
  for (const [name, value] of Object.entries(extra)) env[name] = value;
  return env;
}
