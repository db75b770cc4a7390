// Seeded generator of (base, ours, theirs) text triples for the git
// agreement test and the merge benchmark: files of code-like and repeated
// lines, LF or CRLF, some without a final newline, edited on both sides by
// insertions, deletions and modifications at random places, some of them
// overlapping, some identical on both sides.
import { seededRandom } from '../helpers/random.js';

/** One generated merge case. */
export interface TextTriple {
  name: string;
  base: string;
  ours: string;
  theirs: string;
}

// one seeded PRNG for every generator of the tests (test/helpers/random.ts)
export { seededRandom } from '../helpers/random.js';

// lines that recur in real files and make diffs ambiguous
const COMMON = ['', '}', '{', '  }', '  return;', '// ---', 'end', '    break;', ')', '  },'];
const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'merge', 'plan', 'step', 'child', 'value', 'key'];

interface Edit {
  op: 'insert' | 'delete' | 'modify';
  at: number;
  count: number;
  lines: string[];
}

/** Sizes of generated files: `lines` as [min, max), `edits` the most edits per side. */
export interface TripleShape {
  lines?: [number, number];
  edits?: number;
}

/** Generate `count` triples from `seed`; the same seed and shape give the same triples. */
export function generateTriples(count: number, seed: number, shape: TripleShape = {}): TextTriple[] {
  const random = seededRandom(seed);
  const int = (below: number) => Math.floor(random() * below);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  let serial = 0;
  const freshLine = (tag: string) =>
    random() < 0.25 ? pick(COMMON) : `${tag} ${pick(WORDS)} ${serial++} = ${int(1000)};`;

  const triples: TextTriple[] = [];
  for (let index = 0; index < count; index++) {
    const length = shape.lines
      ? shape.lines[0] + int(shape.lines[1] - shape.lines[0])
      : random() < 0.05
        ? int(3)
        : 3 + int(random() < 0.2 ? 120 : 40);
    const base = Array.from({ length }, () => freshLine('base'));
    const edit = (tag: string): Edit => {
      const op = pick(['insert', 'insert', 'delete', 'modify', 'modify'] as const);
      const at = int(base.length + 1);
      const count = op === 'insert' ? 0 : Math.min(1 + int(3), base.length - at);
      const lines =
        op === 'delete' ? [] : Array.from({ length: 1 + int(op === 'insert' ? 4 : 3) }, () => freshLine(tag));
      return { op, at, count, lines };
    };
    const oursEdits = Array.from({ length: 1 + int(shape.edits ?? 3) }, () => edit('ours'));
    const theirsEdits = Array.from({ length: 1 + int(shape.edits ?? 3) }, () => edit('theirs'));
    const shared = random() < 0.15 ? oursEdits[0] : undefined;
    if (shared) theirsEdits[0] = shared;
    // some edits land next to or on top of the other side's
    if (random() < 0.3) {
      const near = pick(oursEdits);
      const moved = theirsEdits.at(-1)!;
      moved.at = Math.max(0, Math.min(base.length, near.at + int(5) - 2));
      moved.count = Math.min(moved.count, base.length - moved.at);
    }

    const eol = random() < 0.2 ? '\r\n' : '\n';
    const finalNewline = random() < 0.85;
    const render = (lines: string[], final: boolean) =>
      lines.map((line, at) => (at < lines.length - 1 || final ? line + eol : line)).join('');
    const oursFinal = random() < 0.05 ? !finalNewline : finalNewline;
    const theirsFinal = random() < 0.05 ? !finalNewline : finalNewline;
    triples.push({
      name: `case-${String(index).padStart(4, '0')}`,
      base: render(base, finalNewline),
      ours: render(apply(base, oursEdits), oursFinal),
      theirs: render(apply(base, theirsEdits), theirsFinal),
    });
  }
  return triples;
}

// apply edits from the bottom up so that earlier positions stay valid
function apply(base: string[], edits: Edit[]): string[] {
  const lines = [...base];
  for (const edit of [...edits].sort((x, y) => y.at - x.at)) {
    const count = edit.op === 'insert' ? 0 : Math.min(edit.count, Math.max(0, lines.length - edit.at));
    lines.splice(Math.min(edit.at, lines.length), count, ...edit.lines);
  }
  return lines;
}
