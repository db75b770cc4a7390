import type { JournalEvent } from '../../domain/index.js';
import { quotedPath } from '../../domain/terminal-text.js';

/**
 * The subject of an event in a few words (SPEC §11 `data` shapes): its
 * step, child, checkpoint, overlapping children, files or reason — what
 * `troupe ui` lists beside each recent event, and `troupe events` says of
 * an event the progress has no line for.
 *
 * @example
 * eventSummary({ type: 'checkpoint.created', data: { trigger: 'manual', label: 'before' } } as JournalEvent); // 'manual before'
 */
export function eventSummary(event: JournalEvent): string {
  const data = event.data;
  const text = (key: string) =>
    typeof data[key] === 'string' || typeof data[key] === 'number' ? String(data[key]) : null;
  if (event.type.startsWith('step.') && typeof data.index === 'number')
    return `step ${data.index + 1}${text('title') ? ` ${text('title')}` : ''}`;
  if (event.type.startsWith('subplan.')) return [text('name'), text('status')].filter(Boolean).join(' ');
  if (event.type === 'checkpoint.created') return [text('trigger'), text('label')].filter(Boolean).join(' ');
  if (event.type === 'plan.created') return text('goal') ?? '';
  if (event.type === 'plan.updated' && Array.isArray(data.changed)) return data.changed.map(String).join(', ');
  if (event.type === 'tool.called' && Array.isArray(data.calls))
    return data.calls.map((call) => String((call as { tool?: unknown }).tool)).join(', ');
  if (event.type === 'conflict.predicted' || event.type === 'overlap.detected') return overlapSummary(data);
  // a file name as git quotes it: a name with a line break or an escape sequence stays on its line, inert
  if (Array.isArray(data.files))
    return data.files
      .filter((file) => typeof file === 'string')
      .map(quotedPath)
      .join(', ');
  const file = text('file');
  return file === null ? (text('reason') ?? text('tool') ?? '') : quotedPath(file);
}

// `demo/a ↔ demo/b: src/a.ts` for a predicted conflict; `warn: demo/a ↔ demo/b` for the overlap of a group
function overlapSummary(data: Record<string, unknown>): string {
  const names = (list: unknown) =>
    Array.isArray(list)
      ? list
          .map((item) => (typeof item === 'string' ? item : String((item as { name?: unknown }).name ?? '?')))
          .join(' ↔ ')
      : '';
  if (Array.isArray(data.pairs))
    return `${String(data.policy)}: ${data.pairs.map((pair) => names((pair as { entries?: unknown }).entries)).join(', ')}`;
  return `${names(data.children)}: ${Array.isArray(data.files) ? data.files.map((file) => quotedPath(String(file))).join(', ') : ''}`;
}

/**
 * The step an event is about, 0-based, or null for one about no step: a
 * step's own events and its tool calls (`index`), what was checked or
 * refused after it and the groups it spawned (`step`), a checkpoint that
 * names its step (`step.number`, from 1). An agent's read is no step.
 *
 * @example
 * stepOf({ type: 'step.started', data: { index: 1, title: 'Test' } } as JournalEvent); // 1
 */
export function stepOf(event: Pick<JournalEvent, 'type' | 'data'>): number | null {
  const { index, step } = event.data;
  if (event.type.startsWith('step.') || event.type === 'tool.called') return typeof index === 'number' ? index : null;
  if (event.type === 'read.completed') return null;
  if (typeof step === 'number') return step;
  // a checkpoint names the step it follows as people count it
  const number = typeof step === 'object' && step !== null ? (step as { number?: unknown }).number : undefined;
  return typeof number === 'number' ? number - 1 : null;
}
