/** How many lines from the end of a failed command's output a failure shows. */
export const FAILURE_TAIL_LINES = 20;
// earlier lines naming a failure (a failed test) shown before the tail, at most
const MARKER_LINES = 5;
// a line is one row of a status view: longer ones are cut
const MAX_LINE_LENGTH = 400;
// lines test runners start a failure with: TAP `not ok`, node's and mocha's ✖/✗/×, jest's ●, vitest/jest/pytest FAIL(ED)
const FAILURE_MARKER = /^\s*(not ok\b|✖|✗|×|●|FAIL(ED)?\b)/;

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
 * The lines of a failed command that matter (SPEC §18): the last
 * {@link FAILURE_TAIL_LINES} of stderr — of stdout when stderr is empty —
 * preceded, when they do not show it, by up to 5 earlier lines of either
 * stream that name a failure (`not ok 2 - adds`, `✖ adds`, `FAIL src/a.test.ts`),
 * then `…`. So a failed test run says which test failed even when its
 * summary fills the tail, or when stderr holds only a warning.
 *
 * @example
 * const lines = failureLines({ stdoutTail: 'ok 1 - sums\nnot ok 2 - adds\n# fail 1\n', stderrTail: '' });
 * // ['ok 1 - sums', 'not ok 2 - adds', '# fail 1']
 */
export function failureLines(printed: PrintedOutput): string[] {
  const { stdout, stderr } = texts(printed);
  const stream = lines(stderr).length > 0 ? stderr : stdout;
  const tail = lines(stream).slice(-FAILURE_TAIL_LINES);
  const shown = new Set(tail);
  const markers = [...lines(stdout), ...lines(stderr)].filter((line) => FAILURE_MARKER.test(line) && !shown.has(line));
  const earlier = [...new Set(markers)].slice(0, MARKER_LINES);
  return (earlier.length > 0 ? [...earlier, '…', ...tail] : tail).map(clip);
}

/**
 * One line saying why a command failed, for a one-line message: the first
 * line naming a failure (`not ok 2 - adds`), else the last line of stderr,
 * else of stdout; '' when it printed nothing.
 *
 * @example
 * failureLine({ stdoutTail: 'not ok 2 - adds\n# duration_ms 390.3\n', stderrTail: '' }); // 'not ok 2 - adds'
 */
export function failureLine(printed: PrintedOutput): string {
  const { stdout, stderr } = texts(printed);
  const all = [...lines(stdout), ...lines(stderr)];
  const marker = all.find((line) => FAILURE_MARKER.test(line));
  const last = lines(stderr).at(-1) ?? lines(stdout).at(-1) ?? '';
  const line = (marker ?? last).trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

function texts(printed: PrintedOutput): { stdout: string; stderr: string } {
  return { stdout: printed.output?.stdout.text ?? printed.stdoutTail, stderr: printed.output?.stderr.text ?? printed.stderrTail };
}

// the non-empty lines, without trailing blanks and carriage returns (progress bars redraw with \r)
function lines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.slice(line.lastIndexOf('\r', line.length - 2) + 1).trimEnd())
    .filter((line) => line.trim() !== '');
}

function clip(line: string): string {
  return line.length > MAX_LINE_LENGTH ? `${line.slice(0, MAX_LINE_LENGTH)}…` : line;
}
