// Big text triples for the merge benchmark and the tests that the fast
// paths of the line diff answer as before: a slice of a real JavaScript file
// (TypeScript's own compiler, a pinned devDependency, so the same bytes on
// every machine) edited by seeded, realistic edits on both sides — lines
// changed, statements inserted, lines deleted — at places of their own, or
// close to each other's.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { seededRandom } from '../helpers/random.js';

/** One big merge case. */
export interface BigTriple {
  name: string;
  base: string;
  ours: string;
  theirs: string;
  /** Hunks each side made. */
  hunks: number;
}

/** How a big triple is made. */
export interface BigShape {
  /** Bytes of base, about (whole lines of the source). */
  bytes: number;
  /** Line of the source file where base starts. */
  from?: number;
  /** Hunks per side. */
  hunks: number;
  /** `apart`: each side edits places of its own; `close`: theirs edits next to ours (1–2 lines away, some touching). */
  layout: 'apart' | 'close';
  seed: number;
}

let source: string[] | null = null;

/** The lines (with their `\n`) of the real file big triples are cut from: typescript/lib/typescript.js, about 9 MB. */
export function sourceLines(): string[] {
  if (source === null) {
    const path = createRequire(import.meta.url).resolve('typescript/lib/typescript.js');
    source = readFileSync(path, 'utf8').split(/(?<=\n)/);
  }
  return source;
}

interface Edit {
  at: number;
  remove: number;
  insert: string[];
}

/** A base of `shape.bytes` cut from the real file, and ours and theirs edited from it. */
export function bigTriple(name: string, shape: BigShape): BigTriple {
  const lines = sourceLines();
  const base: string[] = [];
  let size = 0;
  for (let at = shape.from ?? 0; at < lines.length && size < shape.bytes; at++) {
    base.push(lines[at]!);
    size += lines[at]!.length;
  }
  const random = seededRandom(shape.seed);
  const int = (below: number) => Math.floor(random() * below);
  // places in base: spread over the file, each side's own, at least 4 lines from any other
  const slots = shape.hunks * 2;
  const stride = Math.floor(base.length / slots);
  const places = Array.from({ length: slots }, (_, slot) => slot * stride + 2 + int(Math.max(1, stride - 12)));
  const order = places.map((_, at) => at).sort(() => random() - 0.5);
  const ourPlaces = order.slice(0, shape.hunks).map((at) => places[at]!);
  let theirPlaces = order.slice(shape.hunks).map((at) => places[at]!);
  const oursEdits = ourPlaces.map((at) => edit(base, at, 'ours', int));
  if (shape.layout === 'close') {
    // theirs edits just below each of ours: one or two lines between, or none (those conflict in git too)
    theirPlaces = oursEdits.map((mine) => mine.at + mine.remove + int(3));
  }
  const theirsEdits = theirPlaces.map((at) => edit(base, at, 'theirs', int));
  return {
    name,
    base: base.join(''),
    ours: apply(base, oursEdits),
    theirs: apply(base, theirsEdits),
    hunks: shape.hunks,
  };
}

// one realistic edit at line `at`: a line changed, statements inserted, or lines deleted
function edit(base: string[], at: number, side: string, int: (below: number) => number): Edit {
  const indent = /^\s*/.exec(base[at] ?? '')![0];
  const kind = int(4);
  if (kind === 0) {
    const line = base[at]!;
    return { at, remove: 1, insert: [line.replace(/\s*$/, '') + ` // ${side}: checked\n`] };
  }
  if (kind === 1) {
    const count = 1 + int(6);
    const insert = Array.from(
      { length: count },
      (_, n) => `${indent}const ${side}Value${at}_${n} = compute(${at}, ${n});\n`,
    );
    return { at, remove: 0, insert: [...insert, `${indent}if (${side}Value${at}_0 === undefined) return;\n`] };
  }
  if (kind === 2) return { at, remove: 1 + int(3), insert: [] };
  const line = base[at]!;
  return {
    at,
    remove: 1,
    insert: [line.replace(/\b([a-z][A-Za-z]{3,})\b/, `$1${side === 'ours' ? 'Ours' : 'Theirs'}`)],
  };
}

function apply(base: string[], edits: Edit[]): string {
  const lines = [...base];
  for (const change of [...edits].sort((x, y) => y.at - x.at)) lines.splice(change.at, change.remove, ...change.insert);
  return lines.join('');
}

/**
 * A big JSON triple shaped like a lockfile: this repository's own
 * package-lock.json, its `packages` repeated under new keys to about
 * `bytes`, laid out as npm lays it (two spaces, final newline). Ours and
 * theirs each change `edits` versions at places of their own and each add
 * a package at its sorted place, as two installs on two branches do.
 */
export function bigJsonTriple(name: string, options: { bytes: number; edits: number; seed: number }): BigTriple {
  const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8')) as {
    packages: Record<string, { version?: string }>;
  };
  const entries = Object.entries(lock.packages);
  const packages: Record<string, unknown> = {};
  let size = 0;
  for (let copy = 0; size < options.bytes; copy++) {
    for (const [key, value] of entries) {
      const entry = `${key}${copy === 0 ? '' : `-copy${copy}`}`;
      packages[entry] = value;
      // as printed: two levels deeper than on its own, each line indented by four more spaces
      const own = JSON.stringify(value, null, 2);
      size += own.length + 4 * own.split('\n').length + entry.length + 6;
      if (size >= options.bytes) break;
    }
  }
  const print = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  const base = { ...lock, packages };
  const keys = Object.keys(packages).filter((key) => key !== '');
  const random = seededRandom(options.seed);
  const side = (offset: number, label: string) => {
    const changed: Record<string, unknown> = { ...packages };
    // each side edits its own half of the keys, spread over the file
    for (let n = 0; n < options.edits; n++) {
      const at = Math.floor(random() * (keys.length / 2)) * 2 + offset;
      const key = keys[at]!;
      changed[key] = { ...(packages[key] as object), version: `9.${n}.${offset}-${label}` };
    }
    const added = `node_modules/${label}-added`;
    const sorted = Object.keys(changed).concat(added).sort();
    return print({
      ...lock,
      packages: Object.fromEntries(sorted.map((key) => [key, key === added ? { version: '1.0.0' } : changed[key]])),
    });
  };
  const sortedBase = Object.fromEntries(
    Object.keys(packages)
      .sort()
      .map((key) => [key, packages[key]]),
  );
  return {
    name,
    base: print({ ...base, packages: sortedBase }),
    ours: side(0, 'ours'),
    theirs: side(1, 'theirs'),
    hunks: options.edits + 1,
  };
}
