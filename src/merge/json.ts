import { jsonKeyPath, type ConflictHunk } from '../domain/index.js';
import {
  printJson,
  sameJson,
  type JsonDocument,
  type JsonMember,
  type JsonNode,
  type JsonObject,
  type JsonStyle,
} from './json-syntax.js';
import { placeMembers } from './json-order.js';

/** A key path where both sides changed a value differently. */
export interface JsonConflict {
  keyPath: string[];
  /** Each side's value as JSON text (null where the side has no such key), and the key path as text (`dependencies.react`). */
  hunk: ConflictHunk;
  /** Whether both sides hold an array there: a conflict a line merge of the file may settle. */
  arrays: boolean;
}

/** What {@link mergeJson} answers. */
export interface JsonMerge {
  /** The merged document; resolved to a side, or with diff3 markers around each conflicting member. */
  text: string;
  /** The conflicting key paths, in output order; still listed when a side resolved them. */
  conflicts: JsonConflict[];
}

type Side = 'base' | 'ours' | 'theirs';

// the merged tree: values kept from one side, ours' objects rebuilt member by member, conflicts
type Merged =
  | { kind: 'take'; node: JsonNode; side: Side }
  | { kind: 'object'; node: JsonObject; entries: Entry[] }
  | { kind: 'conflict' };

// one member of a rebuilt object, with the member each side has under its key
interface Entry {
  key: string;
  base: JsonMember | undefined;
  ours: JsonMember | undefined;
  theirs: JsonMember | undefined;
  value: Merged;
}

const EMPTY: JsonObject = { kind: 'object', members: [], raw: '{}', start: 0 };
// a conflicting member stands as \u0001<n>\u0002 until the document is whole:
// neither byte can occur in valid JSON text, so no value can fake one
const PLACEHOLDER = /\u0001(\d+)\u0002/g;

/**
 * Structural three-way merge of JSON documents whose roots are objects
 * (SPEC §9). Objects merge key by key, recursively; arrays and scalars are
 * single values: changed on one side, that side wins; changed alike, clean;
 * changed differently (or changed on one side and removed on the other), a
 * conflict at that key path. A key both sides added with different objects
 * is a conflict too (add/add): only objects that were in base merge key by
 * key. `base: null` (both sides added the file) merges against an empty
 * object, so the file's keys still merge one by one.
 *
 * The output is ours' text with the merged changes spliced in: every byte
 * outside the values that changed stays as ours has it (indentation, key
 * text, the separators between members, comma-first or comma-last, leading
 * whitespace, final newline, which theirs may add). A key only theirs has
 * lands after the key theirs has before it (ours' keys added at the same
 * place first), or in order when both sides keep the object sorted; a value
 * from theirs keeps theirs' text, re-indented to where it lands, or is
 * printed in ours' layout when theirs is laid out otherwise.
 *
 * @example
 * const text = (t: string) => parseJson(t)!;
 * mergeJson(text('{"a":1,"b":1}'), text('{"a":2,"b":1}'), text('{"a":1,"b":1,"c":3}'), null).text; // '{"a":2,"b":1,"c":3}'
 */
export function mergeJson(
  base: JsonDocument | null,
  ours: JsonDocument,
  theirs: JsonDocument,
  resolveTo: 'ours' | 'theirs' | null,
): JsonMerge {
  const conflicts: JsonConflict[] = [];
  const hunkText = (node: JsonNode | undefined) =>
    node === undefined ? null : printJson(node, '', { ...ours.style, eol: '\n' });

  const mergeValue = (
    b: JsonNode | undefined,
    o: JsonNode | undefined,
    t: JsonNode | undefined,
    path: string[],
  ): Merged | undefined => {
    if (sameJson(o, t)) return o && { kind: 'take', node: o, side: 'ours' };
    // objects merge key by key only where base had an object too: two sides
    // that each added the key with their own object wrote two different
    // things, and a blend of them is something neither wrote (git conflicts)
    if (o?.kind === 'object' && t?.kind === 'object' && b?.kind === 'object') {
      if (sameJson(b, t)) return { kind: 'take', node: o, side: 'ours' };
      // an object ours only rewrote (keys reordered, re-laid) keeps ours' text, theirs' changes spliced in
      if (b?.raw === o.raw) return { kind: 'take', node: t, side: 'theirs' };
      return mergeObject(b ?? EMPTY, o, t, path);
    }
    if (sameJson(b, o)) return t && { kind: 'take', node: t, side: 'theirs' };
    if (sameJson(b, t)) return o && { kind: 'take', node: o, side: 'ours' };
    const hunk = { ours: hunkText(o), base: hunkText(b), theirs: hunkText(t), path: jsonKeyPath(path) };
    conflicts.push({ keyPath: path, hunk, arrays: o?.kind === 'array' && t?.kind === 'array' });
    if (resolveTo === 'ours') return o && { kind: 'take', node: o, side: 'ours' };
    if (resolveTo === 'theirs') return t && { kind: 'take', node: t, side: 'theirs' };
    return { kind: 'conflict' };
  };

  const mergeObject = (b: JsonObject, o: JsonObject, t: JsonObject, path: string[]): Merged => {
    const byKey = (node: JsonObject) => new Map(node.members.map((member) => [member.key, member]));
    const [inBase, inOurs, inTheirs] = [byKey(b), byKey(o), byKey(t)];
    const entry = (key: string): Entry | undefined => {
      const [base, own, their] = [inBase.get(key), inOurs.get(key), inTheirs.get(key)];
      const value = mergeValue(base?.value, own?.value, their?.value, [...path, key]);
      return value && { key, base, ours: own, theirs: their, value };
    };
    const kept = o.members.flatMap((member) => entry(member.key) ?? []);
    const added = t.members.filter((member) => !inOurs.has(member.key)).flatMap((member) => entry(member.key) ?? []);
    // nothing but ours, in ours' order: keep ours' text as it is
    const unchanged =
      added.length === 0 &&
      kept.length === o.members.length &&
      kept.every(
        ({ value }, at) => value.kind === 'take' && value.side === 'ours' && value.node === o.members[at]!.value,
      );
    if (unchanged) return { kind: 'take', node: o, side: 'ours' };
    return { kind: 'object', node: o, entries: placeMembers(kept, added, { base: b, ours: o, theirs: t }) };
  };

  const merged = mergeValue(base?.root ?? EMPTY, ours.root, theirs.root, []);
  const writer = new Writer({ base: base ?? { ...ours, text: '' }, ours, theirs });
  const root = merged === undefined ? '{}' : writer.value(merged, anchorOf(ours.text, ours.root.start));
  return { text: writer.markConflicts(ours.leading + root + finalWhitespace(base, ours, theirs)), conflicts };
}

