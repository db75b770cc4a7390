// The sandbox: git worktrees per plan, step commits, changesets, path
// checks for tools, and the project repository (init, apply).
export type { Sandboxes } from './types.js';
export { GitSandboxes, createGitSandboxes, sandboxBaseRef, WORKTREES_DIR } from './git-sandboxes.js';
export { createPathGuard, type PathGuardOptions } from './path-guard.js';
export { findProjectRoot, initProject, ProjectRepo, createProjectRepo, DEFAULT_PROJECT_CONFIG } from './project.js';
export { PLAN_ID_TRAILER, listed, type ApplyOptions, type ApplyResult, type MergeConflictFile, type SettledConflict, type TreeMerger } from './apply-changes.js';
export { MergeWorkspace, CONFLICTS_DIR, mergeRef } from './merge-workspace.js';
export { GitTrees, type CommitRequest, type TreeChange } from './git-trees.js';
export { TROUPE_IDENTITY } from './git-command.js';
