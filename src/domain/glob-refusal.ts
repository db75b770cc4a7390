/** Why a glob is refused; thrown inside the glob compiler and turned into a problem string at its edge (glob.ts). */
export class GlobRefusal extends Error {}

/**
 * The character a `\` at `cps[at]` escapes. A backslash before a letter or
 * digit is refused: picomatch hands `\d`, `\w`, `\1` to the regular
 * expression, so they never meant the letter.
 */
export function escapedChar(cps: readonly number[], at: number): number {
  const next = cps[at + 1];
  if (next === undefined) throw new GlobRefusal('ends with a lone "\\", which escapes nothing');
  if ((next >= 0x30 && next <= 0x39) || (next >= 0x41 && next <= 0x5a) || (next >= 0x61 && next <= 0x7a)) {
    throw new GlobRefusal(
      `"\\${String.fromCodePoint(next)}" is a regular-expression escape, not glob syntax: a backslash escapes only punctuation (write / between folders)`,
    );
  }
  return next;
}