// ours' trailing whitespace, unless theirs added a final newline that base and ours lack
function finalWhitespace(base: JsonDocument | null, ours: JsonDocument, theirs: JsonDocument): string {
  const added =
    !ours.trailing.includes('\n') && !(base?.trailing.includes('\n') ?? false) && theirs.trailing.includes('\n');
  return added ? theirs.trailing.replace(/\r?\n/g, ours.style.eol) : ours.trailing;
}

// writes the merged tree into ours' text; a conflicting member becomes a
// placeholder whose lines markConflicts then turns into diff3 sections
class Writer {
  private readonly style: JsonStyle;
  private readonly sections: Record<Side, string | null>[] = [];
  constructor(private readonly docs: Record<Side, JsonDocument>) {
    this.style = docs.ours.style;
  }

  // the text of a merged value that starts on a line indented by `line`
  value(merged: Merged, line: string): string {
    if (merged.kind === 'take') return this.place(merged.node, merged.side, line);
    // conflicts are written by their object, as members; a root never conflicts (roots are objects)
    if (merged.kind === 'conflict') return '';
    return this.object(merged.node, merged.entries, line);
  }

  private object(node: JsonObject, entries: Entry[], line: string): string {
    const text = this.docs.ours.text;
    if (entries.length === 0) return '{}';
    const layout = objectLayout(node, text, this.style, line);
    let out = `{${layout.open}`;
    let current = lineAfter(line, out);
    entries.forEach((entry, at) => {
      if (at > 0) {
        const separator = layout.between(entries[at - 1]!.ours, entry.ours);
        out += separator;
        current = lineAfter(current, separator);
      }
      const member = this.member(entry, current);
      out += member;
      current = lineAfter(current, member);
    });
    return `${out}${layout.close}}`;
  }

  private member(entry: Entry, line: string): string {
    const { ours, value } = entry;
    if (value.kind === 'conflict') {
      this.sections.push({
        base: this.memberText(entry.base, 'base', line),
        ours: this.memberText(ours, 'ours', line),
        theirs: this.memberText(entry.theirs, 'theirs', line),
      });
      return `\u0001${this.sections.length - 1}\u0002`;
    }
    // a key only theirs has: taken whole from theirs, or a conflict (above)
    if (ours === undefined) return this.memberText(entry.theirs, 'theirs', line)!;
    const text = this.docs.ours.text;
    if (value.kind === 'take' && value.node === ours.value) return text.slice(ours.start, end(ours.value));
    const keyAndColon = text.slice(ours.start, ours.value.start);
    return keyAndColon + this.value(value, lineAfter(line, keyAndColon));
  }

  // a side's whole member (key, colon, value) as it lands on a line indented by `line`
  private memberText(member: JsonMember | undefined, side: Side, line: string): string | null {
    if (member === undefined) return null;
    const doc = this.docs[side];
    if (side === 'ours') return doc.text.slice(member.start, end(member.value));
    if (fits(doc.style, this.style))
      return reindent(doc.text.slice(member.start, end(member.value)), anchorOf(doc.text, member.start), line);
    return `${member.keyRaw}${this.style.colon}${printJson(member.value, line, this.style)}`;
  }

