import type { CommandIdentity } from './command-identity.js';

/**
 * The command's whole environment: the plan's, the proxy's, its own `/tmp`
 * — tools that honour TMPDIR must not aim at a read-only one — and, when it
 * runs as the dedicated identity, git told to trust the worktree where the
 * command sees it (the project's own path): its top and `.git` file stay
 * root's (troupe's own git needs that), which git run by anyone else
 * refuses as "dubious ownership" unless told. Given as command-line-scope
 * settings (`GIT_CONFIG_COUNT`), after any the plan set.
 *
 * @example
 * containedEnv(commandEnv(), proxy.env, identity, '/repo'); // { PATH: …, HTTPS_PROXY: …, TMPDIR: '/tmp', GIT_CONFIG_COUNT: '1', … }
 */
export function containedEnv(
  env: Record<string, string>,
  proxyEnv: Record<string, string>,
  identity: CommandIdentity,
  worktree: string,
): Record<string, string> {
  const whole: Record<string, string> = { ...env, ...proxyEnv, TMPDIR: '/tmp' };
  if (identity.kind === 'own') return whole;
  const count = /^\d{1,3}$/.test(whole.GIT_CONFIG_COUNT ?? '') ? Number(whole.GIT_CONFIG_COUNT) : 0;
  return {
    ...whole,
    GIT_CONFIG_COUNT: String(count + 1),
    [`GIT_CONFIG_KEY_${count}`]: 'safe.directory',
    [`GIT_CONFIG_VALUE_${count}`]: worktree,
  };
}
