// The checks of a service request's fields: each bad field a VALIDATION_ERROR issue naming it.
import { ValidationError, isLoaderEnv, type FieldIssue } from '../../domain/index.js';
import { MAX_SERVICE_READY_MS, type ServiceLogOptions, type ServiceStartRequest } from './service-api.js';
import { READY_LINE_HINT, readyMatcher } from './ready-line.js';

const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** The longest service command, as for run_command. */
const MAX_COMMAND = 16_384;

/** A service name, or `VALIDATION_ERROR` naming `name`. */
export function checkServiceName(name: unknown): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new ValidationError(
      [
        {
          path: 'name',
          message: 'must be 1–64 characters: a letter, then letters, digits, - or _ (such as web or db-1)',
        },
      ],
      { subject: 'service' },
    );
  }
  return name;
}

/** The request, checked field by field (every bad field named); nothing starts when it throws. */
export function checkServiceStart(request: ServiceStartRequest): ServiceStartRequest {
  if (typeof request !== 'object' || request === null)
    throw new ValidationError([{ path: '', message: 'must be {name, command, readyPort? | readyLine?, env?}' }], {
      subject: 'service',
    });
  const issues: FieldIssue[] = [];
  if (typeof request.name !== 'string' || !NAME.test(request.name))
    issues.push({
      path: 'name',
      message: 'must be 1–64 characters: a letter, then letters, digits, - or _ (such as web or db-1)',
    });
  if (typeof request.command !== 'string' || request.command.trim() === '')
    issues.push({ path: 'command', message: 'must be a non-empty shell command' });
  else if (request.command.length > MAX_COMMAND || request.command.includes('\u0000'))
    issues.push({ path: 'command', message: `must be at most ${MAX_COMMAND} characters, without NUL` });
  if (
    request.readyPort !== undefined &&
    (!Number.isInteger(request.readyPort) || request.readyPort < 1 || request.readyPort > 65535)
  )
    issues.push({ path: 'readyPort', message: 'must be a TCP port, 1–65535' });
  if (request.readyLine !== undefined) {
    if (typeof request.readyLine !== 'string' || request.readyLine === '' || request.readyLine.length > 1000)
      issues.push({
        path: 'readyLine',
        message: 'must be text of 1–1000 characters (/regex/ for a regular expression, in RE2 syntax)',
      });
    else {
      try {
        readyMatcher(request.readyLine);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        issues.push(...error.issues);
      }
    }
  }
  if (request.readyPort !== undefined && request.readyLine !== undefined)
    issues.push({ path: 'readyLine', message: 'give readyPort or readyLine, not both' });
  if (
    request.readyTimeoutMs !== undefined &&
    (!Number.isInteger(request.readyTimeoutMs) ||
      request.readyTimeoutMs < 1 ||
      request.readyTimeoutMs > MAX_SERVICE_READY_MS)
  ) {
    issues.push({
      path: 'readyTimeoutMs',
      message: `must be a whole number of milliseconds, 1–${MAX_SERVICE_READY_MS}`,
    });
  }
  if (request.env !== undefined) {
    if (typeof request.env !== 'object' || request.env === null || Array.isArray(request.env))
      issues.push({ path: 'env', message: 'must be a mapping of names to text' });
    else {
      for (const [name, value] of Object.entries(request.env)) {
        if (!ENV_NAME.test(name))
          issues.push({ path: `env.${name}`, message: 'is not a variable name ([A-Za-z_][A-Za-z0-9_]*)' });
        else if (isLoaderEnv(name))
          issues.push({
            path: `env.${name}`,
            message: 'steers the dynamic loader: not allowed (docs/explanation/sandbox.md)',
          });
        else if (typeof value !== 'string' || value.includes('\u0000'))
          issues.push({ path: `env.${name}`, message: 'must be text without NUL' });
      }
    }
  }
  if (request.rationale !== undefined && typeof request.rationale !== 'string')
    issues.push({ path: 'rationale', message: 'must be text' });
  // a readyLine RE2 refused: say what it takes
  if (issues.length > 0)
    throw new ValidationError(issues, {
      subject: 'service',
      ...(issues.some((issue) => issue.path === 'readyLine') ? { hint: READY_LINE_HINT } : {}),
    });
  return request;
}

/** The log options, checked: `lines` 1–2000, `offset` a byte offset, not both. */
export function checkLogOptions(options: ServiceLogOptions): ServiceLogOptions {
  const issues: FieldIssue[] = [];
  if (options.lines !== undefined && (!Number.isInteger(options.lines) || options.lines < 1 || options.lines > 2000))
    issues.push({ path: 'lines', message: 'must be a whole number, 1–2000' });
  if (options.offset !== undefined && (!Number.isInteger(options.offset) || options.offset < 0))
    issues.push({ path: 'offset', message: 'must be a byte offset, 0 or more' });
  if (options.lines !== undefined && options.offset !== undefined)
    issues.push({ path: 'offset', message: 'give lines or offset, not both' });
  if (issues.length > 0) throw new ValidationError(issues, { subject: 'service_logs' });
  return options;
}
