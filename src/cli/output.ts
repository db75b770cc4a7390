import type { JournalEvent } from '../domain/index.js';
// the file, not the domain's index: that builds every schema, which printing does without
import { forTerminal } from '../domain/terminal-text.js';

/** How a command prints (SPEC §11): human text, one JSON document, or NDJSON events. */
export interface OutputOptions {
  json: boolean;
  stream: boolean;
  color: boolean;
  /** stdout is a terminal: a diff's content is shown with its control characters escaped (piped, it is the bytes `git apply` reads), and a changing answer (`plan status --watch`) is drawn again in place. */
  terminal?: boolean;
}

// cursor to the top left, then erase the screen: the next frame replaces the last instead of scrolling it away
const CLEAR_SCREEN = '\u001b[H\u001b[2J';

/** Where a command writes; tests pass in-memory writers. */
export interface Writers {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
} as const;
export type Style = keyof typeof CODES;

// the sequences paint() writes: the only ones human output keeps when colour is on (captured, so split() keeps them)
const PAINTED = new RegExp(`(\u001b\\[(?:${[...new Set(Object.values(CODES).flat())].join('|')})m)`);

/**
 * A command's output. With `--json` exactly one JSON document goes to
 * stdout and everything else to stderr; with `--stream` stdout carries only
 * NDJSON events; human text is coloured only when `color` is on. Whatever
 * goes out for people passes {@link Output.shown}: a file name, a command's
 * output or a model's words that reach it unescaped still cannot act on the
 * terminal. JSON and NDJSON are written as they are.
 */
export class Output {
  readonly options: OutputOptions;
  readonly #writers: Writers;

  constructor(options: OutputOptions, writers: Writers) {
    this.options = options;
    this.#writers = writers;
  }

  /** Whether the human form of the result goes to stdout. */
  get human(): boolean {
    return !this.options.json && !this.options.stream;
  }

  /** The command's result: JSON with `--json`, else the human text (to stderr under `--stream`). */
  result(value: unknown, human: () => string): void {
    if (this.options.json) {
      this.#writers.stdout(`${JSON.stringify(value, null, 2)}\n`);
      return;
    }
    const text = human();
    if (text === '') return;
    if (this.options.stream) this.#writers.stderr(this.shown(`${text}\n`));
    else this.#writers.stdout(this.shown(`${text}\n`));
  }

  /**
   * A frame of an answer that changes (`plan status --watch`): on a terminal
   * it replaces the frame before; elsewhere (a pipe, a log) frames follow
   * one another, a blank line apart.
   */
  frame(text: string): void {
    if (this.options.terminal && this.human) this.#writers.stdout(`${CLEAR_SCREEN}${this.shown(text)}\n`);
    else this.result(null, () => `${text}\n`);
  }

  /** One journal event as an NDJSON line on stdout. */
  event(event: JournalEvent): void {
    this.ndjson(event);
  }

  /** One value as an NDJSON line on stdout (a stream of records: `events`, `plan logs --json --follow`). */
  ndjson(value: unknown): void {
    this.#writers.stdout(`${JSON.stringify(value)}\n`);
  }

  /** Text on stdout without a line added, unless `--json` or `--stream` claim it (a command's output: `plan logs`). */
  text(text: string): void {
    if (this.human) this.#writers.stdout(this.shown(text));
  }

  /**
   * Text a program reads from the pipe, as written (a diff for `git
   * apply`); on a terminal it is {@link Output.shown} as any other.
   */
  verbatim(text: string): void {
    if (this.human) this.#writers.stdout(this.options.terminal === true ? this.shown(text) : text);
  }

  /** A line of the human answer itself (stdout), dropped under `--json` and `--stream`. */
  line(text: string): void {
    if (this.human) this.#writers.stdout(this.shown(`${text}\n`));
  }

  /** Progress and notes for people: stderr, so stdout stays machine-readable. */
  note(text: string): void {
    this.#writers.stderr(this.shown(`${text}\n`));
  }

  /**
   * Human text as a terminal may show it: every control, escape sequence and
   * bidi override escaped ({@link forTerminal}, lines kept) but the colours
   * {@link Output.paint} wrote.
   *
   * @example
   * io.stderr(out.shown(`${out.paint('red', 'error')}: ${error.message}\n`));
   */
  shown(text: string): string {
    if (!this.options.color) return forTerminal(text, { multiline: true });
    return text
      .split(PAINTED)
      .map((part, at) => (at % 2 === 1 ? part : forTerminal(part, { multiline: true })))
      .join('');
  }

  /** Text in a style, when colour is on. */
  paint(style: Style, text: string): string {
    if (!this.options.color) return text;
    const [open, close] = CODES[style];
    return `\u001b[${open}m${text}\u001b[${close}m`;
  }
}

/**
 * Whether to colour output: never with `--no-color`; always with a
 * `FORCE_COLOR` other than `0`/`false` (CI logs and pagers that show colour,
 * as chalk and node read it); never with a non-empty `NO_COLOR`
 * (https://no-color.org); otherwise when stdout is a terminal.
 *
 * @example
 * colorWanted(undefined, false, { FORCE_COLOR: '1' }); // true
 */
export function colorWanted(flag: boolean | undefined, isTty: boolean, env: NodeJS.ProcessEnv): boolean {
  if (flag === false) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '0' && force.toLowerCase() !== 'false') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return isTty;
}
