import { renamedLine, type ConflictHunk } from '../../domain/index.js';
import { forTerminal, quotedPath } from '../../domain/terminal-text.js';
import type { ConflictList, ConflictView, ResolveResult } from '../../runtime/index.js';
import type { Output } from '../output.js';

// a hunk shows this many lines of each side; `plan conflicts --json` has them all
const LINES_SHOWN = 6;

/**
 * Whose side is whose in a merge (SPEC §9): for apply ours is the project's
 * branch and theirs the plan; for a child's merge ours is the parent's
 * sandbox and theirs the child.
 *
 * @example
 * sidesOf('demo/fan', 'demo/fan-2'); // { ours: "demo/fan's sandbox", theirs: 'the child plan demo/fan-2' }
 * sidesOf('demo/clash', null); // { ours: "the project's branch", theirs: 'the plan demo/clash' }
 */
export function sidesOf(plan: string, child: string | null): { ours: string; theirs: string } {
  if (child === null) return { ours: "the project's branch", theirs: `the plan ${plan}` };
  return { ours: `${plan}'s sandbox`, theirs: `the child plan ${child}` };
}

/** `troupe plan conflicts` as text: each open file with its kind, hunks and the copy to edit, then whose side is whose and how to resolve. */
export function formatConflicts(name: string, list: ConflictList, out: Output): string {
  if (list.conflicts.length === 0) {
    const resolved = list.resolved.length > 0 ? ` (${list.resolved.length} resolved)` : '';
    return out.paint('dim', `${name} has no open conflicts${resolved}; it is at (${list.phase}, ${list.status})`);
  }
  // one merge waits at a time: the files of a child's merge all come from that child
  const child = childOf(list.conflicts[0]!);
  const merging = child === null ? '' : ` merging its child plan ${child}`;
  const lines = [
    `${out.paint('bold', name)} waits on ${count(list.conflicts.length, 'conflicting file')} in ${list.phase}${merging}:`,
  ];
  for (const conflict of list.conflicts) lines.push(...formatConflict(conflict, out));
  if (list.resolved.length > 0) {
    lines.push(`resolved: ${list.resolved.map((entry) => `${quotedPath(entry.file)} (${entry.with})`).join(', ')}`);
  }
  const sides = sidesOf(name, child);
  lines.push(
    `resolve each: ${resolveCommand(name)}  (ours: ${sides.ours}, theirs: ${sides.theirs}, --use: a file you edited)`,
  );
  return lines.join('\n');
}

/** What `troupe plan resolve` did, whose side it took, and what comes next. */
export function formatResolved(name: string, result: ResolveResult, out: Output): string {
  const sides = sidesOf(name, result.child === null ? null : (result.childName ?? result.child));
  const how =
    result.with === 'file'
      ? 'your file'
      : result.with === 'content'
        ? 'the merged text given'
        : `${result.with} (${sides[result.with]})`;
  const head = `${out.paint('green', '✓')} resolved ${quotedPath(result.file)} with ${how}`;
  if (result.remaining.length > 0) {
    return [
      `${head}; ${count(result.remaining.length, 'conflict')} left: ${result.remaining.map(quotedPath).join(', ')}`,
      `next: ${resolveCommand(name)}`,
    ].join('\n');
  }
  if (result.child === null) {
    // the commit on the project's branch is the one apply makes, not the merge's: name it only once it is there
    if (result.mergeCommit)
      return `${head}; no conflicts left: applied as commit ${result.mergeCommit.slice(0, 7)} on the project's branch`;
    return [
      `${head}; no conflicts left: the merge is ready to apply`,
      `next: troupe plan apply ${name}  (troupe plan changes ${name} shows what it will apply)`,
    ].join('\n');
  }
  const commit = result.mergeCommit
    ? `merge commit ${result.mergeCommit.slice(0, 7)} made in the sandbox`
    : 'merge done';
  return [`${head}; no conflicts left: ${commit}`, `next: ${runOnCommand(name, result.plan)}`].join('\n');
}

