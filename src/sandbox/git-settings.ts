import { NEUTRAL_CONFIG } from './git-config-guard.js';

/** The name and email troupe commits with (SPEC §3). */
export const TROUPE_IDENTITY = { name: 'troupe', email: 'troupe@localhost' } as const;

/**
 * The settings that make troupe's git sync what it writes (git 2.36 and
 * later read them; older ones ignore them, which `troupe doctor` says):
 * loose objects, packs and their indexes, refs, the index.
 */
export const DURABLE_CONFIG: readonly string[] = ['core.fsync=all', 'core.fsyncMethod=fsync'];

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
  // write-ahead (docs/explanation/architecture.md#durability-what-is-synced): every object, ref, index and
  // pack troupe's git writes is on disk before git exits, so before any record of troupe's names
  // it. fsync, not batch: batch counts on one flush writing every file out, which a power cut
  // on a file system that flushes per file (LazyFS) showed it does not — measured the same speed
  ...DURABLE_CONFIG,
  ...NEUTRAL_CONFIG,
];

/** Before the command: whatever pager.<command> says, no pager starts. */
export const NO_PAGER = '--no-pager';
