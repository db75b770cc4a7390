// A service's readyLine comes from a plan or an agent and is tested against every line the
// service writes, on troupe's event loop: a backtracking engine would let `/^(a+)+$/` and a
// line of a's stall every plan for seconds. RE2 matches in time linear in the line, whatever
// the pattern — without backreferences or lookaround, which it cannot do in that time.
import { RE2JS } from 're2js';
import { ValidationError } from '../../domain/index.js';

// JavaScript's flags as RE2's; `g` changes nothing for a test of one line, any other flag is refused
const FLAGS: Readonly<Record<string, number>> = {
  i: RE2JS.CASE_INSENSITIVE,
  m: RE2JS.MULTILINE,
  s: RE2JS.DOTALL,
  g: 0,
};

/** What a VALIDATION_ERROR about a readyLine suggests. */
export const READY_LINE_HINT =
  'readyLine is text to find in a line, or /regex/flags in RE2 syntax (flags i, m, s; no backreferences or lookaround), e.g. "/listening on \\\\d+/"';

/**
 * The test of a `readyLine`: `/source/flags` is a regular expression in
 * RE2's syntax (flags `i`, `m`, `s`; `g` is accepted and changes nothing),
 * any other text a substring. A pattern RE2 refuses (a backreference,
 * lookaround, a bad flag) is a `VALIDATION_ERROR` naming `readyLine`, with
 * why and a hint.
 *
 * @example
 * readyMatcher('/listening on \\d+/')('listening on 8765'); // true
 * readyMatcher('ready')('server ready'); // true
 * readyMatcher('/^(a+)+$/')('a'.repeat(30) + '!'); // false, at once
 */
export function readyMatcher(readyLine: string): (line: string) => boolean {
  const regex = /^\/(.+)\/([a-z]*)$/s.exec(readyLine);
  if (!regex) return (line) => line.includes(readyLine);
  const [, source, flags] = regex as unknown as [string, string, string];
  const unknown = [...flags].filter((flag) => !(flag in FLAGS));
  if (unknown.length > 0)
    refuse(
      `the flag${unknown.length === 1 ? '' : 's'} ${unknown.join('')} ${unknown.length === 1 ? 'is' : 'are'} not supported (i, m and s are)`,
    );
  let pattern: RE2JS;
  try {
    pattern = RE2JS.compile(
      source,
      [...flags].reduce((all, flag) => all | FLAGS[flag]!, 0),
    );
  } catch (error) {
    refuse(
      `is not a regular expression troupe can match with: ${error instanceof Error ? error.message.replace(/^error parsing regexp: /, '') : String(error)}`,
    );
  }
  return (line) => pattern.matcher(line).find();
}

function refuse(message: string): never {
  throw new ValidationError([{ path: 'readyLine', message }], { subject: 'service', hint: READY_LINE_HINT });
}
