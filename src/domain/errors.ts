import type { Phase } from './phases.js';

/**
 * Stable error codes (SPEC §12); documented in docs/reference/errors.md.
 *
 * @example
 * const isTroupeCode = (code: string): code is ErrorCode => (ERROR_CODES as readonly string[]).includes(code);
 */
export const ERROR_CODES = [
  'VALIDATION_ERROR',
  'NOT_FOUND',
  'NOT_A_GIT_REPO',
  'PHASE_GUARD',
  'READ_ONLY_PHASE',
  'SANDBOX_ESCAPE',
  'SCOPE_VIOLATION',
  'SANDBOX_UNAVAILABLE',
  'TOOL_FAILED',
  'TIMEOUT',
  'CANCELLED',
  'INVARIANT_VIOLATED',
  'MERGE_CONFLICT',
  'DIRTY_WORKTREE',
  'CONFIRMATION_REQUIRED',
  'REVERSION_LIMIT',
  'STORE_CORRUPT',
  'STORE_VERSION',
  'STORE_LOCKED',
  'STORE_UNAVAILABLE',
  'QUEUE_UNAVAILABLE',
  'REMOTE_UNAVAILABLE',
  'MODEL_UNAVAILABLE',
  'MODEL_STEP_LIMIT',
  'REPOSITORY_DAMAGED',
  'INTERNAL_ERROR',
] as const;
/**
 * A stable error code (SPEC §12): one of {@link ERROR_CODES}.
 *
 * @example
 * try {
 *   await runtime.runPhase('demo/x', 'apply');
 * } catch (error) {
 *   const code: ErrorCode | undefined = error instanceof TroupeError ? error.code : undefined;
 *   if (code === 'MERGE_CONFLICT') console.log('resolve the conflicts, then apply again');
 * }
 */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** One problem with an input: where (a field path such as `strategy.steps[1].tool`) and what. */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/** Options every {@link TroupeError} takes besides its code and message. */
export interface TroupeErrorOptions {
  /** The next thing the user can do, naming a command where one helps. */
  readonly hint?: string;
  /** Structured context (files, exit codes, field issues…), JSON-serialisable. */
  readonly details?: Record<string, unknown>;
  readonly cause?: unknown;
}

/**
 * The one error class troupe throws across its API. `code` is stable and
 * documented; `message` names the plan, the phase or the field and the
 * problem; `hint` says what to do next.
 *
 * @example
 * throw new TroupeError('NOT_FOUND', 'no plan matches "demo/x"', { hint: 'troupe plan list shows the plans' });
 */
export class TroupeError extends Error {
  override readonly name = 'TroupeError';
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: TroupeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }

  /** The plain JSON shape used by `--json` output and the host protocol. */
  toJSON(): SerializedError {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

/**
 * A bad input: a plan file, a flag, a tool payload. Lists every field that is wrong.
 *
 * @example
 * try {
 *   await runtime.createPlan({ name: 'demo/x' });
 * } catch (error) {
 *   if (error instanceof ValidationError) for (const issue of error.issues) console.log(issue.path, issue.message);
 * }
 */
export class ValidationError extends TroupeError {
  readonly issues: readonly FieldIssue[];

  constructor(issues: readonly FieldIssue[], options: { subject?: string; hint?: string } = {}) {
    const lines = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message));
    const subject = options.subject ? `${options.subject}: ` : '';
    const message =
      lines.length === 1 ? `${subject}${lines[0]}` : `${subject}${lines.length} problems\n  ${lines.join('\n  ')}`;
    super('VALIDATION_ERROR', message, {
      ...(options.hint === undefined ? {} : { hint: options.hint }),
      details: { issues: issues.map((issue) => ({ path: issue.path, message: issue.message })) },
    });
    this.issues = issues;
  }
}

/**
 * A plan, checkpoint, decision or project that does not exist.
 *
 * @example
 * throw new NotFoundError('plan', 'demo/missing', 'troupe plan list shows the plans');
 * // error.code === 'NOT_FOUND', error.message === 'no plan matches "demo/missing"'
 */
export class NotFoundError extends TroupeError {
  readonly kind: string;
  readonly ref: string;

  /** `where`, when given, ends the message (`… in /path/to/project`): where troupe looked. */
  constructor(kind: string, ref: string, hint?: string, where?: { in: string; details?: Record<string, unknown> }) {
    super('NOT_FOUND', `no ${kind} matches "${ref}"${where ? ` in ${where.in}` : ''}`, {
      ...(hint === undefined ? {} : { hint }),
      ...(where?.details === undefined ? {} : { details: where.details }),
    });
    this.kind = kind;
    this.ref = ref;
  }
}

