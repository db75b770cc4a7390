import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forTerminal, quotedPath } from '../../src/domain/index.js';

// what must never reach a terminal from hostile text: C0 but tab and LF, DEL, C1 (ESC and CSI among them), bidi controls
const DANGEROUS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;
const DANGEROUS_BUT_LF = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

// strings dense in what matters: controls, escape sequences, bidi, the quoting's own characters, any code point
const hostile = fc.string({
  unit: fc.oneof(
    fc.constantFrom(
      '\u001b',
      '\u009b',
      '\r',
      '\n',
      '\t',
      '\u0007',
      '\u007f',
      '\u202e',
      '\u2066',
      '\u200f',
      '"',
      '\\',
      '[',
      ']',
      '2',
      'K',
      ';',
      'é',
    ),
    fc.integer({ min: 0, max: 0x9f }).map((code) => String.fromCharCode(code)),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  ),
  maxLength: 40,
});

// git's unquoting of a quoted path (C escapes, octal UTF-8 bytes): the inverse the quoting promises
function unquoted(shown: string): string {
  if (!shown.startsWith('"')) return shown;
  const bytes: number[] = [];
  const letters: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };
  const body = shown.slice(1, -1);
  for (let at = 0; at < body.length; at += 1) {
    if (body[at] !== '\\') {
      bytes.push(...new TextEncoder().encode(String.fromCodePoint(body.codePointAt(at)!)));
      if (body.codePointAt(at)! > 0xffff) at += 1;
    } else if (/[0-7]/.test(body[at + 1]!)) {
      bytes.push(parseInt(body.slice(at + 1, at + 4), 8));
      at += 3;
    } else {
      bytes.push(letters[body[at + 1]!]!);
      at += 1;
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

describe('forTerminal', () => {
  it('leaves nothing a terminal obeys in one-line text', () => {
    fc.assert(fc.property(hostile, (text) => !DANGEROUS.test(forTerminal(text))));
  });

  it('keeps line breaks and tabs, and nothing else a terminal obeys, in text of many lines', () => {
    fc.assert(fc.property(hostile, (text) => !DANGEROUS_BUT_LF.test(forTerminal(text, { multiline: true }))));
  });

  it('changes nothing in text already shown, and nothing in text with nothing to escape', () => {
    fc.assert(
      fc.property(
        hostile,
        fc.boolean(),
        (text, multiline) =>
          forTerminal(forTerminal(text, { multiline }), { multiline }) === forTerminal(text, { multiline }),
      ),
    );
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', ' ', '\t', 'é', '€', '→', '\\', '"', '😀') }),
        (text) => forTerminal(text) === text,
      ),
    );
  });

  it('shows escape sequences, a lone carriage return and bidi overrides as escapes', () => {
    expect(forTerminal('a\u001b[2K\u001b[1Afake')).toBe('a\\x1b[2K\\x1b[1Afake');
    expect(forTerminal('\u001b]52;c;cm0gLXJmIH4=\u0007')).toBe('\\x1b]52;c;cm0gLXJmIH4=\\x07');
    expect(forTerminal('\u009b2J')).toBe('\\x9b2J');
    expect(forTerminal('invoice\u202Efdp.sh')).toBe('invoice\\u{202e}fdp.sh');
    expect(forTerminal('done\rFAILED\r\nnext', { multiline: true })).toBe('done\\x0dFAILED\nnext');
    expect(forTerminal('two\nlines')).toBe('two\\x0alines');
  });

  it('leaves the bidi marks in the text they belong to', () => {
    expect(forTerminal('שלום\u200F!')).toBe('שלום\u200F!');
  });
});

describe('quotedPath', () => {
  it('is one line with nothing a terminal obeys, and git unquotes it to the name', () => {
    fc.assert(
      fc.property(hostile, (name) => {
        const shown = quotedPath(name);
        return !DANGEROUS.test(shown) && !/[\u2028\u2029]/.test(shown) && unquoted(shown) === name;
      }),
    );
  });

  it('quotes a name as git does and leaves an ordinary one bare', () => {
    expect(quotedPath('src/café.txt')).toBe('src/café.txt');
    expect(quotedPath('a\u001b[2K\u001b[1Afake.txt')).toBe('"a\\033[2K\\033[1Afake.txt"');
    expect(quotedPath('two\nlines.txt')).toBe('"two\\nlines.txt"');
    expect(quotedPath('invoice\u202Efdp.sh')).toBe('"invoice\\342\\200\\256fdp.sh"');
    expect(quotedPath('say "hi"\\.txt')).toBe('"say \\"hi\\"\\\\.txt"');
    expect(quotedPath('zero\u200Bwidth')).toBe('"zero\\342\\200\\213width"');
  });
});
