import { forTerminal } from '../../domain/terminal-text.js';

/**
 * A line a command wrote as one line of a terminal shows it (the live step
 * line, `plan status`, `troupe ui`): its colours dropped, tabs as spaces,
 * any other control character, escape sequence or bidi override escaped
 * ({@link forTerminal}).
 *
 * @example
 * plainLine('\u001b[32mok\u001b[39m\tdone\u001b]0;pwned\u0007'); // 'ok done\\x1b]0;pwned\\x07'
 */
export function plainLine(line: string): string {
  return forTerminal(line.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, '').replaceAll('\t', ' '));
}
