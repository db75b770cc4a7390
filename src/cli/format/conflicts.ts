import type { ConflictHunk } from '../../domain/index.js';
import type { ConflictList, ConflictView, ResolveResult } from '../../runtime/index.js';
import type { Output } from '../output.js';

// a hunk shows this many lines of each side; `plan conflicts --json` has them all
const LINES_SHOWN = 6;

/** `troupe plan conflicts` as text: each open file with its kind, hunks and the copy to edit, then how to resolve. */
export function formatConflicts(name: string, list: ConflictList, out: Output): string {
  if (list.conflicts.length === 0) {
    const resolved = list.resolved.length > 0 ? ` (${list.resolved.length} resolved)` : '';
    return out.paint('dim', `${name} has no open conflicts${resolved}; it is at (${list.phase}, ${list.status})`);
  }
  const lines = [`${out.paint('bold', name)} waits on ${count(list.conflicts.length, 'conflicting file')} in ${list.phase}:`];
  for (const conflict of list.conflicts) lines.push(...formatConflict(conflict, out));
  if (list.resolved.length > 0) {
    lines.push(`resolved: ${list.resolved.map((entry) => `${entry.file} (${entry.with})`).join(', ')}`);
  }
  lines.push(resolveHint(name));
  return lines.join('\n');
}

/** What `troupe plan resolve` did, and what comes next. */
export function formatResolved(name: string, result: ResolveResult, out: Output): string {
  const how = result.with === 'file' ? 'your file' : result.with === 'content' ? 'the merged text given' : `${result.with} (${result.with === 'ours' ? "the project's side" : "the plan's side"})`;
  const head = `${out.paint('green', '✓')} resolved ${result.file} with ${how}`;
  if (result.remaining.length > 0) {
    return [`${head}; ${count(result.remaining.length, 'conflict')} left: ${result.remaining.join(', ')}`, `next: ${resolveCommand(name)}`].join('\n');
  }
  const commit = result.mergeCommit ? `merge commit ${result.mergeCommit.slice(0, 7)} made` : 'merge done';
  return [`${head}; no conflicts left: ${commit}`, `next: troupe plan ${result.plan.phase} ${name}`].join('\n');
}

function formatConflict(conflict: ConflictView, out: Output): string[] {
  const facts = [conflict.kind, count(conflict.hunks.length, 'hunk')];
  if (conflict.child) facts.push(`from ${conflict.child}`);
  if (conflict.edit) facts.push(`edit ${conflict.edit}`);
  const lines = [`  ${out.paint('yellow', conflict.file)}  ${out.paint('dim', facts.join(' · '))}`];
  conflict.hunks.forEach((hunk, index) => {
    if (conflict.hunks.length > 1) lines.push(out.paint('dim', `    hunk ${index + 1}`));
    lines.push(...formatHunk(hunk, out));
  });
  return lines;
}

function formatHunk(hunk: ConflictHunk, out: Output): string[] {
  const side = (label: string, text: string | null) => {
    if (text === null) return [`    ${label.padEnd(6)} │ ${out.paint('dim', '(no file)')}`];
    const all = text.replace(/\n$/, '').split('\n');
    const shown = all.slice(0, LINES_SHOWN).map((line, index) => `    ${(index === 0 ? label : '').padEnd(6)} │ ${line}`);
    if (all.length > LINES_SHOWN) shown.push(`    ${''.padEnd(6)} │ ${out.paint('dim', `… ${all.length - LINES_SHOWN} more lines`)}`);
    return shown;
  };
  return [...side('ours', hunk.ours), ...side('base', hunk.base), ...side('theirs', hunk.theirs)];
}

function resolveHint(name: string): string {
  return `resolve each: ${resolveCommand(name)}  (ours: the project's side, theirs: the plan's, --use: a file you edited)`;
}

function resolveCommand(name: string): string {
  return `troupe plan resolve ${name} <file> --ours|--theirs|--use <path>`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
