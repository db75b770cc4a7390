/** One segment of a plan name: starts with a letter, then lowercase letters, digits or `-`. */
export const NAME_SEGMENT_PATTERN = /^[a-z][a-z0-9-]*$/;

const MAX_SEGMENT = 64;

/**
 * Why `name` is not a valid plan name (`namespace/name`, SPEC §2), or null
 * when it is. The answer is a sentence fragment meant to follow the field
 * path: `name: must be namespace/name…`.
 */
export function planNameProblem(name: string): string | null {
  const segments = name.split('/');
  if (segments.length !== 2) return 'must be namespace/name (exactly one "/"), e.g. demo/license-headers';
  for (const segment of segments) {
    if (segment.length === 0) return 'must be namespace/name with both parts non-empty';
    if (segment.length > MAX_SEGMENT)
      return `each part must be at most ${MAX_SEGMENT} characters ("${segment.slice(0, 16)}…" has ${segment.length})`;
    if (!NAME_SEGMENT_PATTERN.test(segment)) {
      return `each part must start with a lowercase letter and contain only a-z, 0-9 and "-" ("${segment}" does not)`;
    }
  }
  return null;
}

/** Whether `name` is a valid plan name. */
export function isPlanName(name: unknown): name is string {
  return typeof name === 'string' && planNameProblem(name) === null;
}

/**
 * The sandbox branch of a plan: `troupe/<name with / as ->-<last 6 of id>`
 * (SPEC §3). The id suffix keeps branches unique if a name is ever reused.
 */
export function sandboxBranchName(name: string, id: string): string {
  return `troupe/${name.replaceAll('/', '-')}-${id.slice(-6).toLowerCase()}`;
}

/** The name of the n-th (1-based) child of a plan that did not name it. */
export function childPlanName(parentName: string, n: number): string {
  return `${parentName}-${n}`;
}

/**
 * A plan as reports and logs name it: `demo/x (01J…)` — an operator knows
 * a plan by its name, the store by its id; its id alone when its name is
 * not known.
 *
 * @example
 * planCalled('01J…', 'demo/x'); // 'demo/x (01J…)'
 */
export function planCalled(planId: string, name: string | null | undefined): string {
  return name ? `${name} (${planId})` : planId;
}
