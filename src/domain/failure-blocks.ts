// How the first failure of a test run or program is found in what it printed
// (SPEC §18), for failure-lines.ts. A *block* is a line a runner starts a
// failure with and what it prints under it, up to the next failure or section.

/** At most this many lines of a failure's block are shown, its first line included. */
export const FAILURE_BLOCK_LINES = 10;
// a block is read this far at most, before its noise is dropped
const BLOCK_SCAN_LINES = 60;

// lines a test runner starts a failure with, what it prints about the failure indented
// under them: TAP `not ok` (node:test, tape), node's spec reporter and mocha's list
// ✖/✗/×/✕, jest's ●, jest's `FAIL file` and pytest's `FAILED x::y`, mocha's `1) title`,
// go's `--- FAIL:`
const LISTED_FAILURES: readonly RegExp[] = [
  /^\s*not ok\b/,
  /^\s*[✖✗×✕]\s+\S/,
  /^\s*●\s+\S/,
  /^\s*FAIL(ED)?\s+\S/,
  /^\s*\d+\) \S/,
  /^\s*--- FAIL: /,
];
// headings a test runner starts a failure's section with, what follows unindented:
// vitest's `FAIL  file > test`, pytest's `____ test_x ____`, cargo's `---- name stdout ----`
const FAILURE_HEADINGS: readonly RegExp[] = [/^\s*FAIL\s+\S.* > /, /^_{3,} .+ _{3,}$/, /^---- .+ ----$/];
// a block says why when a line under its start names an assertion, the values compared, an error or a location
const EVIDENCE =
  /\b(assert\w*|Assert\w*|expect\w*|Expect\w*|Received|received|actual|panicked|left|right|want|got)\b|!==|===|[A-Z]\w*(Error|Exception)\b|\S:\d+(:\d+)?\b/;
// headings of a section that lists failures, not a failure themselves
const SECTION_HEADING = /(failing tests|failures):?\s*$/i;
// lines that end a block: a separator rule, the end of a TAP YAML block, the next TAP test,
// a cargo or go section, a backtrace, a runner's summary
const BLOCK_END =
  /^\s*([⎯─═=_]{4,}|\.\.\.$|# Subtest:|ok \d+\b|failures:$|stack backtrace:$|(FAIL|PASS|ok)$|test result:|Tests?:\s|Test Files\s)/;
// a program's error (a thrown Error, `error:`/`error[E0425]:`, a Go panic, git's fatal)
const ERROR_START = /^\s*(Uncaught\s+)?([A-Z]\w*(Error|Exception)\b.*:|Error\b|error(\[\w+\])?:|panic:|fatal:)/;
// under an error, its stack's first frame or two are enough
const ERROR_BLOCK_LINES = 5;

// noise inside a block: TAP YAML bookkeeping, the rest of a stack, code frames
// without the line that failed, reporters' hints
const NOISE: readonly RegExp[] = [
  /^\s*(duration_ms|type|failureType|code|generatedMessage|diff|name):\s/,
  /^\s*\d+\s*\|/,
  /^\s*\|\s*\^/,
  /^\s*note: run with `RUST_BACKTRACE/,
  /^\s*---$/,
];
const STACK_FRAME = /^\s*at\s+\S/;
const YAML_STACK = /^(\s*)stack:\s*\|-?$/;

/**
 * The first failure in `lines` with something under it (the assertion, its
 * location): its first line and up to {@link FAILURE_BLOCK_LINES} − 1 lines
 * of what follows, without noise (TAP bookkeeping, all but the first stack
 * frame, code frames). When no test runner's failure is found, the first
 * error a program printed and the head of its stack. `[]` when neither is.
 *
 * @example
 * failureBlock(['ok 1 - sums', 'not ok 2 - adds', '  ---', "  location: 'a.test.mjs:5:1'", '  expected: 5', '  actual: -1', '  ...']);
 * // ['not ok 2 - adds', "  location: 'a.test.mjs:5:1'", '  expected: 5', '  actual: -1']
 */
export function failureBlock(lines: readonly string[]): string[] {
  let bare: string[] | null = null;
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index]!;
    if (!startsTestFailure(line)) continue;
    const block = blockAt(
      lines,
      index,
      FAILURE_HEADINGS.some((heading) => heading.test(line)),
    );
    if (block.slice(1).some((under) => EVIDENCE.test(under))) return block;
    bare ??= [line];
  }
  const error = lines.findIndex((line) => ERROR_START.test(line));
  if (error >= 0) return blockAt(lines, error, true).slice(0, ERROR_BLOCK_LINES);
  return bare ?? [];
}

/**
 * Whether a line starts a test runner's failure (`not ok 2 - adds`,
 * `✖ adds`, ` FAIL  a.test.ts > adds`, `--- FAIL: TestAdds`), not a section
 * heading such as `✖ failing tests:`.
 *
 * @example
 * startsTestFailure('not ok 2 - adds'); // true
 */
export function startsTestFailure(line: string): boolean {
  return (
    !SECTION_HEADING.test(line) &&
    (LISTED_FAILURES.some((start) => start.test(line)) || FAILURE_HEADINGS.some((start) => start.test(line)))
  );
}

// under a heading, every line up to the block's end; under a listed failure, the lines indented deeper than it
function blockAt(lines: readonly string[], start: number, heading: boolean): string[] {
  const block = [lines[start]!];
  const startIndent = indentOf(lines[start]!);
  let stackIndent = -1;
  let frames = 0;
  for (let index = start + 1; index < Math.min(lines.length, start + BLOCK_SCAN_LINES); index += 1) {
    const line = lines[index]!;
    const indent = indentOf(line);
    if (startsTestFailure(line) || BLOCK_END.test(line) || (!heading && indent <= startIndent)) break;
    // a TAP stack: its first frame only
    if (stackIndent >= 0 && indent > stackIndent) {
      if (frames++ === 0) block.push(line);
      continue;
    }
    stackIndent = -1;
    const yamlStack = YAML_STACK.exec(line);
    if (yamlStack) {
      stackIndent = yamlStack[1]!.length;
      frames = 0;
      continue;
    }
    if (STACK_FRAME.test(line) && frames++ > 0) continue;
    if (NOISE.some((noise) => noise.test(line))) continue;
    block.push(line);
    if (block.length === FAILURE_BLOCK_LINES) break;
  }
  return block;
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}
