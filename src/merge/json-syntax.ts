// A JSON reader and printer for the structural merge. Unlike JSON.parse it
// keeps what a merge must not lose: key order (JSON.parse moves integer-like
// keys first), each value's exact source text (numbers beyond 2^53, escapes,
// the author's layout of anything the merge leaves alone), and it refuses
// duplicate keys instead of silently keeping the last one.

/** A parsed JSON value with the exact source text it was read from. */
export type JsonNode = JsonObject | JsonArray | JsonScalar;

/** An object: members in source order. */
export interface JsonObject {
  kind: 'object';
  members: JsonMember[];
  raw: string;
  /** Where `raw` starts in the document's text. */
  start: number;
}

/** An array: merged as one value, never element by element. */
export interface JsonArray {
  kind: 'array';
  items: JsonNode[];
  raw: string;
  start: number;
}

/** A string, number, `true`, `false` or `null`; `value` is a string's decoded text. */
export interface JsonScalar {
  kind: 'scalar';
  raw: string;
  start: number;
  value: string | null;
}

/** One `"key": value` of an object; `keyRaw` is the key's source token, quotes included. */
export interface JsonMember {
  key: string;
  keyRaw: string;
  /** Where `keyRaw` starts in the document's text. */
  start: number;
  value: JsonNode;
}

/** How a document is laid out, so that merged output keeps it. */
export interface JsonStyle {
  /** One level of indentation (`'  '`, `'    '`, `'\t'`, …); null for a document on one line. */
  indent: string | null;
  eol: '\n' | '\r\n';
  /** What separates a key from its value (`': '`, `':'`), as the document's first member has it. */
  colon: string;
  /** What separates members and items on one line (`', '`, `','`); unused when indented. */
  comma: string;
  /** Whether lines start with the comma (`{ "a": 1\n, "b": 2\n}`, npm's old style) rather than end with it. */
  commaFirst: boolean;
}

/** A whole JSON file: the root value and the whitespace around it. */
export interface JsonDocument {
  /** The whole text the document was read from; nodes' `start` index it. */
  text: string;
  root: JsonNode;
  leading: string;
  trailing: string;
  style: JsonStyle;
}

// deeper documents fall back to the text merge rather than risk the stack
const MAX_DEPTH = 500;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;

class JsonSyntaxError extends Error {}

/**
 * Read a JSON document, or null when it is not valid JSON (RFC 8259), has a
 * duplicate key, or nests deeper than 500 levels. A leading byte-order mark
 * is allowed and kept as leading text.
 *
 * @example
 * parseJson('{\n  "b": 1,\n  "2": 2\n}\n')?.style; // { indent: '  ', eol: '\n' }
 */
export function parseJson(text: string): JsonDocument | null {
  try {
    const reader = new Reader(text);
    const leading =
      (text.startsWith('\uFEFF') ? '\uFEFF' : '') + reader.skipWhitespace(text.startsWith('\uFEFF') ? 1 : 0);
    const root = reader.value(0);
    const trailing = reader.skipWhitespace(reader.at);
    if (reader.at !== text.length) return null;
    return { text, root, leading, trailing, style: styleOf(root, text) };
  } catch (error) {
    if (error instanceof JsonSyntaxError) return null;
    throw error;
  }
}

class Reader {
  at = 0;
  constructor(private readonly text: string) {}

  skipWhitespace(from: number): string {
    WHITESPACE.lastIndex = from;
    WHITESPACE.exec(this.text);
    this.at = WHITESPACE.lastIndex;
    return this.text.slice(from, this.at);
  }

  value(depth: number): JsonNode {
    if (depth > MAX_DEPTH) throw new JsonSyntaxError('too deep');
    const start = this.at;
    const char = this.text[start];
    if (char === '{') return this.object(depth);
    if (char === '[') return this.array(depth);
    if (char === '"') {
      const { raw, value } = this.string();
      return { kind: 'scalar', raw, start, value };
    }
    for (const literal of ['true', 'false', 'null']) {
      if (this.text.startsWith(literal, start)) {
        this.at = start + literal.length;
        return { kind: 'scalar', raw: literal, start, value: null };
      }
    }
    NUMBER.lastIndex = start;
    const number = NUMBER.exec(this.text);
    if (number === null) throw new JsonSyntaxError(`unexpected input at ${start}`);
    this.at = NUMBER.lastIndex;
    return { kind: 'scalar', raw: number[0], start, value: null };
  }

  object(depth: number): JsonObject {
    const start = this.at;
    const members: JsonMember[] = [];
    const keys = new Set<string>();
    this.skipWhitespace(start + 1);
    if (this.text[this.at] !== '}') {
      for (;;) {
        if (this.text[this.at] !== '"') throw new JsonSyntaxError('expected a key');
        const keyStart = this.at;
        const { raw: keyRaw, value: key } = this.string();
        if (keys.has(key)) throw new JsonSyntaxError(`duplicate key ${keyRaw}`);
        keys.add(key);
        this.skipWhitespace(this.at);
        if (this.text[this.at] !== ':') throw new JsonSyntaxError('expected a colon');
        this.skipWhitespace(this.at + 1);
        members.push({ key, keyRaw, start: keyStart, value: this.value(depth + 1) });
        this.skipWhitespace(this.at);
        if (this.text[this.at] === '}') break;
        if (this.text[this.at] !== ',') throw new JsonSyntaxError('expected a comma');
        this.skipWhitespace(this.at + 1);
      }
    }
    this.at += 1;
    return { kind: 'object', members, raw: this.text.slice(start, this.at), start };
  }

