import type { CommandContext } from './context.js';

/** The command chosen by parsing argv: run it with a context. */
export type Selected = (context: CommandContext) => Promise<number>;

/** How a selected command treats the project: `setsUp` when it may make the repository a troupe project (a command that creates plans); the others only read or change plans that exist. */
export interface SelectedHow {
  setsUp?: boolean;
}

/**
 * What a command's action calls with the command it chose: parsing only
 * records the choice, which runs once argv is parsed (see buildProgram).
 *
 * @example
 * let chosen: Selected | null = null;
 * const select: SelectCommand = (selected) => (chosen = selected);
 */
export type SelectCommand = (selected: Selected, how?: SelectedHow) => void;
