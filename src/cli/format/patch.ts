import { forTerminal } from '../../domain/terminal-text.js';
import type { Output } from '../output.js';

/**
 * A unified diff as `troupe plan changes --patch` and `plan apply --dry-run
 * --patch` print it: as git wrote it when piped; on a terminal coloured as
 * git colours it (headers bold, hunk lines cyan, additions green, removals
 * red), with the control characters of the content escaped
 * ({@link forTerminal}): a file's escape sequence shows, it does not act.
 *
 * @example
 * out.verbatim(formatPatch(patch, out));
 */
export function formatPatch(patch: string, out: Output): string {
  if (patch === '') return '';
  const text = patch.endsWith('\n') ? patch : `${patch}\n`;
  // piped, the diff is the bytes git apply reads
  const safe = out.options.terminal === true ? forTerminal(text, { multiline: true }) : text;
  if (!out.options.color) return safe;
  return safe
    .split('\n')
    .map((line) => paintLine(line, out))
    .join('\n');
}

// git's own colours for the parts of a diff
function paintLine(line: string, out: Output): string {
  if (
    /^(diff --git |index |--- |\+\+\+ |new file mode |deleted file mode |old mode |new mode |similarity |rename |Binary files )/.test(
      line,
    )
  )
    return out.paint('bold', line);
  if (line.startsWith('@@')) return out.paint('cyan', line);
  if (line.startsWith('+')) return out.paint('green', line);
  if (line.startsWith('-')) return out.paint('red', line);
  return line;
}
