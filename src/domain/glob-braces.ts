import type { GlobLexeme } from './glob-lexer.js';
import { GlobRefusal } from './glob-refusal.js';

/** The most alternatives a glob's braces may expand to; past it the glob is refused, never cut short. */
export const MAX_GLOB_ALTERNATIVES = 256;
/** The most characters all of a glob's alternatives may hold together once braces are expanded. */
export const MAX_GLOB_EXPANDED_LENGTH = 4096;
// deeper nesting than this is no real glob, and the parser recurses once per level
const MAX_BRACE_DEPTH = 32;

const OPEN = 0x7b;
const CLOSE = 0x7d;
const COMMA = 0x2c;
const DOT = 0x2e;

type Node = GlobLexeme | { type: 'group'; alternatives: Node[][] };

interface Cursor {
  lexemes: readonly GlobLexeme[];
  at: number;
}

/**
 * Every alternative the braces of a glob stand for, as bash and micromatch
 * expand them: `{a,b}` (nested allowed, empty alternatives too), `{1..3}`,
 * `{01..10}` (zero-padded), `{a..e}`. A group without a comma or a range is
 * literal text (`{a}`); an unclosed `{`, a `..` in braces that is no range
 * (`{a..}`, `{a,b..c}`) and an expansion past the caps are refused.
 */
export function expandBraces(lexemes: readonly GlobLexeme[]): GlobLexeme[][] {
  return expand(parseSequence({ lexemes, at: 0 }, 0));
}

function isChar(node: Node | undefined, cp: number): boolean {
  return node?.type === 'ch' && node.cp === cp;
}

// inside a group a sequence ends at its "," or "}"; at the top they are plain characters
function parseSequence(cursor: Cursor, depth: number): Node[] {
  const nodes: Node[] = [];
  while (cursor.at < cursor.lexemes.length) {
    const lexeme = cursor.lexemes[cursor.at]!;
    if (depth > 0 && (isChar(lexeme, COMMA) || isChar(lexeme, CLOSE))) break;
    if (isChar(lexeme, OPEN)) nodes.push(...parseGroup(cursor, depth + 1));
    else {
      nodes.push(lexeme);
      cursor.at++;
    }
  }
  return nodes;
}

function parseGroup(cursor: Cursor, depth: number): Node[] {
  if (depth > MAX_BRACE_DEPTH) throw new GlobRefusal(`braces are nested more than ${MAX_BRACE_DEPTH} deep`);
  cursor.at++;
  const alternatives: Node[][] = [];
  for (;;) {
    const alternative = parseSequence(cursor, depth);
    const stop = cursor.lexemes[cursor.at];
    if (stop === undefined)
      throw new GlobRefusal('a "{" is never closed: close it with "}", or write \\{ for the character');
    cursor.at++;
    alternatives.push(alternative);
    if (isChar(stop, CLOSE)) break;
  }
  const only = alternatives[0]!;
  const range = alternatives.length === 1 ? rangeOf(only) : null;
  if (range !== null)
    return [
      {
        type: 'group',
        alternatives: range.map((text) =>
          Array.from(text, (char): Node => ({ type: 'lit', cp: char.codePointAt(0)! })),
        ),
      },
    ];
  // picomatch reads ".." anywhere in braces as a range and builds a regex class of what is around it
  if (
    alternatives.some((alternative) =>
      alternative.some((node, index) => isChar(node, DOT) && isChar(alternative[index + 1], DOT)),
    )
  ) {
    throw new GlobRefusal(
      '".." inside braces is allowed only as a range such as {1..9} or {a..e}: write \\.\\. for the characters',
    );
  }
  if (alternatives.length > 1) return [{ type: 'group', alternatives }];
  // "{a}" and "{}" are text, as in bash and picomatch
  return [{ type: 'lit', cp: OPEN }, ...only, { type: 'lit', cp: CLOSE }];
}

// the values of "{1..3}" or "{a..c}", null for a group that is no range, a refusal for a broken one
function rangeOf(nodes: readonly Node[]): string[] | null {
  if (!nodes.every((node) => node.type === 'ch')) return null;
  const text = String.fromCodePoint(...nodes.map((node) => (node as { cp: number }).cp));
  if (!text.includes('..')) return null;
  const numbers = /^(-?\d{1,15})\.\.(-?\d{1,15})$/.exec(text);
  const letters = /^([A-Za-z])\.\.([A-Za-z])$/.exec(text);
  if (numbers === null && letters === null) {
    throw new GlobRefusal(
      `"{${text}}" is not a range: write two whole numbers or two letters, e.g. {1..9} or {a..e} (no step)`,
    );
  }
  const [from, to] =
    numbers !== null
      ? [Number(numbers[1]), Number(numbers[2])]
      : [letters![1]!.codePointAt(0)!, letters![2]!.codePointAt(0)!];
  const count = Math.abs(to - from) + 1;
  if (count > MAX_GLOB_ALTERNATIVES)
    throw new GlobRefusal(`"{${text}}" expands to more than ${MAX_GLOB_ALTERNATIVES} alternatives`);
  const direction = to >= from ? 1 : -1;
  const values = Array.from({ length: count }, (_, index) => from + index * direction);
  if (numbers === null) return values.map((cp) => String.fromCodePoint(cp));
  // "{01..10}" pads to the wider end, as bash does
  const padded = [numbers[1]!, numbers[2]!].some((end) => /^-?0\d/.test(end));
  const width = padded ? Math.max(numbers[1]!.length, numbers[2]!.length) : 0;
  return values.map((value) =>
    value < 0 ? '-' + String(-value).padStart(width - 1, '0') : String(value).padStart(width, '0'),
  );
}

// the cartesian product of the sequence's parts, refused past the caps before anything is built
function expand(sequence: readonly Node[]): GlobLexeme[][] {
  let results: GlobLexeme[][] = [[]];
  let total = 0;
  for (const node of sequence) {
    if (node.type !== 'group') {
      total += results.length;
      checkSize(results.length, total);
      for (const result of results) result.push(node);
      continue;
    }
    const options: GlobLexeme[][] = [];
    let optionsTotal = 0;
    for (const alternative of node.alternatives) {
      for (const option of expand(alternative)) {
        options.push(option);
        optionsTotal += option.length;
      }
      checkSize(options.length, optionsTotal);
    }
    const count = results.length * options.length;
    total = total * options.length + optionsTotal * results.length;
    checkSize(count, total);
    results = results.flatMap((result) => options.map((option) => [...result, ...option]));
  }
  return results;
}

function checkSize(count: number, total: number): void {
  if (count > MAX_GLOB_ALTERNATIVES)
    throw new GlobRefusal(`braces expand to more than ${MAX_GLOB_ALTERNATIVES} alternatives`);
  if (total > MAX_GLOB_EXPANDED_LENGTH)
    throw new GlobRefusal(`is longer than ${MAX_GLOB_EXPANDED_LENGTH} characters once braces are expanded`);
}
