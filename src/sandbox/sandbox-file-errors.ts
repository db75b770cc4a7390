// The errors of the sandbox's file operations: node:fs errors naming the
// sandbox path rather than the /proc path they went through, and troupe's
// own refusals.
import { TroupeError } from '../domain/index.js';

/** The `code` of a node:fs error (`ENOENT`…); undefined for a TroupeError or anything else. */
export function errnoOf(error: unknown): string | undefined {
  if (error instanceof TroupeError) return undefined;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** An error shaped as node:fs makes one, for a refusal the file operations make themselves (`EISDIR` for a directory). */
export function systemError(code: string, description: string, syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${description}, ${syscall}`), { code, syscall });
}

/** `error` naming the sandbox path `shown` where node:fs named the path it was given. */
// node names /proc/self/fd/<n>/<name> in its messages: name the sandbox path instead
export function relocated(error: unknown, shown: string): unknown {
  const code = errnoOf(error);
  if (error instanceof TroupeError || code === undefined || !(error instanceof Error)) return error;
  const { syscall } = error as NodeJS.ErrnoException;
  const description = /^[A-Z0-9_]+: (.*?), \w+( '|$)/.exec(error.message)?.[1] ?? error.message;
  return Object.assign(
    new Error(`${code}: ${description}${syscall === undefined ? '' : `, ${syscall}`} '${shown}'`, { cause: error }),
    {
      code,
      syscall,
      path: shown,
    },
  );
}

/** The `TOOL_FAILED` for acting on what is not a regular file (a FIFO, a device, a socket). */
export function notRegularFile(action: string, shown: string, errno?: string): TroupeError {
  return new TroupeError('TOOL_FAILED', `cannot ${action} "${shown}": it is not a regular file`, {
    details: { path: shown, ...(errno === undefined ? {} : { errno }) },
  });
}

/**
 * The `SANDBOX_ESCAPE` error for `path`, refused because of `problem`.
 *
 * @example
 * throw sandboxEscape('../x', 'it leaves the sandbox');
 */
export function sandboxEscape(path: string, problem: string): TroupeError {
  return new TroupeError('SANDBOX_ESCAPE', `path ${JSON.stringify(path)} is refused: ${problem}`, {
    hint: 'use a path relative to the sandbox root that stays inside it',
    details: { path },
  });
}
