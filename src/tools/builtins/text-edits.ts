import { ValidationError } from '../../domain/index.js';

/** One exact-text replacement of `fs/edit-file`. */
export interface TextEdit {
  oldText: string;
  newText: string;
  /** Replace every occurrence; without it, `oldText` must occur exactly once. */
  replaceAll?: boolean | undefined;
}

/** The text after every edit, and how many places changed. */
export interface EditedText {
  text: string;
  replacements: number;
}

/**
 * Apply exact-text edits in order, each to the text the ones before it left,
 * all or nothing: the first edit whose `oldText` is missing, or occurs more
 * than once without `replaceAll`, throws a VALIDATION_ERROR naming the edit
 * (`edits[i].oldText`) and the file, and nothing is returned to write.
 * Occurrences are counted without overlap, as a replacement would find them.
 *
 * @example
 * applyTextEdits('a = 1;\n', [{ oldText: '1', newText: '2' }], 'src/a.ts');
 * // { text: 'a = 2;\n', replacements: 1 }
 */
export function applyTextEdits(text: string, edits: readonly TextEdit[], shown: string): EditedText {
  let current = text;
  let replacements = 0;
  edits.forEach((edit, index) => {
    const found = occurrences(current, edit.oldText);
    const field = `edits[${index}].oldText`;
    if (found === 0) {
      throw new ValidationError(
        [{ path: field, message: `not found in ${shown}${index > 0 ? ' (after the edits before it)' : ''}` }],
        {
          hint: 'oldText must match the file exactly, whitespace and line ends included: read_file shows the current text',
        },
      );
    }
    if (found > 1 && edit.replaceAll !== true) {
      throw new ValidationError([{ path: field, message: `found ${found} times in ${shown}; it must be unique` }], {
        hint: 'add surrounding lines to oldText to make it unique, or set replaceAll: true to change every occurrence',
      });
    }
    // split/join, not String.replace: `$&` and `$1` in newText stay literal
    current = current.split(edit.oldText).join(edit.newText);
    replacements += found;
  });
  return { text: current, replacements };
}

function occurrences(text: string, needle: string): number {
  let count = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) count += 1;
  return count;
}
