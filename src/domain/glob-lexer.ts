import { parseGlobClass, type GlobClass } from './glob-class.js';
import { escapedChar, GlobRefusal } from './glob-refusal.js';

/**
 * One unit of a glob's text: `ch` is a character as written (it may be
 * syntax: `*`, `?`, `/`, `{`, `,`, `}`), `lit` a character that is only
 * itself (escaped, or produced by a brace range), `class` a bracket
 * expression already parsed.
 */
export type GlobLexeme = { type: 'ch'; cp: number } | { type: 'lit'; cp: number } | { type: 'class'; cls: GlobClass };

const BACKSLASH = 0x5c;
const BRACKET = 0x5b;
const PAREN_OPEN = 0x28;
const PAREN_CLOSE = 0x29;
const PIPE = 0x7c;
const BANG = 0x21;
const PLUS = 0x2b;
const QUOTE = 0x22;
const EXTGLOB_PREFIXES = new Set([0x40, BANG, 0x2b, 0x2a, 0x3f]); // @ ! + * ?

/**
 * Split a glob into lexemes, refusing what picomatch would hand to the
 * regular-expression engine or read as syntax troupe does not have:
 * parentheses (and so extglobs), `|`, a leading `!`, `"`, a `+` right
 * after a class or a brace, and `\` before a letter or digit (`\d`).
 * Inside a class these are plain members.
 */
export function lexGlob(pattern: string): GlobLexeme[] {
  const cps = Array.from(pattern, (char) => char.codePointAt(0)!);
  const out: GlobLexeme[] = [];
  // "!(…)" is an extglob, refused below with its own name
  if (cps[0] === BANG && cps[1] !== PAREN_OPEN)
    throw new GlobRefusal(
      'a leading "!" (negation) is not supported: list what the glob should match, or write \\! for the character',
    );
  for (let i = 0; i < cps.length; i++) {
    const cp = cps[i]!;
    if (cp === BACKSLASH) {
      out.push({ type: 'lit', cp: escapedChar(cps, i) });
      i++;
    } else if (cp === BRACKET) {
      const parsed = parseGlobClass(cps, i);
      if (parsed === null) {
        // an unclosed "[" is the character itself, as in picomatch and the shell
        out.push({ type: 'lit', cp });
      } else {
        out.push({ type: 'class', cls: parsed.cls });
        i = parsed.end;
      }
    } else if (cp === PAREN_OPEN || cp === PAREN_CLOSE) {
      const before = previous(out);
      if (cp === PAREN_OPEN && before?.type === 'ch' && EXTGLOB_PREFIXES.has(before.cp)) {
        throw new GlobRefusal(
          `the extglob "${String.fromCodePoint(before.cp)}(…)" is not supported: write alternatives with braces, e.g. {a,b}`,
        );
      }
      throw new GlobRefusal(
        'parentheses (regular-expression groups) are not supported: write alternatives with braces, e.g. {a,b}, or \\( and \\) for the characters',
      );
    } else if (cp === PLUS && (previous(out)?.type === 'class' || isBrace(previous(out)))) {
      throw new GlobRefusal(
        'a "+" right after a character class or a brace is a regular-expression repetition in picomatch, not glob syntax: write \\+ for the character',
      );
    } else if (cp === QUOTE) {
      throw new GlobRefusal(
        'double quotes are not supported (picomatch reads them as quoting): escape special characters with \\ instead, and write \\" for the character',
      );
    } else if (cp === PIPE) {
      throw new GlobRefusal(
        '"|" is not glob syntax: write alternatives with braces, e.g. {a,b}, or \\| for the character',
      );
    } else {
      out.push({ type: 'ch', cp });
    }
  }
  return out;
}

function previous(lexemes: readonly GlobLexeme[]): GlobLexeme | undefined {
  return lexemes[lexemes.length - 1];
}

function isBrace(lexeme: GlobLexeme | undefined): boolean {
  return lexeme?.type === 'ch' && (lexeme.cp === 0x7b || lexeme.cp === 0x7d);
}
