import type { ConflictHunk, ConflictKind } from '../domain/index.js';
import { binaryHunk, describeBinary } from './binary.js';
import { decodeText, encodeText, isJsonPath } from './classify.js';
import { mergeJson } from './json.js';
import { mergeArraysAsLines } from './json-lines.js';
import { parseJson, type JsonDocument } from './json-syntax.js';
import { mergeText } from './text.js';
import type { ConflictHunkSummary, MergeInput, MergeResult, ResourceType } from './types.js';

type Bytes = Uint8Array | null;

/**
 * Three-way merge of one file (SPEC §9): base is the common ancestor, ours
 * the version being merged into, theirs the version being merged in; a
 * null side is a file that does not exist there. Pure, deterministic, and
 * it never throws, whatever the bytes.
 *
 * Whole-file cases come first: a side equal to base takes the other side
 * (which may delete the file); equal sides are clean (both deleted, added
 * alike, changed alike); one side deleted and the other changed is a
 * `modify-delete` conflict. Otherwise the resource type decides:
 * - binary (a NUL in the first 8,000 bytes, or not UTF-8): a `binary`
 *   conflict, one hunk describing each side;
 * - JSON (`*.json` whose versions all parse to objects): merged key by key;
 *   conflicts per key path, in `keyPaths`; when the only conflicts are arrays
 *   both sides changed, the line merge of the file is taken if it is clean
 *   and sound JSON (see mergeArraysAsLines);
 * - text: line-based like `git merge-file --diff3`, line endings kept;
 *   `content` conflicts per region, or `add-add` for a file both added.
 *
 * With the `ours` / `theirs` strategy every conflict, whole-file ones
 * included, takes that side and the result is clean; `resolved` lists
 * what was settled.
 *
 * @example
 * const bytes = (text: string) => new TextEncoder().encode(text);
 * const result = merge({ path: 'notes.txt', base: bytes('a\nb\nc\n'), ours: bytes('A\nb\nc\n'), theirs: bytes('a\nb\nC\n') });
 * // { status: 'clean', content: bytes('A\nb\nC\n'), type: 'text', resolved: [] }
 */
export function merge(input: MergeInput): MergeResult {
  const { path, base, ours, theirs } = input;
  const strategy = input.strategy ?? 'three-way';
  const resolveTo = strategy === 'three-way' ? null : strategy;
  if (sameBytes(ours, theirs)) return clean(ours, typeOf(path, ours ?? base));
  if (sameBytes(base, ours)) return clean(theirs, typeOf(path, theirs ?? base));
  if (sameBytes(base, theirs)) return clean(ours, typeOf(path, ours ?? base));
  try {
    return mergeChanged(path, base, ours, theirs, resolveTo);
  } catch {
    // a bug must not turn a merge into a crash: the user settles the whole file
    const hunk = { ours: wholeText(ours), base: wholeText(base), theirs: wholeText(theirs) };
    return {
      status: 'conflict',
      kind: base === null ? 'add-add' : 'content',
      type: typeOf(path, ours ?? theirs),
      hunks: [hunk],
      keyPaths: null,
      content: null,
    };
  }
}

