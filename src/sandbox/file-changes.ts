import type { FileAction, FileChange } from '../domain/index.js';
import { splitNul } from './git-command.js';

/**
 * The files changed between two commits, from the output of ONE
 * `git diff -z --raw --numstat --no-renames` (one git process for both
 * listings): git prints the raw records (`:<modes> <ids> <status>`, then the
 * path) first, then the numstat ones. Sorted by path. Binary files count no
 * lines and carry `binary: true`; a type change (file → symlink) is a
 * modification.
 *
 * @example
 * parseRawNumstat(':000000 100644 0000000 83db48f A\0a.txt\01\t0\ta.txt\0');
 * // [{ path: 'a.txt', action: 'added', linesAdded: 1, linesRemoved: 0 }]
 */
export function parseRawNumstat(output: string): FileChange[] {
  const actions = new Map<string, FileAction>();
  const numstat: string[] = [];
  const fields = splitNul(output);
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as string;
    // a numstat record starts with a count or "-"; a raw one with ":", and its path is the next field
    if (field.startsWith(':') && i + 1 < fields.length) {
      actions.set(fields[++i] as string, actionOf(field.slice(field.lastIndexOf(' ') + 1)));
    } else {
      numstat.push(field);
    }
  }
  return combine(actions, numstat);
}

/**
 * The paths `git add --all --verbose` staged, from its lines `add '<path>'`
 * and `remove '<path>'`, sorted. git prints the path as it is, unquoted, so
 * a name holding a line break reads as several paths: what this lists is
 * exact only for names without one (see the step's scope check in
 * actors/execute-step.ts).
 *
 * @example
 * parseAddVerbose("add 'a.txt'\nremove 'b.txt'\n"); // ['a.txt', 'b.txt']
 */
export function parseAddVerbose(output: string): string[] {
  const paths = new Set<string>();
  for (const line of output.split('\n')) {
    const match = /^(?:add|remove) '(.*)'$/s.exec(line);
    if (match) paths.add(match[1] as string);
  }
  return [...paths].sort();
}

function combine(actions: ReadonlyMap<string, FileAction>, numstat: readonly string[]): FileChange[] {
  const changes = new Map<string, FileChange>();
  for (const record of numstat) {
    // "<added>\t<removed>\t<path>": the path may itself hold tabs, so split twice only
    const first = record.indexOf('\t');
    const second = record.indexOf('\t', first + 1);
    if (first < 0 || second < 0) continue;
    const added = record.slice(0, first);
    const removed = record.slice(first + 1, second);
    const path = record.slice(second + 1);
    const binary = added === '-' && removed === '-';
    const previous = changes.get(path);
    changes.set(path, {
      path,
      action: actions.get(path) ?? 'modified',
      linesAdded: (previous?.linesAdded ?? 0) + (binary ? 0 : Number(added)),
      linesRemoved: (previous?.linesRemoved ?? 0) + (binary ? 0 : Number(removed)),
      ...(binary || previous?.binary ? { binary: true } : {}),
    });
  }
  // a change numstat does not count (e.g. a mode change only) still is a change
  for (const [path, action] of actions) {
    if (!changes.has(path)) changes.set(path, { path, action, linesAdded: 0, linesRemoved: 0 });
  }
  return [...changes.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function actionOf(status: string): FileAction {
  // with --no-renames git reports A, D, M, T (type change) and rarely U or X
  if (status.startsWith('A')) return 'added';
  if (status.startsWith('D')) return 'deleted';
  return 'modified';
}

/**
 * The paths in `git status --porcelain -z` output: every entry's path, and
 * for a rename or copy both the new and the original path. Sorted, unique.
 *
 * @example
 * parseStatusPaths(' M a.txt\0?? new file\0'); // ['a.txt', 'new file']
 */
export function parseStatusPaths(porcelain: string): string[] {
  const paths = new Set<string>();
  const fields = splitNul(porcelain);
  for (let i = 0; i < fields.length; i++) {
    const entry = fields[i] as string;
    if (entry.length < 4) continue;
    const status = entry.slice(0, 2);
    paths.add(entry.slice(3));
    // in -z mode a rename's original path is the next field, not "a -> b"
    if (status.includes('R') || status.includes('C')) {
      const original = fields[++i];
      if (original !== undefined) paths.add(original);
    }
  }
  return [...paths].sort();
}

/** A worktree's state from `git status --porcelain=v2 --branch -z`. */
export interface WorktreeStatus {
  /** The commit checked out, or null before the first commit. */
  head: string | null;
  /** Tracked paths that differ from HEAD (staged or not, deleted, unmerged). */
  tracked: string[];
  /** Untracked paths (not ignored). */
  untracked: string[];
}

/**
 * Parse `git status --porcelain=v2 --branch -z --untracked-files=all
 * --no-renames`. (v2 always prints the `# branch.*` headers, so the command
 * is never silent — simple-git waits 50 ms after a git command that printed
 * nothing.)
 *
 * @example
 * parseStatusV2('# branch.oid abc\0# branch.head main\0? new\0'); // { head: 'abc', tracked: [], untracked: ['new'] }
 */
export function parseStatusV2(output: string): WorktreeStatus {
  const status: WorktreeStatus = { head: null, tracked: [], untracked: [] };
  for (const field of splitNul(output)) {
    if (field.startsWith('# branch.oid ')) {
      const oid = field.slice('# branch.oid '.length);
      status.head = oid === '(initial)' ? null : oid;
    } else if (field.startsWith('1 ')) {
      // 1 XY sub mH mI mW hH hI <path>
      status.tracked.push(afterFields(field, 8));
    } else if (field.startsWith('u ')) {
      // u XY sub m1 m2 m3 mW h1 h2 h3 <path>
      status.tracked.push(afterFields(field, 10));
    } else if (field.startsWith('? ')) {
      status.untracked.push(field.slice(2));
    }
  }
  status.tracked.sort();
  status.untracked.sort();
  return status;
}

// the rest of a space-separated record after its first `count` fields: the
// path, which may itself contain spaces
function afterFields(record: string, count: number): string {
  let index = 0;
  for (let seen = 0; seen < count; seen += 1) index = record.indexOf(' ', index) + 1;
  return record.slice(index);
}
