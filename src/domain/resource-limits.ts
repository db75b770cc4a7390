import { z } from 'zod';
import type { FieldIssue } from './errors.js';

/**
 * What a contained command may use at most (SPEC §19, docs/explanation/sandbox.md#resource-limits):
 * processes and threads at once, memory (RAM, page cache and what its private
 * `/tmp` and `/dev/shm` hold) in MB, and the size of any one file it writes, in MB.
 *
 * @example
 * const limits: ResourceLimits = { processes: 4096, memoryMB: 8192, fileSizeMB: 4096 };
 */
export interface ResourceLimits {
  processes: number;
  memoryMB: number;
  fileSizeMB: number;
}

/** The keys of `sandbox.limits`. */
export type ResourceLimitKey = keyof ResourceLimits;

/**
 * The name a limit goes by when a command hits it: `details.limit` of the
 * step's `TOOL_FAILED`, `CommandResult.limit`.
 */
export type ResourceLimitName = 'processes' | 'memory' | 'file size';

/** One key of `sandbox.limits`: the name it is reported by, its unit, the range allowed and its default. */
export interface ResourceLimitRule {
  name: ResourceLimitName;
  /** How a value is written in a message: `4096`, `8192 MB`. */
  unit: '' | ' MB';
  min: number;
  max: number;
  default: number;
}

/**
 * The three limits, their ranges and defaults. The defaults are far above
 * what an ordinary build or test suite uses (a few hundred processes and
 * threads, a few GB, files of a few hundred MB), and far below what a fork
 * bomb, a memory hog or a disk filler reaches; the ranges keep a limit
 * from being so low that a shell cannot start, or meaninglessly high.
 *
 * @example
 * RESOURCE_LIMITS.memoryMB.default; // 8192
 */
export const RESOURCE_LIMITS: Readonly<Record<ResourceLimitKey, ResourceLimitRule>> = {
  processes: { name: 'processes', unit: '', min: 16, max: 65_536, default: 4096 },
  memoryMB: { name: 'memory', unit: ' MB', min: 64, max: 1_048_576, default: 8192 },
  fileSizeMB: { name: 'file size', unit: ' MB', min: 1, max: 1_048_576, default: 4096 },
};

/** The keys in the order they are listed and checked. */
export const RESOURCE_LIMIT_KEYS = Object.keys(RESOURCE_LIMITS) as ResourceLimitKey[];

/**
 * The limits of a project that sets none (docs/explanation/sandbox.md#resource-limits).
 *
 * @example
 * const limits = effectiveLimits(undefined, undefined); // equal to DEFAULT_RESOURCE_LIMITS
 */
export const DEFAULT_RESOURCE_LIMITS: Readonly<ResourceLimits> = Object.freeze({
  processes: RESOURCE_LIMITS.processes.default,
  memoryMB: RESOURCE_LIMITS.memoryMB.default,
  fileSizeMB: RESOURCE_LIMITS.fileSizeMB.default,
});

const limitValue = ({ min, max }: ResourceLimitRule) => {
  const range = `must be a whole number from ${min} to ${max}`;
  return z.number({ error: range }).int({ error: range }).min(min, { error: range }).max(max, { error: range });
};

/**
 * `sandbox.limits` in `.troupe/config.json` and in a plan file: each key
 * optional, a whole number in its range; an unknown key is an error.
 *
 * @example
 * resourceLimitsSchema.parse({ processes: 256 }); // { processes: 256 }
 * resourceLimitsSchema.safeParse({ memoryMB: 0 }).success; // false: "must be a whole number from 64 to 1048576"
 */
export const resourceLimitsSchema = z.strictObject({
  processes: limitValue(RESOURCE_LIMITS.processes).optional(),
  memoryMB: limitValue(RESOURCE_LIMITS.memoryMB).optional(),
  fileSizeMB: limitValue(RESOURCE_LIMITS.fileSizeMB).optional(),
});
/** `sandbox.limits` as written: the keys set, each within its range. */
export type ResourceLimitSettings = z.output<typeof resourceLimitsSchema>;

/**
 * The limits a plan's commands run under: the project's (or the defaults),
 * lowered where the plan asks for less. A plan never raises one — that is
 * refused when the plan is created ({@link looserLimits}); taking the lower
 * value here also holds when the project tightened its limits afterwards.
 *
 * @example
 * effectiveLimits({ memoryMB: 4096 }, { processes: 64 }); // { processes: 64, memoryMB: 4096, fileSizeMB: 4096 }
 */
export function effectiveLimits(
  project: ResourceLimitSettings | undefined,
  plan: ResourceLimitSettings | undefined,
): ResourceLimits {
  const limits = { ...DEFAULT_RESOURCE_LIMITS, ...definedOf(project) };
  for (const key of RESOURCE_LIMIT_KEYS) limits[key] = Math.min(limits[key], plan?.[key] ?? Infinity);
  return limits;
}

/**
 * Where a plan file's `sandbox.limits` loosens the project's: one issue per
 * key above the project's limit, naming the plan's value, the project's and
 * the range allowed.
 *
 * @example
 * looserLimits({ memoryMB: 16384 }, DEFAULT_RESOURCE_LIMITS);
 * // [{ path: 'sandbox.limits.memoryMB', message: 'is 16384 MB, above the project's limit of 8192 MB: a plan may only tighten it (allowed: 64 to 8192)' }]
 */
export function looserLimits(
  plan: ResourceLimitSettings | undefined,
  project: ResourceLimits,
  prefix = '',
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const key of RESOURCE_LIMIT_KEYS) {
    const value = plan?.[key];
    if (value === undefined || value <= project[key]) continue;
    const { unit, min } = RESOURCE_LIMITS[key];
    issues.push({
      path: `${prefix}sandbox.limits.${key}`,
      message: `is ${value}${unit}, above the project's limit of ${project[key]}${unit}: a plan may only tighten it (allowed: ${min} to ${project[key]})`,
    });
  }
  return issues;
}

/**
 * A limit as a message names it: `the memory limit of 128 MB (sandbox.limits.memoryMB)`.
 *
 * @example
 * limitText('processes', 64); // 'the processes limit of 64 (sandbox.limits.processes)'
 */
export function limitText(name: ResourceLimitName, value: number | undefined): string {
  const key = keyOf(name);
  const of = value === undefined ? '' : ` of ${value}${RESOURCE_LIMITS[key].unit}`;
  return `the ${name} limit${of} (sandbox.limits.${key})`;
}

/**
 * What to do about a command stopped at a limit.
 *
 * @example
 * throw new TroupeError('TOOL_FAILED', message, { hint: limitHint('memory') });
 */
export function limitHint(name: ResourceLimitName): string {
  return `if the command needs more, raise sandbox.limits.${keyOf(name)} in the plan file (up to the project's) or in .troupe/config.json — see docs/explanation/sandbox.md#resource-limits`;
}

// the key of `sandbox.limits` a limit's name stands for
function keyOf(name: ResourceLimitName): ResourceLimitKey {
  return RESOURCE_LIMIT_KEYS.find((candidate) => RESOURCE_LIMITS[candidate].name === name)!;
}

function definedOf(settings: ResourceLimitSettings | undefined): Partial<ResourceLimits> {
  const defined: Partial<ResourceLimits> = {};
  for (const key of RESOURCE_LIMIT_KEYS) if (settings?.[key] !== undefined) defined[key] = settings[key];
  return defined;
}
