import { failureBlock } from './failure-blocks.js';

/** How many lines a failed command's excerpt shows in all: its first failure's block, `…`, then the end of its output. */
export const FAILURE_TAIL_LINES = 20;
// a line is one row of a status view: longer ones are cut
const MAX_LINE_LENGTH = 400;
// colours a runner prints even without a terminal (FORCE_COLOR): an excerpt is plain text
const SGR = /\x1b\[[0-9;]*m/g;

/**
 * What a command printed, as a result gives it: the tails it keeps, and its
 * whole output when it was captured (a plan's commands always are).
 *
 * @example
 * const printed: PrintedOutput = await context.runCommand('npm test', { timeoutMs: 60_000 });
 * console.log(failureLines(printed).join('\n'));
 */
export interface PrintedOutput {
  stdoutTail: string;
  stderrTail: string;
  output?: { stdout: { text: string }; stderr: { text: string } } | undefined;
}

/**
 * The lines of a failed command that matter (SPEC §18), ~20 in all: the
 * first failure it printed with what is under it — the failing test's
 * assertion and location for node:test (TAP and spec), vitest, jest, mocha,
 * pytest, go test and cargo test; otherwise the first error and the head of
 * its stack — then `…` and the end of stderr (of stdout when stderr is
 * empty). Only the end when it already shows that failure. So a failed test
 * run says which test failed and why even when its summary fills the end,
 * or when stderr holds only a warning.
 *
 * @example
 * const lines = failureLines({ stdoutTail: 'ok 1 - sums\nnot ok 2 - adds\n# fail 1\n', stderrTail: '' });
 * // ['ok 1 - sums', 'not ok 2 - adds', '# fail 1']
 */
export function failureLines(printed: PrintedOutput): string[] {
  const { stdout, stderr } = texts(printed);
  const stream = stderr.length > 0 ? stderr : stdout;
  const block = firstFailure(stdout, stderr);
  const whole = stream.slice(-FAILURE_TAIL_LINES);
  const shown = new Set(whole);
  if (block.every((line) => shown.has(line))) return whole.map(clip);
  const tail = stream.slice(-Math.max(FAILURE_TAIL_LINES - block.length - 1, 1));
  return [...block, '…', ...tail].map(clip);
}

/**
 * One line saying why a command failed, for a one-line message: the line
 * its first failure starts with (`not ok 2 - adds`, `Error: Cannot find
 * module 'zod'`), else the last line of stderr, else of stdout; '' when it
 * printed nothing.
 *
 * @example
 * failureLine({ stdoutTail: 'not ok 2 - adds\n# duration_ms 390.3\n', stderrTail: '' }); // 'not ok 2 - adds'
 */
export function failureLine(printed: PrintedOutput): string {
  const { stdout, stderr } = texts(printed);
  const line = (firstFailure(stdout, stderr)[0] ?? stderr.at(-1) ?? stdout.at(-1) ?? '').trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

// a failure with something under it wins, from stdout (where most test runners print) first
function firstFailure(stdout: readonly string[], stderr: readonly string[]): string[] {
  const blocks = [failureBlock(stdout), failureBlock(stderr)];
  return blocks.find((block) => block.length > 1) ?? blocks.find((block) => block.length > 0) ?? [];
}

function texts(printed: PrintedOutput): { stdout: string[]; stderr: string[] } {
  return {
    stdout: lines(printed.output?.stdout.text ?? printed.stdoutTail),
    stderr: lines(printed.output?.stderr.text ?? printed.stderrTail),
  };
}

// the non-empty lines, without trailing blanks and carriage returns (progress bars redraw with \r)
function lines(text: string): string[] {
  return text
    .split('\n')
    .map((line) =>
      line
        .slice(line.lastIndexOf('\r', line.length - 2) + 1)
        .replace(SGR, '')
        .trimEnd(),
    )
    .filter((line) => line.trim() !== '');
}

function clip(line: string): string {
  return line.length > MAX_LINE_LENGTH ? `${line.slice(0, MAX_LINE_LENGTH)}…` : line;
}
