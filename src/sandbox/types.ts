import type { FileChange, SandboxInfo } from '../domain/index.js';
import type { WorktreeStatus } from './file-changes.js';

/** What differs in a worktree from its HEAD: the paths, and git's status they come from. */
export interface PendingState {
  /** As {@link Sandboxes.pendingPaths} lists them. */
  paths: string[];
  /** The worktree's status as git gave it; null when the worktree is missing. */
  status: WorktreeStatus | null;
}

/**
 * The sandbox port (DESIGN §5): one git worktree per plan under
 * `.troupe/worktrees/<plan-id>`, commits by troupe's own identity.
 * Every method is safe to call twice (XState re-runs in-flight actors on restore).
 */
export interface Sandboxes {
  /** The project root (absolute). */
  readonly projectRoot: string;
  /**
   * The plan's sandbox, created on first call: a worktree on branch
   * `troupe/<name>-<id6>` at `base` (default: the project's HEAD). A second
   * call returns the existing one unchanged. `repo`: the root of another git
   * repository (a registered project) whose worktree it is, branched from
   * that repository's HEAD by default; the worktree still lives here.
   * `onCreated` is called with the head when this call checked the worktree
   * out (a new sandbox, or a lost worktree made again), so it is clean there.
   */
  ensure(
    plan: { id: string; name: string },
    options?: { base?: string; repo?: string; onCreated?: (head: string) => void },
  ): Promise<SandboxInfo>;
  /**
   * A plan's recorded sandbox, made sure it still exists: as {@link
   * Sandboxes.ensure} with the record's base, returning the record's base
   * and head. A lost worktree is made again with its branch at the
   * recorded head (a worker taking a plan that ran on another machine: the
   * record says where it is); one that is there is kept as it is. A
   * worktree this process created or already checked, whose `.git` is still
   * there, is returned as recorded without asking git. `onCreated` as for
   * {@link Sandboxes.ensure}: called with the head when this call checked
   * the worktree out.
   */
  reopen(
    plan: { id: string; name: string },
    sandbox: SandboxInfo,
    options?: { onCreated?: (head: string) => void },
  ): Promise<SandboxInfo>;
  /**
   * Move a sandbox that has no commits of its own (head = base) to the
   * project's current HEAD, as if it had been created now: its worktree,
   * branch and base move together. A sandbox with commits is returned
   * unchanged. Safe to call twice.
   */
  startOver(sandbox: SandboxInfo): Promise<SandboxInfo>;
  /** Absolute path of a sandbox's worktree. */
  pathOf(sandbox: SandboxInfo): string;
  /**
   * `git reset --hard <commit>` and remove untracked files (ignored files
   * stay). `cleanAt`: the commit at which the caller itself last saw the
   * worktree clean, with nothing written since (`cleanSandboxes`); then the
   * worktree is only moved, without first asking git for its status.
   * `seen`: its status as the caller just read it ({@link pendingState}),
   * nothing run in it since; the reset acts on it without asking again.
   * `keepUntracked`: tracked files only (validate: what a crash emptied is
   * written again, a file a person put there to make a check pass stays).
   */
  reset(
    sandbox: SandboxInfo,
    commit: string,
    options?: { cleanAt?: string; seen?: WorktreeStatus; keepUntracked?: boolean },
  ): Promise<void>;
  /**
   * Sandbox-relative paths that differ from the worktree's HEAD: modified,
   * deleted, untracked. A git repository made inside the worktree (a `.git`
   * folder or file below its root) is one entry ending in `/`, as git names
   * it: `vendor/lib/`.
   */
  pendingPaths(sandbox: SandboxInfo): Promise<string[]>;
  /** {@link pendingPaths} with the status they were read from: a caller that resets next passes it on (one `git status` fewer). */
  pendingState(sandbox: SandboxInfo): Promise<PendingState>;
  /**
   * Whether git reads the sandbox's head commit whole (the commit and
   * what its tree names): false after a crash took it before it reached
   * the disk (docs/reference/errors.md#REPOSITORY_DAMAGED) — a rollback then goes
   * back to a checkpoint without asking what the lost head held.
   */
  readsHead(sandbox: SandboxInfo): Promise<boolean>;
  /** Commit everything in the worktree as troupe (an empty commit if nothing changed); returns the commit id. */
  commit(sandbox: SandboxInfo, message: string): Promise<string>;
  /**
   * Stage everything in the worktree (`git add --all`) and return the paths
   * staged, sorted, as git names them: exact for names without a line
   * break, a name holding one reads as several (so a caller that must know
   * every changed path asks {@link Sandboxes.pendingPaths}, which sees
   * staged changes too). Empty when nothing changed. Also starts the git
   * helper: a plan that stages makes writing steps, many in a row.
   */
  stage(sandbox: SandboxInfo): Promise<string[]>;
  /**
   * Commit what is staged as troupe, and list the files changed from
   * `base` to that commit (the changeset, as {@link Sandboxes.diff} would
   * list them): the commit and the listing run side by side.
   */
  commitStaged(
    sandbox: SandboxInfo,
    message: string,
    base: string,
  ): Promise<{ headCommit: string; files: FileChange[] }>;
  /** The paths of the files a commit of the sandbox holds, sorted. */
  files(sandbox: SandboxInfo, commit: string): Promise<string[]>;
  /** The files changed between two commits of the sandbox (renames as delete + add). */
  diff(sandbox: SandboxInfo, base: string, head: string): Promise<FileChange[]>;
  /**
   * The paths {@link diff} lists and how each changed, without counting
   * lines: git compares trees and reads no file (a rollback of a step that
   * wrote 1,000 files lists them in a few milliseconds).
   */
  changedPaths(sandbox: SandboxInfo, base: string, head: string): Promise<Pick<FileChange, 'path' | 'action'>[]>;
  /** The unified diff of the sandbox between two commits, as `git diff` prints it. */
  patch(sandbox: SandboxInfo, base: string, head: string): Promise<string>;
  /** Remove the worktree and its branch. Safe if already gone. */
  remove(sandbox: SandboxInfo): Promise<void>;
  /**
   * Keep `commits` of a plan reachable (under `refs/troupe/keep/<plan-id>/`)
   * whatever happens to its branch: a rollback moves the branch back, and
   * the commits it leaves are still an undo checkpoint's. Safe to repeat.
   */
  keep(planId: string, commits: readonly string[], repo?: string): Promise<void>;
  /**
   * Let sandboxes go (housekeeping): each one's `keep` commits are kept
   * reachable as by {@link Sandboxes.keep}, then its worktree is deleted and
   * its branch and base ref removed — one ref transaction and one worktree
   * prune per repository however many there are. Safe to repeat.
   */
  release(sandboxes: readonly { sandbox: SandboxInfo; keep: readonly string[] }[]): Promise<void>;
  /**
   * Drop every ref troupe holds for these plans — kept commits, base, a
   * resolved merge — when nothing can roll them back any more (applied,
   * ended and gc'd, deleted); answers how many went. Safe to repeat.
   */
  forget(planIds: readonly string[], repo?: string): Promise<number>;
  /** How many refs troupe holds for each plan in the repository (`refs/troupe/keep|base|merge/<plan-id>…`). */
  planRefs(repo?: string): Promise<Map<string, number>>;
  /**
   * What sandboxes exist on disk and in the repository: the plan ids of the
   * worktree folders under `.troupe/worktrees`, and troupe's branches
   * (`troupe/…`) with the folder each is checked out in, if any.
   */
  leftovers(
    repo?: string,
  ): Promise<{ worktrees: string[]; branches: { branch: string; checkedOutAt: string | null }[] }>;
}
