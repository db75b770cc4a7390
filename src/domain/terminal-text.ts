// Text a plan, a command or a model wrote reaches a person's terminal, which
// obeys what it reads: ESC (U+001B) and the C1 controls start sequences that
// move the cursor, erase lines, retitle the window or write the clipboard
// (OSC 52); a lone CR rewrites the line it ends; the bidi embeddings,
// overrides and isolates reorder what follows them ("invoice\u202Efdp.sh"
// reads as "invoicehs.pdf"). Escaping the character that introduces a
// sequence makes all of it inert: what follows ESC is printable.
//
// Not escaped: tab, and a line break where text may run over lines; the bidi
// marks U+200E, U+200F and U+061C, which are invisible letters of no
// direction's run (they only settle where neighbouring punctuation goes) and
// belong in Arabic and Hebrew text a model writes. A file name is stricter
// ({@link quotedPath}): there any invisible character is quoted.

// C0 but tab (LF is decided per call), DEL, C1, and the bidi embeddings, overrides and isolates; CRLF first, as one
const UNSAFE = /\r\n|[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` as a terminal may show it: every C0 control but tab (and, when
 * `multiline`, the line break), DEL, the C1 controls and the bidi
 * embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) appear
 * as escapes — `\x1b` up to U+00FF, `\u{202e}` above — so an escape
 * sequence is printed, not obeyed. A CRLF is one line break when
 * `multiline`; a lone CR is a control (it rewrites the line). The escapes
 * are the ones a JavaScript string takes, familiar from `printf` and
 * `echo -e`: `\x1b[2K` reads as the sequence it is, where caret notation
 * (`^[[2K`) has no form for C1 or bidi and git's octal (`\033[2K`, kept for
 * file names: {@link quotedPath}) is harder to read in running text. The
 * exact text is what `--json` prints.
 *
 * @example
 * forTerminal('ok\u001b]0;pwned\u0007'); // 'ok\\x1b]0;pwned\\x07'
 * forTerminal('one\r\ntwo\rTWO', { multiline: true }); // 'one\ntwo\\x0dTWO'
 * forTerminal('invoice\u202Efdp.sh'); // 'invoice\\u{202e}fdp.sh'
 */
export function forTerminal(text: string, options: { multiline?: boolean } = {}): string {
  const multiline = options.multiline === true;
  return text.replace(UNSAFE, (found) =>
    multiline && (found === '\n' || found === '\r\n') ? '\n' : [...found].map(escaped).join(''),
  );
}

function escaped(character: string): string {
  const code = character.codePointAt(0)!;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

// what makes a name quoted: C0, DEL, C1, the quote and backslash (the quoting's own), the line and paragraph
// separators, and every invisible format character (bidi controls and marks, zero-width spaces and joiners, BOM)
const QUOTED = /[\u0000-\u001f\u007f-\u009f"\\\u2028\u2029\p{Cf}]/u;
const QUOTED_ALL = new RegExp(QUOTED.source, 'gu');

// git's own letters for the controls that have one (quote.c, sq_lookup)
const NAMED: Readonly<Record<string, string>> = {
  '\u0007': '\\a',
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\u000b': '\\v',
  '\f': '\\f',
  '\r': '\\r',
  '"': '\\"',
  '\\': '\\\\',
};

/**
 * A file name as a person reads it in troupe's output, quoted as git quotes
 * paths: a name with a control character, a line break, a `"` or `\`, or an
 * invisible format character (a bidi override, a zero-width space) is shown
 * in double quotes with C escapes — `\n`, `\t`, `\"`, `\\`, and the octal
 * UTF-8 bytes of the rest (`\033` for ESC, `\342\200\256` for U+202E, as
 * `git status` shows them); any other name is shown as it is, non-ASCII
 * letters too (`café.txt`, as git with `core.quotePath=false`). The result
 * is one line, and the same name always reads the same.
 *
 * @example
 * quotedPath('src/a.ts'); // 'src/a.ts'
 * quotedPath('a\u001b[2Kb'); // '"a\\033[2Kb"'
 * quotedPath('invoice\u202Efdp.sh'); // '"invoice\\342\\200\\256fdp.sh"'
 */
export function quotedPath(name: string): string {
  if (!QUOTED.test(name)) return name;
  return `"${name.replace(QUOTED_ALL, (character) => NAMED[character] ?? octal(character))}"`;
}

function octal(character: string): string {
  return [...new TextEncoder().encode(character)].map((byte) => `\\${byte.toString(8).padStart(3, '0')}`).join('');
}
