import { jsonKeyPath, type ConflictHunk } from '../domain/index.js';
import { printJson, sameJson, type JsonDocument, type JsonMember, type JsonNode, type JsonObject, type JsonStyle } from './json-syntax.js';

/** A key path where both sides changed a value differently. */
export interface JsonConflict {
  keyPath: string[];
  /** Each side's value as JSON text (null where the side has no such key), and the key path as text (`dependencies.react`). */
  hunk: ConflictHunk;
}

/** What {@link mergeJson} answers. */
export interface JsonMerge {
  /** The merged document; resolved to a side, or with diff3 markers around each conflicting member. */
  text: string;
  /** The conflicting key paths, in output order; still listed when a side resolved them. */
  conflicts: JsonConflict[];
}

type Side = 'base' | 'ours' | 'theirs';

// the merged tree: values kept from one side, objects rebuilt member by member, conflicts
type Merged =
  | { kind: 'take'; node: JsonNode; side: Side }
  | { kind: 'object'; members: { keyRaw: string; value: Merged }[] }
  | { kind: 'conflict'; keyRaw: string; sides: Record<Side, JsonNode | undefined> };

const EMPTY: JsonObject = { kind: 'object', members: [], raw: '{}' };

/**
 * Structural three-way merge of JSON documents whose roots are objects
 * (SPEC §9). Objects merge key by key, recursively; arrays and scalars are
 * single values: changed on one side, that side wins; changed alike, clean;
 * changed differently (or changed on one side and removed on the other), a
 * conflict at that key path. `base: null` (both sides added the file)
 * merges against an empty object.
 *
 * The output keeps ours' layout: ours' indentation, line endings, leading
 * and trailing whitespace (so its final newline), ours' key order with keys
 * only theirs has appended in theirs' order, and the exact source text of
 * every value taken whole from ours (or from theirs when it is laid out
 * like ours).
 *
 * @example
 * const text = (t: string) => parseJson(t)!;
 * mergeJson(text('{"a":1,"b":1}'), text('{"a":2,"b":1}'), text('{"a":1,"b":1,"c":3}'), null).text; // '{"a":2,"b":1,"c":3}'
 */
export function mergeJson(base: JsonDocument | null, ours: JsonDocument, theirs: JsonDocument, resolveTo: 'ours' | 'theirs' | null): JsonMerge {
  const styles: Record<Side, JsonStyle> = { base: base?.style ?? ours.style, ours: ours.style, theirs: theirs.style };
  const conflicts: JsonConflict[] = [];
  const hunkText = (node: JsonNode | undefined) => (node === undefined ? null : printJson(node, 0, { ...ours.style, eol: '\n' }));

  const mergeValue = (b: JsonNode | undefined, o: JsonNode | undefined, t: JsonNode | undefined, keyRaw: string, path: string[]): Merged | undefined => {
    if (sameJson(o, t)) return o && { kind: 'take', node: o, side: 'ours' };
    if (sameJson(b, o)) return t && { kind: 'take', node: t, side: 'theirs' };
    if (sameJson(b, t)) return o && { kind: 'take', node: o, side: 'ours' };
    if (o?.kind === 'object' && t?.kind === 'object' && (b === undefined || b.kind === 'object')) return mergeObject(b ?? EMPTY, o, t, path);
    conflicts.push({ keyPath: path, hunk: { ours: hunkText(o), base: hunkText(b), theirs: hunkText(t), path: jsonKeyPath(path) } });
    if (resolveTo === 'ours') return o && { kind: 'take', node: o, side: 'ours' };
    if (resolveTo === 'theirs') return t && { kind: 'take', node: t, side: 'theirs' };
    return { kind: 'conflict', keyRaw, sides: { base: b, ours: o, theirs: t } };
  };

  const mergeObject = (b: JsonObject, o: JsonObject, t: JsonObject, path: string[]): Merged => {
    const byKey = (node: JsonObject) => new Map(node.members.map((member) => [member.key, member]));
    const [inBase, inOurs] = [byKey(b), byKey(o)];
    // ours' order, then what only theirs has in theirs' order
    const keys: JsonMember[] = [...o.members, ...t.members.filter((member) => !inOurs.has(member.key))];
    const inTheirs = byKey(t);
    const members: { keyRaw: string; value: Merged }[] = [];
    for (const { key, keyRaw } of keys) {
      const value = mergeValue(inBase.get(key)?.value, inOurs.get(key)?.value, inTheirs.get(key)?.value, keyRaw, [...path, key]);
      if (value !== undefined) members.push({ keyRaw, value });
    }
    // nothing but ours, in ours' order: keep ours' text as it is
    const unchanged =
      members.length === o.members.length &&
      members.every(({ value }, at) => value.kind === 'take' && value.side === 'ours' && value.node === o.members[at]!.value);
    return unchanged ? { kind: 'take', node: o, side: 'ours' } : { kind: 'object', members };
  };

  const merged = mergeValue(base?.root ?? EMPTY, ours.root, theirs.root, '', []);
  const printer = new Printer(styles);
  const root = merged === undefined ? '{}' : printer.print(merged, 0);
  return { text: ours.leading + root + ours.trailing, conflicts };
}

// prints the merged tree in ours' style, with diff3 markers around conflicting members
class Printer {
  private readonly style: JsonStyle;
  constructor(private readonly styles: Record<Side, JsonStyle>) {
    this.style = styles.ours;
  }

  print(merged: Merged, depth: number): string {
    if (merged.kind === 'take') return this.value(merged.node, merged.side, depth);
    // conflicts are printed by their object, as member lines; a root never conflicts (roots are objects)
    if (merged.kind === 'conflict') return this.value(merged.sides.ours ?? EMPTY, 'ours', depth);
    if (merged.members.length === 0) return '{}';
    const conflicted = merged.members.some(({ value }) => value.kind === 'conflict');
    // markers need lines of their own, even in a one-line document
    const indent = this.style.indent ?? (conflicted ? '' : null);
    const { eol, colon: separator, comma } = this.style;
    if (indent === null) return `{${merged.members.map(({ keyRaw, value }) => `${keyRaw}${separator}${this.print(value, depth + 1)}`).join(comma)}}`;
    const pad = indent.repeat(depth + 1);
    const lines = merged.members.map(({ keyRaw, value }, at) => {
      const comma = at < merged.members.length - 1 ? ',' : '';
      if (value.kind !== 'conflict') return `${pad}${keyRaw}${separator}${this.print(value, depth + 1)}${comma}${eol}`;
      const section = (side: Side) => {
        const node = value.sides[side];
        return node === undefined ? '' : `${pad}${keyRaw}${separator}${this.value(node, side, depth + 1)}${comma}${eol}`;
      };
      return (
        `<<<<<<< ours${eol}${section('ours')}||||||| base${eol}${section('base')}` +
        `=======${eol}${section('theirs')}>>>>>>> theirs${eol}`
      );
    });
    return `{${eol}${lines.join('')}${indent.repeat(depth)}}`;
  }

  // a side's value as it was written, when that fits ours' layout at this depth
  private value(node: JsonNode, side: Side, depth: number): string {
    const style = this.styles[side];
    const fits = side === 'ours' || (style.indent === this.style.indent && style.eol === this.style.eol && style.colon === this.style.colon && style.comma === this.style.comma);
    return fits ? node.raw : printJson(node, depth, this.style);
  }
}
