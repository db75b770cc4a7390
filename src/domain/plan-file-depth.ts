import type { FieldIssue } from './errors.js';

/**
 * How deep child plans may nest in one plan file: a child of the plan is
 * level 1, its child level 2… up to this. Deeper is a VALIDATION_ERROR
 * naming the `subplans` step that goes past it (docs/reference/plan-file.md#limits).
 *
 * @example
 * const allowed = MAX_SUBPLAN_DEPTH; // 16
 */
export const MAX_SUBPLAN_DEPTH = 16;

/**
 * A plan file's data with every `subplans` step past
 * {@link MAX_SUBPLAN_DEPTH} cut short (its children keep their fields, not
 * their strategies), and an issue for each cut. The rest of the file can
 * then be validated in full without the schema recursing without end.
 *
 * @example
 * const { data, issues } = cutDeepSubplans(parsedYaml);
 * if (issues.length > 0) console.log(issues[0].message); // 'nests child plans 17 levels deep; at most 16 are allowed'
 */
export function cutDeepSubplans(data: unknown): { data: unknown; issues: FieldIssue[] } {
  if (!isMapping(data) || !('strategy' in data)) return { data, issues: [] };
  const issues: FieldIssue[] = [];
  const strategy = cutStrategy(data['strategy'], 0, 'strategy', issues);
  return issues.length === 0 ? { data, issues } : { data: { ...data, strategy }, issues };
}

// the strategy of a plan at `level` (the root is 0); recursion stops at the limit
function cutStrategy(strategy: unknown, level: number, prefix: string, issues: FieldIssue[]): unknown {
  if (!isMapping(strategy) || !Array.isArray(strategy['steps'])) return strategy;
  const steps = (strategy['steps'] as unknown[]).map((step, index) => {
    const subplans = isMapping(step) ? step['subplans'] : undefined;
    if (!isMapping(step) || !isMapping(subplans) || !Array.isArray(subplans['entries'])) return step;
    const at = `${prefix}.steps[${index}].subplans`;
    const entries = (subplans['entries'] as unknown[]).map((entry, entryIndex) => {
      if (!isMapping(entry) || !('strategy' in entry)) return entry;
      if (level + 1 < MAX_SUBPLAN_DEPTH)
        return {
          ...entry,
          strategy: cutStrategy(entry['strategy'], level + 1, `${at}.entries[${entryIndex}].strategy`, issues),
        };
      // a child at the deepest level allowed: its own subplans would go past it
      const { strategy: cut, ...rest } = entry;
      const deeper = subplanStepIndex(cut);
      if (deeper < 0) return entry;
      issues.push({
        path: `${at}.entries[${entryIndex}].strategy.steps[${deeper}].subplans`,
        message: `nests child plans ${MAX_SUBPLAN_DEPTH + 1} levels deep; at most ${MAX_SUBPLAN_DEPTH} are allowed`,
      });
      return rest;
    });
    return { ...step, subplans: { ...subplans, entries } };
  });
  return { ...strategy, steps };
}

// the first step of a strategy that spawns children, or -1
function subplanStepIndex(strategy: unknown): number {
  if (!isMapping(strategy) || !Array.isArray(strategy['steps'])) return -1;
  return (strategy['steps'] as unknown[]).findIndex((step) => isMapping(step) && 'subplans' in step);
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
