import type { ConflictHunk, ConflictKind, ConflictPaths, ErrorCode } from '../src/domain/index.js';

// Outcomes the I/O actors report to the machines, shared by the plan and its supervisor.

/** A failure an I/O actor reports as data (not a throw). */
export interface ActorFailure {
  code: ErrorCode;
  message: string;
  hint?: string;
  details?: Record<string, unknown>;
  retryable?: boolean;
}

/** One conflicting file as a merge surfaced it. */
export interface SurfacedConflict {
  file: string;
  kind: ConflictKind;
  hunks: ConflictHunk[];
  /** The copy with conflict markers written for the user to edit (relative to the project), if any. */
  edit: string | null;
  /** For a file a side renamed: where base, ours and theirs have it. */
  paths?: ConflictPaths;
}

/** A merge that stopped on conflicts: its commits and what the user must resolve. */
export interface SurfacedMerge {
  base: string;
  ours: string;
  theirs: string;
  /** `ours` with every clean part of the merge applied. */
  clean: string;
  conflicts: SurfacedConflict[];
}

/** A conflict the `ours` / `theirs` strategy settled, recorded as a `conflict_resolution` decision. */
export interface StrategyResolution {
  file: string;
  kind: ConflictKind;
  with: 'ours' | 'theirs';
  hunks: number;
}