  array(depth: number): JsonArray {
    const start = this.at;
    const items: JsonNode[] = [];
    this.skipWhitespace(start + 1);
    if (this.text[this.at] !== ']') {
      for (;;) {
        items.push(this.value(depth + 1));
        this.skipWhitespace(this.at);
        if (this.text[this.at] === ']') break;
        if (this.text[this.at] !== ',') throw new JsonSyntaxError('expected a comma');
        this.skipWhitespace(this.at + 1);
      }
    }
    this.at += 1;
    return { kind: 'array', items, raw: this.text.slice(start, this.at), start };
  }

  string(): { raw: string; value: string } {
    const start = this.at;
    let escaped = false;
    for (let at = start + 1; at < this.text.length; at++) {
      const code = this.text.charCodeAt(at);
      if (code === 0x22) {
        this.at = at + 1;
        const raw = this.text.slice(start, this.at);
        // the scan checked every escape, so JSON.parse cannot fail here
        return { raw, value: escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1) };
      }
      if (code < 0x20) throw new JsonSyntaxError('control character in a string');
      if (code === 0x5c) {
        escaped = true;
        const next = this.text[at + 1];
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(at + 2, at + 6))) throw new JsonSyntaxError('bad \\u escape');
          at += 5;
        } else if (next !== undefined && '"\\/bfnrt'.includes(next)) at += 1;
        else throw new JsonSyntaxError('bad escape');
      }
    }
    throw new JsonSyntaxError('unterminated string');
  }
}

// the indentation of the first line that starts with a key or a value stands
// for one level (a line starting with a comma or a closing bracket says nothing
// about it in a comma-first file)
function styleOf(root: JsonNode, text: string): JsonStyle {
  const rootRaw = root.raw;
  const newline = text.indexOf('\n');
  const eol = newline > 0 && text[newline - 1] === '\r' ? '\r\n' : '\n';
  const nested = /\n([ \t]*)[^ \t\r\n,}\]]/.exec(rootRaw);
  const commaFirst = /\n[ \t]*,/.test(rootRaw);
  const indent = nested ? nested[1]! : commaFirst ? '  ' : null;
  // the first key's colon, and a one-line document's commas: `{"a": 1, "b": 2}` stays spaced
  const firstColon = /^\{\s*"(?:[^"\\]|\\.)*"([ \t]*:[ \t]*)/.exec(rootRaw);
  const colon = firstColon ? firstColon[1]! : indent === null ? ':' : ': ';
  const comma = indent === null && /^,[ \t]/.test(firstSeparator(root, text)) ? ', ' : ',';
  return { indent, eol, colon, comma, commaFirst };
}

// what stands between the root's first two members or items (a string's
// commas are not separators)
function firstSeparator(root: JsonNode, text: string): string {
  const [first, second] =
    root.kind === 'object'
      ? root.members.map((member) => [member.value, member.start] as const)
      : root.kind === 'array'
        ? root.items.map((item) => [item, item.start] as const)
        : [];
  if (first === undefined || second === undefined) return '';
  return text.slice(first[0].start + first[0].raw.length, second[1]).trimStart();
}

/**
 * Whether two values are the same JSON: objects by their members whatever
 * their order, arrays item by item, strings by their decoded text, numbers
 * and literals by their source text (`1.0` and `1` count as different).
 * A missing value equals only a missing value.
 */
export function sameJson(x: JsonNode | undefined, y: JsonNode | undefined): boolean {
  if (x === undefined || y === undefined) return x === y;
  // same text, same value: the parser refuses duplicate keys
  if (x.raw === y.raw) return true;
  if (x.kind === 'scalar' || y.kind === 'scalar') {
    return x.kind === 'scalar' && y.kind === 'scalar' && x.value !== null && x.value === y.value;
  }
  if (x.kind === 'array' || y.kind === 'array') {
    return (
      x.kind === 'array' &&
      y.kind === 'array' &&
      x.items.length === y.items.length &&
      x.items.every((item, at) => sameJson(item, y.items[at]))
    );
  }
  if (x.members.length !== y.members.length) return false;
  const theirs = new Map(y.members.map((member) => [member.key, member.value]));
  return x.members.every((member) => theirs.has(member.key) && sameJson(member.value, theirs.get(member.key)));
}

/**
 * Print a value in `style` as it sits on a line indented by `anchor`: one
 * member or item per line, each a level deeper than the anchor (comma-first
 * when the style is, the first member beside the bracket), or all on one line for a one-line document. Scalars
 * and keys keep their source text.
 */
export function printJson(node: JsonNode, anchor: string, style: JsonStyle): string {
  if (node.kind === 'scalar') return node.raw;
  const [open, close] = node.kind === 'object' ? ['{', '}'] : ['[', ']'];
  const inner = style.indent === null ? anchor : anchor + style.indent;
  const entries =
    node.kind === 'object'
      ? node.members.map((member) => `${member.keyRaw}${style.colon}${printJson(member.value, inner, style)}`)
      : node.items.map((item) => printJson(item, inner, style));
  if (entries.length === 0) return open + close;
  if (style.indent === null) return open + entries.join(style.comma) + close;
  // comma-first: the commas and the closing bracket line up a level in
  if (style.commaFirst) return `${open} ${entries.join(`${style.eol}${inner}, `)}${style.eol}${inner}${close}`;
  return open + style.eol + inner + entries.join(`,${style.eol}${inner}`) + style.eol + anchor + close;
}
