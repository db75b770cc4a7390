import { TroupeError } from '../domain/errors.js';

/**
 * A confirmation answered no. Declining is not a failure of
 * troupe's, so the CLI prints {@link Declined.line} alone — no red, no
 * `error[…]:`, no hint — and exits 1 (CANCELLED): the operation did not
 * happen, and `troupe plan delete x && …` stops there. With `--json` it is
 * the CANCELLED error document, so a script reads the code.
 *
 * @example
 * if (!(await context.confirm(`Delete ${name}?`))) throw new Declined(`delete of ${name}`, 'Nothing deleted.');
 */
export class Declined extends TroupeError {
  /** The one line a terminal shows: `Nothing deleted.` */
  readonly line: string;

  /** `operation` in the user's words (`delete of demo/x`); `line` says what stayed as it was. */
  constructor(operation: string, line: string) {
    super('CANCELLED', `${operation} not confirmed: nothing changed`, { details: { declined: true } });
    this.line = line;
  }
}
