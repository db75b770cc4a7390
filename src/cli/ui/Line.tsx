import { Text, type TextProps } from 'ink';
import { forTerminal } from '../../domain/terminal-text.js';

/** The props of {@link Line}: Ink's `Text` props, with one line of text as its child; cut at the edge unless `wrap` says otherwise. */
export type LineProps = Omit<TextProps, 'children'> & { children: string };

/**
 * One line of `troupe ui`, cut at the terminal's edge by default. Most of what the view
 * shows someone else wrote — plan goals, step titles, a command's last line,
 * conflict hunks, error messages — and Ink writes a string as it is, escape
 * sequences included: each line is shown through {@link forTerminal}, so
 * they show, escaped, instead of acting on the terminal (and a line break
 * cannot push the frame out of shape).
 *
 * @example
 * <Line color="red" inverse={selected}>{rowText(row)}</Line>
 */
export function Line({ children, wrap = 'truncate-end', ...props }: LineProps) {
  return (
    <Text {...props} wrap={wrap}>
      {forTerminal(children)}
    </Text>
  );
}