// both sides changed the file, and differently
function mergeChanged(
  path: string,
  base: Bytes,
  ours: Bytes,
  theirs: Bytes,
  resolveTo: 'ours' | 'theirs' | null,
): MergeResult {
  if (ours === null || theirs === null) {
    const type = typeOf(path, ours ?? theirs);
    const hunk = { ours: wholeText(ours), base: wholeText(base), theirs: wholeText(theirs) };
    return settle('modify-delete', type, [hunk], null, null, resolveTo, () => (resolveTo === 'ours' ? ours : theirs));
  }
  const texts = { base: base === null ? null : decodeText(base), ours: decodeText(ours), theirs: decodeText(theirs) };
  if (texts.ours === null || texts.theirs === null || (base !== null && texts.base === null)) {
    return settle('binary', 'binary', [binaryHunk(base, ours, theirs)], null, null, resolveTo, () =>
      resolveTo === 'ours' ? ours : theirs,
    );
  }
  const kind: ConflictKind = base === null ? 'add-add' : 'content';
  const docs = isJsonPath(path) ? jsonDocuments(texts.base, texts.ours, texts.theirs) : null;
  if (docs) {
    const merged = mergeJson(docs.base, docs.ours, docs.theirs, resolveTo);
    const structural = () =>
      resolveTo === null ? mergeJson(docs.base, docs.ours, docs.theirs, 'ours').text : merged.text;
    const lines = mergeArraysAsLines(texts.base, texts.ours, texts.theirs, merged.conflicts, structural);
    if (lines !== null) return clean(encodeText(lines), 'json');
    const content = encodeText(merged.text);
    const hunks = merged.conflicts.map((conflict) => conflict.hunk);
    return settle(
      kind,
      'json',
      hunks,
      merged.conflicts.map((conflict) => conflict.keyPath),
      content,
      resolveTo,
      () => content,
    );
  }
  const merged = mergeText(texts.base, texts.ours, texts.theirs, resolveTo);
  const content = encodeText(merged.text);
  return settle(kind, 'text', merged.conflicts, null, content, resolveTo, () => content);
}

// conflicts surface under three-way and resolve to a side under ours / theirs
function settle(
  kind: ConflictKind,
  type: ResourceType,
  hunks: ConflictHunk[],
  keyPaths: string[][] | null,
  content: Bytes,
  resolveTo: 'ours' | 'theirs' | null,
  resolved: () => Bytes,
): MergeResult {
  if (hunks.length === 0) return clean(content, type);
  if (resolveTo === null) {
    // markers only make sense in a file that merged line by line or key by key
    const editable = kind === 'content' || kind === 'add-add';
    return { status: 'conflict', kind, type, hunks, keyPaths, content: editable ? content : null };
  }
  const summaries: ConflictHunkSummary[] = hunks.map((hunk, at) => ({
    kind,
    side: resolveTo,
    hunk,
    keyPath: keyPaths?.[at] ?? null,
  }));
  return { status: 'clean', content: resolved(), type, resolved: summaries };
}

function clean(content: Bytes, type: ResourceType): MergeResult {
  return { status: 'clean', content, type, resolved: [] };
}

function jsonDocuments(
  base: string | null,
  ours: string,
  theirs: string,
): { base: JsonDocument | null; ours: JsonDocument; theirs: JsonDocument } | null {
  const parsed = [base === null ? null : parseJson(base), parseJson(ours), parseJson(theirs)] as const;
  const [b, o, t] = parsed;
  // the structural merge is for objects; anything else merges as text
  const isObject = (doc: JsonDocument | null) => doc !== null && doc.root.kind === 'object';
  if (!isObject(o) || !isObject(t) || (base !== null && !isObject(b))) return null;
  return { base: b, ours: o!, theirs: t! };
}

// the type of a file's bytes, as the merge of two changed versions would treat it
function typeOf(path: string, bytes: Bytes): ResourceType {
  if (bytes === null) return 'text';
  const text = decodeText(bytes);
  if (text === null) return 'binary';
  return isJsonPath(path) && parseJson(text)?.root.kind === 'object' ? 'json' : 'text';
}

// a side of a whole-file conflict: its text, or a description of binary bytes
function wholeText(bytes: Bytes): string | null {
  if (bytes === null) return null;
  return decodeText(bytes) ?? describeBinary(bytes);
}

/** Whether two versions are the same bytes (null: the file does not exist). */
export function sameBytes(x: Bytes, y: Bytes): boolean {
  if (x === null || y === null) return x === y;
  if (x.length !== y.length) return false;
  for (let at = 0; at < x.length; at++) if (x[at] !== y[at]) return false;
  return true;
}
