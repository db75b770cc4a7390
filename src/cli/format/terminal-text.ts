import type { Output } from '../output.js';

/**
 * Text a plan wrote (a file's content in a diff, a command's output) made
 * safe to print on a terminal: control characters other than newline and
 * tab — among them ESC, which starts the sequences that move the cursor,
 * retitle the window or rewrite the clipboard — show as `\xNN` instead of
 * acting. Piped output keeps the bytes as written; this is for a terminal.
 *
 * @example
 * terminalSafe('ok\u001b]0;pwned\u0007'); // 'ok\\x1b]0;pwned\\x07'
 */
export function terminalSafe(text: string): string {
  // C0 controls but \t and \n, DEL, and the C1 controls (CSI is one of them)
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * `text` a plan wrote as this output shows it: {@link terminalSafe} when
 * stdout is a terminal, the bytes as written when it is piped.
 *
 * @example
 * out.text(shownBy(out, log.stdout.text));
 */
export function shownBy(out: Output, text: string): string {
  return out.options.terminal === true ? terminalSafe(text) : text;
}

/** A line a command wrote as one line of a terminal shows it: its colours dropped, tabs as spaces, any other control character escaped. */
export function plainLine(line: string): string {
  // eslint-disable-next-line no-control-regex
  return terminalSafe(line.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, '').replaceAll('\t', ' '));
}