/**
 * A command the plan's current phase and status do not allow.
 *
 * @example
 * throw new PhaseGuardError('demo/x', 'apply', 'validate is not complete', 'run troupe plan validate demo/x first');
 * // error.code === 'PHASE_GUARD', error.message === 'cannot apply demo/x: validate is not complete'
 */
export class PhaseGuardError extends TroupeError {
  readonly planName: string;
  readonly command: string;

  constructor(planName: string, command: string, reason: string, hint?: string, details?: Record<string, unknown>) {
    super('PHASE_GUARD', `cannot ${command} ${planName}: ${reason}`, {
      ...(hint === undefined ? {} : { hint }),
      ...(details === undefined ? {} : { details }),
    });
    this.planName = planName;
    this.command = command;
  }
}

/** The JSON shape of an error on the wire and in `--json` output. */
export interface SerializedError {
  code: ErrorCode;
  message: string;
  hint?: string;
  details?: Record<string, unknown>;
}

/**
 * A phase failure as stored on the plan record (SPEC §5). Written once when
 * the phase fails; later writes never replace it with a plain string.
 *
 * @example
 * const record = await runtime.run('demo/x');
 * const error: PlanError | null = record.error;
 * if (error) console.log(error.code, error.phase, error.message, error.retryable ? 'run it again' : 'correct it');
 */
export interface PlanError {
  code: ErrorCode;
  message: string;
  phase: Phase;
  step?: number;
  details?: Record<string, unknown>;
  hint?: string;
  /** Whether running the same phase again can succeed without a correction. */
  retryable: boolean;
}

/** Whether `value` is a known error code. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/**
 * Any thrown value as a {@link TroupeError}: troupe's own errors pass
 * through; anything else becomes `INTERNAL_ERROR` with the original message,
 * because it is a bug in troupe or in a provided actor, not the user's input.
 */
export function asTroupeError(error: unknown): TroupeError {
  if (error instanceof TroupeError) return error;
  if (isSerializedError(error)) {
    return new TroupeError(error.code, error.message, {
      ...(error.hint === undefined ? {} : { hint: error.hint }),
      ...(error.details === undefined ? {} : { details: error.details }),
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new TroupeError('INTERNAL_ERROR', message || 'unexpected error', {
    cause: error,
    hint: 'this is a bug; run again with TROUPE_DEBUG=1 and report the stack trace',
  });
}

/** Whether a value has the shape of a {@link SerializedError} (e.g. after crossing a socket). */
export function isSerializedError(value: unknown): value is SerializedError {
  return (
    typeof value === 'object' &&
    value !== null &&
    isErrorCode((value as { code?: unknown }).code) &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

/**
 * A thrown value as the structured error a failed phase stores. Pass
 * `retryable` when the caller knows better than the code's default.
 */
export function toPlanError(
  error: unknown,
  phase: Phase,
  options: { step?: number; retryable?: boolean } = {},
): PlanError {
  const troupeError = asTroupeError(error);
  return {
    code: troupeError.code,
    message: troupeError.message,
    phase,
    ...(options.step === undefined ? {} : { step: options.step }),
    ...(troupeError.details === undefined ? {} : { details: troupeError.details }),
    ...(troupeError.hint === undefined ? {} : { hint: troupeError.hint }),
    retryable: options.retryable ?? isRetryableByDefault(troupeError.code),
  };
}

/**
 * Whether running a failed phase again can help without changing the plan:
 * a timeout may pass, a dirty tree may be cleaned, a busy store freed, a
 * flaky actor answer next time.
 */
export function isRetryableByDefault(code: ErrorCode): boolean {
  return RETRYABLE_BY_DEFAULT.has(code);
}

// running the phase again can help for these without changing the plan:
// a timeout may pass, a dirty tree may be cleaned, a busy store freed, a
// missing sandbox installed.
const RETRYABLE_BY_DEFAULT: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'TIMEOUT',
  // the command never started: once bubblewrap is installed (or containment is off) it can
  'SANDBOX_UNAVAILABLE',
  'DIRTY_WORKTREE',
  'MERGE_CONFLICT',
  'STORE_LOCKED',
  // the database server may be back
  'STORE_UNAVAILABLE',
  'QUEUE_UNAVAILABLE',
  'REMOTE_UNAVAILABLE',
  // the provider may answer again, the key may be set by then
  'MODEL_UNAVAILABLE',
  'INTERNAL_ERROR',
]);
