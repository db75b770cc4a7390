import { NEUTRAL_CONFIG } from './git-config-guard.js';

/** The name and email troupe commits with (SPEC §3). */
export const TROUPE_IDENTITY = { name: 'troupe', email: 'troupe@localhost' } as const;

/**
 * The `-c` settings on every git command troupe runs, so what troupe does
 * never depends on the user's git config.
 */
// author.* and committer.* win over user.* in git, so all
// three are pinned. simple-git (and gitEnvironment for plumbing) drop ambient
// GIT_* variables (GIT_AUTHOR_NAME, GIT_DIR, GIT_CONFIG_GLOBAL…) from the
// child environment. NEUTRAL_CONFIG switches off every program git could
// start from configuration (hooks, fsmonitor, editors, signing…), and
// driverSettings those of the drivers a configuration names.
export const TROUPE_CONFIG = [
  `user.name=${TROUPE_IDENTITY.name}`,
  `user.email=${TROUPE_IDENTITY.email}`,
  `author.name=${TROUPE_IDENTITY.name}`,
  `author.email=${TROUPE_IDENTITY.email}`,
  `committer.name=${TROUPE_IDENTITY.name}`,
  `committer.email=${TROUPE_IDENTITY.email}`,
  // a signing prompt or a missing key must not block a step commit
  'commit.gpgsign=false',
  'color.ui=false',
  'core.quotePath=false',
  'advice.detachedHead=false',
  ...NEUTRAL_CONFIG,
];

/** Before the command: whatever pager.<command> says, no pager starts. */
export const NO_PAGER = '--no-pager';

