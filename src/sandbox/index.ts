// The sandbox: git worktrees per plan, step commits, changesets, path
// checks for tools, and the project repository (init, apply).
export type { PendingState, Sandboxes } from './types.js';
export { GitSandboxes, createGitSandboxes } from './git-sandboxes.js';
export { WORKTREES_DIR } from './worktree-paths.js';
export { sandboxBaseRef } from './sandbox-refs.js';
export { createPathGuard, type PathGuardOptions } from './path-guard.js';
export {
  findProjectRoot,
  initProject,
  setUpProject,
  ProjectRepo,
  createProjectRepo,
  DEFAULT_PROJECT_CONFIG,
} from './project.js';
export {
  PLAN_ID_TRAILER,
  listed,
  type ApplyOptions,
  type ApplyPreviewResult,
  type ApplyResult,
  type MergeConflictFile,
  type SettledConflict,
  type TreeMerger,
} from './apply-changes.js';
export { MergeWorkspace, CONFLICTS_DIR, mergeRef } from './merge-workspace.js';
export { GitTrees, type CommitRequest, type TreeChange } from './git-trees.js';
export { TROUPE_IDENTITY } from './git-command.js';
// commands a plan runs (SPEC §15): the port and its two implementations
export type { CommandSandbox, CommandRequest, CommandResult, ProcessStatus, SandboxProbe } from './command-sandbox.js';
export { createCommandSandbox, type CommandSandboxSettings } from './create-command-sandbox.js';
export { BubblewrapSandbox, type BubblewrapOptions } from './bubblewrap-sandbox.js';
export { findBubblewrap, type BubblewrapBinary } from './find-bubblewrap.js';
export { HOME_SECRETS } from './bubblewrap-policy.js';
// who a command is on the host, and what it may ask of the kernel (docs/explanation/sandbox.md#who-a-command-is)
export {
  commandIdentity,
  describeIdentity,
  resolveCommandIdentity,
  SANDBOX_USER,
  type CommandIdentity,
  type IdentitySources,
} from './command-identity.js';
export {
  SECCOMP_RULES,
  seccompProgram,
  hostSeccompArch,
  type SeccompRule,
  type SeccompArch,
} from './seccomp-filter.js';
export { clearListed, clearSetIdBits, noteTroupeWrite, prepareWorktree } from './worktree-ownership.js';
// what a power cut leaves, found before it is built on (docs/explanation/reliability.md#power-loss)
export { removeEmptyObjects } from './empty-objects.js';
export { readsWhole } from './readable-commits.js';
export { syncPaths } from './durable-files.js';
export { findLauncher, type SandboxLauncher } from './sandbox-launcher.js';
export { probeOutput, type ProbeOptions } from './probe-output.js';
export { UnconfinedSandbox } from './unconfined-sandbox.js';
export { ProcessLedger, RUN_DIR } from './process-ledger.js';
export { COMMAND_ENV_ALLOWLIST, commandEnv } from './command-env.js';
export { trackedPaths } from './tracked-paths.js';
export { DEPENDENCY_FOLDERS, findDependencyFolders } from './dependency-folders.js';
export { findGeneratedFiles, ignoredFiles } from './generated-files.js';
export { uncommittedPaths } from './uncommitted-paths.js';
// resource limits of contained commands (docs/explanation/sandbox.md#resource-limits)
export {
  ResourceLimiter,
  CommandLimits,
  cgroupsRemoved,
  describeEnforcement,
  type EnforcementChoice,
  type LimitEnforcement,
  type ResourceLimiterOptions,
} from './resource-limits.js';
export { CommandCgroup } from './command-cgroup.js';
export {
  detectCgroups,
  parseCgroupMounts,
  parseProcCgroup,
  cgroupDir,
  type CgroupSupport,
  type CgroupMount,
  type CgroupSources,
  type ProcCgroup,
} from './cgroups.js';
// one network a plan's commands and services share (docs/explanation/sandbox.md#services-and-the-plan-network)
export { startPlanNetwork, listeningIn, findNsenter, type PlanNetwork } from './plan-network.js';
export { PlanNetworks } from './plan-networks.js';