  // a side's value, in its own text when its layout is ours', else printed in ours'
  private place(node: JsonNode, side: Side, line: string): string {
    const doc = this.docs[side];
    if (side === 'ours') return node.raw;
    if (fits(doc.style, this.style)) return reindent(node.raw, anchorOf(doc.text, node.start), line);
    return printJson(node, line, this.style);
  }

  // each line holding a conflicting member becomes one diff3 region: markers
  // need lines of their own, even in a one-line document
  markConflicts(document: string): string {
    if (this.sections.length === 0) return document;
    const eol = this.style.eol;
    return document.replace(/[^\n]*\u0001[^\n]*(\n|$)/g, (lines: string, terminator: string) => {
      const body = lines.slice(0, lines.length - terminator.length);
      const section = (side: Side) => {
        let empty = true;
        let filled = body;
        for (const [placeholder, at] of body.matchAll(PLACEHOLDER)) {
          const text = this.sections[Number(at)]![side];
          if (text !== null) empty = false;
          // a member the side lacks goes with one comma beside it
          const [after, before] = [
            new RegExp(`${placeholder}[ \\t]*,[ \\t]*`),
            new RegExp(`[ \\t]*,[ \\t]*${placeholder}`),
          ];
          const gone = text === null ? [after, before].find((pattern) => pattern.test(filled)) : undefined;
          filled = filled.replace(gone ?? placeholder!, () => text ?? '');
        }
        // a side without the member: nothing but the punctuation around it is left
        if (empty && /^[\s,]*$/.test(filled.replace(/\r$/, ''))) return '';
        return filled.endsWith('\r') || terminator === '' ? `${filled.replace(/\r$/, '')}${eol}` : `${filled}\n`;
      };
      return `<<<<<<< ours${eol}${section('ours')}||||||| base${eol}${section('base')}=======${eol}${section('theirs')}>>>>>>> theirs${terminator === '' ? '' : eol}`;
    });
  }
}

interface ObjectLayout {
  open: string;
  close: string;
  between(previous: JsonMember | undefined, next: JsonMember | undefined): string;
}

// the whitespace and commas of ours' object: after `{`, before `}`, and
// between members, reused as they are; where ours has no such place (a member
// moves next to another, ours had one member or none) the nearest one stands in
function objectLayout(node: JsonObject, text: string, style: JsonStyle, line: string): ObjectLayout {
  const { members } = node;
  const index = new Map(members.map((member, at) => [member, at]));
  const after = (at: number) => text.slice(end(members[at]!.value), members[at + 1]!.start);
  const first = members[0];
  const last = members[members.length - 1];
  const oneLine = style.indent === null || (first !== undefined && !node.raw.includes('\n'));
  const open = first
    ? text.slice(node.start + 1, first.start)
    : oneLine
      ? ''
      : style.commaFirst
        ? ' '
        : style.eol + line + style.indent!;
  // comma-first puts the commas and the closing bracket a level in, as printJson does
  const close = last
    ? text.slice(end(last.value), node.start + node.raw.length - 1)
    : oneLine
      ? ''
      : style.eol + line + (style.commaFirst ? style.indent! : '');
  // `{"a": 1}` spaces its comma like its colon
  const spaced = first !== undefined && /\s$/.test(text.slice(first.start + first.keyRaw.length, first.value.start));
  const fallback =
    members.length > 1
      ? after(0)
      : oneLine
        ? open !== '' || spaced
          ? ', '
          : style.comma
        : style.commaFirst
          ? `${close}, `
          : `,${open}`;
  return {
    open,
    close,
    between(previous, next) {
      const p = previous === undefined ? undefined : index.get(previous);
      const n = next === undefined ? undefined : index.get(next);
      if (p !== undefined && p < members.length - 1) return after(p);
      if (n !== undefined && n > 0) return after(n - 1);
      if (p !== undefined && p > 0) return after(p - 1);
      return fallback;
    },
  };
}

const end = (node: JsonNode) => node.start + node.raw.length;

// whether text laid out in `side` reads as ours' layout once re-indented
function fits(side: JsonStyle, ours: JsonStyle): boolean {
  return (
    side.indent === ours.indent &&
    side.eol === ours.eol &&
    side.colon === ours.colon &&
    side.comma === ours.comma &&
    side.commaFirst === ours.commaFirst
  );
}

// the indentation of the line `at` is on
function anchorOf(text: string, at: number): string {
  const start = text.lastIndexOf('\n', at - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start, at))![0];
}

// the indentation of the line text ends on, given the one it started on
function lineAfter(line: string, text: string): string {
  const newline = text.lastIndexOf('\n');
  return newline === -1 ? line : /^[ \t]*/.exec(text.slice(newline + 1))![0];
}

// moves text written on a line indented by `from` to one indented by `to`
function reindent(text: string, from: string, to: string): string {
  if (from === to || !text.includes('\n')) return text;
  return text
    .split('\n')
    .map((line, at) => (at > 0 && line.startsWith(from) ? to + line.slice(from.length) : line))
    .join('\n');
}
