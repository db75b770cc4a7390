// A title, goal or description ends up in git commit messages (which cannot
// hold a NUL byte: git is handed them as arguments), in the journal and on
// the user's terminal (where an escape sequence would redraw it). So text a
// person writes may hold tabs and line breaks, and no other control
// character; a command may hold anything but NUL.

// C0 controls but tab, LF and CR; DEL; C1 controls (U+0080–U+009F: some terminals read U+009B as an escape)
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/**
 * Why `text` cannot be a title, goal or description, or null: it holds a
 * control character other than tab and line breaks.
 *
 * @example
 * controlCharacterProblem('Write the header'); // null
 * controlCharacterProblem('Write\u0000'); // 'must not contain a NUL byte (at character 6)'
 */
export function controlCharacterProblem(text: string): string | null {
  const found = CONTROL.exec(text);
  if (found === null) return null;
  return describeControl(found[0], found.index);
}

/**
 * Why `text` cannot be a command or a value passed to one, or null: it
 * holds a NUL byte, which no process argument or environment variable can.
 *
 * @example
 * nulByteProblem('npm test'); // null
 */
export function nulByteProblem(text: string): string | null {
  const index = text.indexOf('\u0000');
  return index < 0 ? null : describeControl('\u0000', index);
}

function describeControl(character: string, index: number): string {
  const code = character.codePointAt(0)!;
  if (code === 0) return `must not contain a NUL byte (at character ${index + 1})`;
  return `must not contain a control character (U+${code.toString(16).toUpperCase().padStart(4, '0')} at character ${index + 1})`;
}