/**
 * The one command that carries a plan on after its child's merge was
 * resolved: `plan run` goes through the phases its automation
 * allows — to validate for `review`, to done for `auto`; a `manual` plan,
 * which runs one phase at a time, is told `--until validate` so it does not
 * stop after each. Apply stays the user's to run, as after any validate.
 *
 * @example
 * runOnCommand('demo/fan', record); // 'troupe plan run demo/fan'
 */
export function runOnCommand(name: string, plan: Pick<ResolveResult['plan'], 'automation'>): string {
  return `troupe plan run ${name}${plan.automation === 'manual' ? ' --until validate' : ''}`;
}

/** The child a conflict came from, by name (its id when the name is unknown), or null for apply. */
export function childOf(conflict: Pick<ConflictView, 'child' | 'childName'>): string | null {
  return conflict.child === null ? null : (conflict.childName ?? conflict.child);
}

function formatConflict(conflict: ConflictView, out: Output): string[] {
  // a rename-rename whose contents merged has nothing to show line by line: only the paths conflict
  const facts = [
    conflict.kind,
    conflict.hunks.length === 0 && conflict.paths ? 'contents merge cleanly' : count(conflict.hunks.length, 'hunk'),
  ];
  if (conflict.child) facts.push(`from ${childOf(conflict)}`);
  if (conflict.edit) facts.push(`edit ${quotedPath(conflict.edit)}`);
  const lines = [`  ${out.paint('yellow', quotedPath(conflict.file))}  ${out.paint('dim', facts.join(' · '))}`];
  if (conflict.paths) lines.push(`    ${renamedLine(conflict.paths)}`);
  conflict.hunks.forEach((hunk, index) => {
    const title = hunkTitle(hunk, index, conflict.hunks.length);
    if (title) lines.push(out.paint('dim', `    ${title}`));
    lines.push(...hunkLines(hunk, { indent: '    ', dim: (text) => out.paint('dim', text) }));
  });
  return lines;
}

/**
 * What names a hunk above its lines: its number among several, and for a
 * JSON file the key path it is at (`hunk 2 at dependencies.react`); null
 * for the one hunk of a text file.
 *
 * @example
 * hunkTitle({ ours: '"2"', base: '"1"', theirs: '"3"', path: 'version' }, 0, 1); // 'at version'
 */
export function hunkTitle(hunk: ConflictHunk, index: number, of: number): string | null {
  // a key path is the JSON file's own text
  const at = hunk.path === undefined ? null : `at ${forTerminal(hunk.path)}`;
  if (of > 1) return [`hunk ${index + 1}`, at].filter(Boolean).join(' ');
  return at;
}

/**
 * A hunk's three sides, labelled, at most six lines each (`troupe plan
 * conflicts`, the conflict view of `troupe ui`), each line's control
 * characters escaped ({@link forTerminal}).
 *
 * @example
 * hunkLines({ ours: 'TWO user\n', base: 'two\n', theirs: 'TWO plan\n' }, { indent: '  ' });
 * // ['  ours   │ TWO user', '  base   │ two', '  theirs │ TWO plan']
 */
export function hunkLines(hunk: ConflictHunk, options: { indent: string; dim?: (text: string) => string }): string[] {
  const dim = options.dim ?? ((text: string) => text);
  const side = (label: string, text: string | null) => {
    // a JSON hunk is about one key: a side without it has no such key, not no file
    if (text === null)
      return [`${options.indent}${label.padEnd(6)} │ ${dim(hunk.path ? '(no such key)' : '(no file)')}`];
    // a CRLF file's lines end in a line break, not in a CR to show
    const all = text.replace(/\r?\n$/, '').split(/\r?\n/);
    const shown = all
      .slice(0, LINES_SHOWN)
      .map((line, index) => `${options.indent}${(index === 0 ? label : '').padEnd(6)} │ ${forTerminal(line)}`);
    if (all.length > LINES_SHOWN)
      shown.push(`${options.indent}${''.padEnd(6)} │ ${dim(`… ${all.length - LINES_SHOWN} more lines`)}`);
    return shown;
  };
  return [...side('ours', hunk.ours), ...side('base', hunk.base), ...side('theirs', hunk.theirs)];
}

function resolveCommand(name: string): string {
  return `troupe plan resolve ${name} <file> --ours|--theirs|--use <path>`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
