import {
  BUILT_IN_CHECKS,
  ValidationError,
  didYouMean,
  toFieldIssues,
  type FieldIssue,
  type Invariant,
} from '../../src/domain/index.js';
import type { AnyCheckSpec } from './types.js';
import { commandCheck } from './command.js';
import { fileAbsentCheck, fileExistsCheck } from './files.js';
import { pathsWithinCheck } from './paths-within.js';
import { noConflictsCheck } from './no-conflicts.js';

/**
 * The checks troupe ships (SPEC §4), by name.
 *
 * @example
 * const names = BUILT_IN_CHECK_SPECS.map((check) => check.name); // ['command', 'file-exists', …]
 */
export const BUILT_IN_CHECK_SPECS: readonly AnyCheckSpec[] = [
  commandCheck,
  fileExistsCheck,
  fileAbsentCheck,
  pathsWithinCheck,
  noConflictsCheck,
];

// fields every invariant has, whatever its check
const COMMON_FIELDS = new Set(['id', 'check', 'description', 'tier']);

/**
 * The invariant checks a runtime knows: the built-ins and the ones an app
 * registered. It validates invariants against them before anything is
 * written, so an unknown check or a bad option is a `VALIDATION_ERROR`
 * naming the field when the plan file is read.
 *
 * @example
 * const registry = new CheckRegistry([lintClean]);
 * registry.names(); // ['command', 'file-exists', 'file-absent', 'paths-within', 'no-conflicts', 'acme/lint-clean']
 * const problems = registry.problems(spec.invariants, 'invariants'); // FieldIssue[]
 */
export class CheckRegistry {
  readonly #checks = new Map<string, AnyCheckSpec>();

  constructor(custom: readonly AnyCheckSpec[] = []) {
    for (const check of BUILT_IN_CHECK_SPECS) this.#checks.set(check.name, check);
    const issues: FieldIssue[] = [];
    custom.forEach((check, index) => {
      if (this.#checks.has(check.name))
        issues.push({ path: `checks[${index}].name`, message: `a check named "${check.name}" is already registered` });
      else this.#checks.set(check.name, check);
    });
    if (issues.length > 0)
      throw new ValidationError(issues, { subject: 'createRuntime options', hint: 'give each check its own name' });
  }

  /** The check registered under `name`. */
  get(name: string): AnyCheckSpec | undefined {
    return this.#checks.get(name);
  }

  /** Every registered name, built-ins first. */
  names(): string[] {
    return [...this.#checks.keys()];
  }

  /**
   * Problems with invariants a schema already parsed: a check nobody
   * registered, or options its check refuses. Built-in invariants are fully
   * checked by the plan-file schema; this covers the registered ones.
   */
  problems(invariants: readonly Invariant[], prefix: string): FieldIssue[] {
    return invariants.flatMap((invariant, index) => this.problemsOf(invariant, `${prefix}[${index}]`));
  }

  /** The problems of one parsed invariant (see {@link problems}), with field paths under `at`. */
  problemsOf(invariant: Invariant, at: string): FieldIssue[] {
    if ((BUILT_IN_CHECKS as readonly string[]).includes(invariant.check)) return [];
    const check = this.#checks.get(invariant.check);
    const registered = this.names().filter((name) => !(BUILT_IN_CHECKS as readonly string[]).includes(name));
    if (!check) {
      return [
        {
          path: `${at}.check`,
          message: `no check named "${invariant.check}" is registered (${registered.length > 0 ? `registered: ${registered.join(', ')}` : 'register it with createRuntime({ checks })'})${didYouMean(invariant.check, registered)}`,
        },
      ];
    }
    const options = Object.fromEntries(Object.entries(invariant).filter(([key]) => !COMMON_FIELDS.has(key)));
    if (!check.options)
      return Object.keys(options).map((key) => ({
        path: `${at}.${key}`,
        message: `is not a field of the ${check.name} check`,
      }));
    const parsed = check.options.safeParse(options);
    return parsed.success ? [] : toFieldIssues(parsed.error.issues, options, at, check.options);
  }

  /** The invariant with its check's option defaults applied (built-ins are returned as they are). */
  withDefaults<T extends Invariant>(invariant: T): T {
    const check = this.#checks.get(invariant.check);
    if (!check?.options || (BUILT_IN_CHECKS as readonly string[]).includes(invariant.check)) return invariant;
    const options = Object.fromEntries(Object.entries(invariant).filter(([key]) => !COMMON_FIELDS.has(key)));
    const parsed = check.options.safeParse(options);
    return parsed.success ? { ...invariant, ...parsed.data } : invariant;
  }
}
