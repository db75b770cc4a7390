import type { PlanRecord } from '../../domain/index.js';
import { forTerminal } from '../../domain/terminal-text.js';
import type { PlanUpdateResult } from '../../runtime/index.js';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { readPlanFileText } from './plan-file.js';

/**
 * `troupe plan update <plan> <file> [--reason <text>]`: the live
 * plan goes on with the edited file's `validate`, `env`, `invariants`,
 * `sandbox.limits` and `network`, checked as `plan new` checks a file; any
 * other field that differs is refused by name. The file is read here and
 * sent as text, as `plan new` does. `--json`: the {@link PlanUpdateResult}.
 */
export async function planUpdate(
  context: CommandContext,
  ref: string,
  file: string,
  options: { reason?: string },
): Promise<number> {
  const runtime = await context.runtime();
  // the plan first: an unknown plan is NOT_FOUND, whatever the file holds
  const record = await runtime.getPlan(ref);
  const text = await readPlanFileText(context.dir, file);
  const result = await runtime.updatePlan(record.id, text, {
    origin: file,
    ...(options.reason === undefined ? {} : { reason: options.reason }),
  });
  context.out.result(result, () => formatPlanUpdate(record, result));
  return EXIT.ok;
}

/**
 * What an update changed, a line per field, and what comes next.
 *
 * @example
 * formatPlanUpdate(record, result);
 * // demo/x: updated validate (decision 01J…)
 * //   validate        pytest -q → .venv/bin/pytest -q
 * // troupe plan run demo/x validates it again
 */
export function formatPlanUpdate(record: Pick<PlanRecord, 'name'>, result: PlanUpdateResult): string {
  const { name } = record;
  if (result.changed.length === 0) return `${name}: the file changes nothing the plan goes on with; nothing recorded`;
  const plan = result.plan;
  const them = result.changed.length === 1 ? 'it' : 'them';
  const next =
    plan.phase === 'validate' && plan.status === 'failed'
      ? `troupe plan run ${name} validates it again`
      : plan.status === 'processing'
        ? `what it starts from now on reads ${them} (a command running now keeps what it started with)`
        : `troupe plan run ${name} goes on with ${them}`;
  const fields = result.changed.map(
    (field) => `  ${field.padEnd(15)} ${changeWords(field, result.before[field], result.after[field])}`,
  );
  return [`${name}: updated ${result.changed.join(', ')} (decision ${result.decisionId})`, ...fields, next].join('\n');
}

// a field's change in a few words: commands and invariant ids; for env only the names (their values may be secrets)
function changeWords(field: string, before: unknown, after: unknown): string {
  if (field !== 'env') return `${valueWords(field, before)} → ${valueWords(field, after)}`;
  const was = (before ?? {}) as Record<string, string>;
  const now = (after ?? {}) as Record<string, string>;
  const set = Object.keys(now).filter((key) => was[key] !== now[key]);
  const removed = Object.keys(was).filter((key) => !(key in now));
  return [
    set.length > 0 ? `set ${set.map((key) => forTerminal(key)).join(', ')}` : '',
    removed.length > 0 ? `removed ${removed.map((key) => forTerminal(key)).join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

function valueWords(field: string, value: unknown): string {
  if (field === 'validate' && Array.isArray(value))
    return value.map((command) => forTerminal(String((command as { run?: unknown }).run))).join('; ') || 'none';
  if (field === 'invariants' && Array.isArray(value))
    return value.map((invariant) => forTerminal(String((invariant as { id?: unknown }).id))).join(', ') || 'none';
  return forTerminal(JSON.stringify(value ?? null));
}
